"""The AES-GCM token cipher: secrecy, integrity, binding to the place, key ids, rotation."""

from __future__ import annotations

import dataclasses

import pytest

from rabbit.application.ports import SecretContext
from rabbit.domain.errors import UnreadableSecretError, ValidationError
from rabbit_local import AesGcmTokenCipher, encode_key, generate_key, parse_keys

TOKEN = "EAAB-very-secret-access-token-42"
HERE = SecretContext("social_accounts", "access_token", "org-a", "acc-1")


@pytest.fixture
def cipher() -> AesGcmTokenCipher:
    return AesGcmTokenCipher({"k1": generate_key()}, "k1")


def test_round_trip(cipher: AesGcmTokenCipher) -> None:
    assert cipher.decrypt(cipher.encrypt(TOKEN, HERE), HERE) == TOKEN


def test_each_encryption_uses_a_fresh_nonce(cipher: AesGcmTokenCipher) -> None:
    assert cipher.encrypt(TOKEN, HERE) != cipher.encrypt(TOKEN, HERE)


def test_the_stored_form_names_its_key_and_hides_the_value(cipher: AesGcmTokenCipher) -> None:
    stored = cipher.encrypt(TOKEN, HERE)
    assert cipher.key_id_of(stored) == "k1"
    assert stored.startswith("v2:k1:")
    assert TOKEN not in stored
    assert TOKEN not in repr(cipher)


def test_tampering_is_detected_without_revealing_the_value(cipher: AesGcmTokenCipher) -> None:
    stored = cipher.encrypt(TOKEN, HERE)
    flipped = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]
    with pytest.raises(UnreadableSecretError) as caught:
        cipher.decrypt(flipped, HERE)
    assert (caught.value.field, caught.value.row_id) == ("social_accounts.access_token", "acc-1")
    assert flipped not in str(caught.value)
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    "elsewhere",
    [
        pytest.param({"row_id": "acc-2"}, id="another-row"),
        pytest.param({"organization_id": "org-b"}, id="another-organisation"),
        pytest.param({"field": "refresh_token"}, id="another-column"),
        pytest.param(
            {"table": "external_sources", "field": "connection_config.api_key"},
            id="another-table",
        ),
    ],
)
def test_refuses_moved_ciphertext(cipher: AesGcmTokenCipher, elsewhere: dict[str, str]) -> None:
    stored = cipher.encrypt(TOKEN, HERE)
    there = dataclasses.replace(HERE, **elsewhere)
    with pytest.raises(UnreadableSecretError) as caught:
        cipher.decrypt(stored, there)
    assert caught.value.reason == UnreadableSecretError.MOVED
    assert caught.value.value_is_bad
    assert caught.value.field == there.place
    assert caught.value.code == "unreadable_secret"
    assert stored not in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_a_value_relabelled_to_another_key_fails() -> None:
    key = generate_key()
    cipher = AesGcmTokenCipher({"k1": key, "k2": key}, "k1")
    relabelled = cipher.encrypt(TOKEN, HERE).replace("v2:k1:", "v2:k2:")
    with pytest.raises(UnreadableSecretError) as caught:
        cipher.decrypt(relabelled, HERE)
    assert caught.value.reason == UnreadableSecretError.MOVED


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("plain-token", id="no-structure"),
        pytest.param("v2:k1:", id="no-payload"),
        pytest.param("v3:k1:AAAA", id="unknown-version"),
        pytest.param("v2:k1:!!!!", id="not-base64"),
        pytest.param("v2:k1:AAAA", id="too-short"),
    ],
)
def test_malformed_values_are_unreadable(cipher: AesGcmTokenCipher, stored: str) -> None:
    with pytest.raises(UnreadableSecretError) as caught:
        cipher.decrypt(stored, HERE)
    assert (caught.value.field, caught.value.reason) == (
        "social_accounts.access_token",
        UnreadableSecretError.MALFORMED,
    )


def test_an_unknown_key_id_is_unreadable_but_not_a_bad_value(cipher: AesGcmTokenCipher) -> None:
    other = AesGcmTokenCipher({"k9": generate_key()}, "k9")
    with pytest.raises(UnreadableSecretError) as caught:
        cipher.decrypt(other.encrypt(TOKEN, HERE), HERE)
    assert caught.value.reason == UnreadableSecretError.UNKNOWN_KEY
    assert "k9" in str(caught.value)
    assert not caught.value.value_is_bad


def test_a_v1_value_is_refused_at_run_time_and_names_the_upgrade(
    cipher: AesGcmTokenCipher,
) -> None:
    legacy = cipher.seal_v1(TOKEN)
    assert legacy.startswith("v1:k1:")
    with pytest.raises(UnreadableSecretError) as caught:
        cipher.decrypt(legacy, HERE)
    assert caught.value.reason == UnreadableSecretError.LEGACY
    assert "rabbit db upgrade" in str(caught.value)
    assert cipher.key_id_of(legacy) == "k1"
    assert cipher.open_v1(legacy) == TOKEN  # what the 0004 migration reads
    with pytest.raises(ValidationError):
        cipher.open_v1(cipher.encrypt(TOKEN, HERE))


def test_after_rotation_old_values_still_decrypt_and_new_ones_use_the_new_key() -> None:
    old_key, new_key = generate_key(), generate_key()
    before = AesGcmTokenCipher({"k1": old_key}, "k1")
    stored_before = before.encrypt(TOKEN, HERE)

    rotated = AesGcmTokenCipher({"k1": old_key, "k2": new_key}, "k2")
    stored_after = rotated.encrypt(TOKEN, HERE)

    assert rotated.decrypt(stored_before, HERE) == TOKEN
    assert rotated.key_id_of(stored_after) == "k2"
    assert rotated.decrypt(stored_after, HERE) == TOKEN


def test_keys_parse_from_configuration() -> None:
    k1, k2 = generate_key(), generate_key()
    keys = parse_keys(f"k1={encode_key(k1)}, k2={encode_key(k2)}")
    assert keys == {"k1": k1, "k2": k2}
    cipher = AesGcmTokenCipher.from_config(f"k1={encode_key(k1)}", "k1")
    assert cipher.current_key_id == "k1"


@pytest.mark.parametrize(
    "config",
    [
        pytest.param("", id="empty"),
        pytest.param("k1", id="no-equals"),
        pytest.param("k1=c2hvcnQ", id="short-key"),
        pytest.param("k1=not base64!", id="not-base64"),
    ],
)
def test_bad_key_configuration_is_refused(config: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_keys(config)
    assert caught.value.field == "keys"


def test_the_current_key_must_exist() -> None:
    with pytest.raises(ValidationError) as caught:
        AesGcmTokenCipher({"k1": generate_key()}, "k2")
    assert caught.value.field == "current_key_id"
