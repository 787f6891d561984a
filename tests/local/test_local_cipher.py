"""The AES-GCM token cipher: secrecy, integrity, key ids and rotation."""

from __future__ import annotations

import pytest

from rabbit.domain.errors import ValidationError
from rabbit_local import AesGcmTokenCipher, encode_key, generate_key, parse_keys

TOKEN = "EAAB-very-secret-access-token-42"


@pytest.fixture
def cipher() -> AesGcmTokenCipher:
    return AesGcmTokenCipher({"k1": generate_key()}, "k1")


def test_round_trip(cipher: AesGcmTokenCipher) -> None:
    assert cipher.decrypt(cipher.encrypt(TOKEN)) == TOKEN


def test_each_encryption_uses_a_fresh_nonce(cipher: AesGcmTokenCipher) -> None:
    assert cipher.encrypt(TOKEN) != cipher.encrypt(TOKEN)


def test_the_stored_form_names_its_key_and_hides_the_value(cipher: AesGcmTokenCipher) -> None:
    stored = cipher.encrypt(TOKEN)
    assert cipher.key_id_of(stored) == "k1"
    assert stored.startswith("v1:k1:")
    assert TOKEN not in stored
    assert TOKEN not in repr(cipher)


def test_tampering_is_detected_without_revealing_the_value(cipher: AesGcmTokenCipher) -> None:
    stored = cipher.encrypt(TOKEN)
    flipped = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]
    with pytest.raises(ValidationError) as caught:
        cipher.decrypt(flipped)
    assert caught.value.field == "token"
    assert flipped not in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_a_value_relabelled_to_another_key_fails() -> None:
    key = generate_key()
    cipher = AesGcmTokenCipher({"k1": key, "k2": key}, "k1")
    relabelled = cipher.encrypt(TOKEN).replace("v1:k1:", "v1:k2:")
    with pytest.raises(ValidationError):
        cipher.decrypt(relabelled)


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("plain-token", id="no-structure"),
        pytest.param("v1:k1:", id="no-payload"),
        pytest.param("v2:k1:AAAA", id="unknown-version"),
        pytest.param("v1:k1:!!!!", id="not-base64"),
        pytest.param("v1:k1:AAAA", id="too-short"),
    ],
)
def test_malformed_values_are_validation_errors(cipher: AesGcmTokenCipher, stored: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cipher.decrypt(stored)
    assert caught.value.field == "token"


def test_an_unknown_key_id_is_a_validation_error(cipher: AesGcmTokenCipher) -> None:
    other = AesGcmTokenCipher({"k9": generate_key()}, "k9")
    with pytest.raises(ValidationError) as caught:
        cipher.decrypt(other.encrypt(TOKEN))
    assert "k9" in caught.value.reason


def test_after_rotation_old_values_still_decrypt_and_new_ones_use_the_new_key() -> None:
    old_key, new_key = generate_key(), generate_key()
    before = AesGcmTokenCipher({"k1": old_key}, "k1")
    stored_before = before.encrypt(TOKEN)

    rotated = AesGcmTokenCipher({"k1": old_key, "k2": new_key}, "k2")
    stored_after = rotated.encrypt(TOKEN)

    assert rotated.decrypt(stored_before) == TOKEN
    assert rotated.key_id_of(stored_after) == "k2"
    assert rotated.decrypt(stored_after) == TOKEN


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
