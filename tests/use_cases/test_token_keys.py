"""Every start registers the cipher's key fingerprints: a key id names one key for ever."""

from __future__ import annotations

import asyncio

import pytest

from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.token_keys import TokenKeys
from rabbit.domain.errors import TokenKeyError
from rabbit_local.cipher import AesGcmTokenCipher, encode_key, key_fingerprint

from .app import KEYS, App

ANOTHER_K1 = bytes(range(100, 132))


def checker(app: App, keys: dict[str, bytes], current: str = "k1") -> TokenKeys:
    """The start check of a worker on ``app``'s store holding ``keys``."""
    return RabbitSystem(app.with_cipher(AesGcmTokenCipher(keys, current)).ports).token_keys


async def stored_fingerprints(app: App) -> dict[str, str]:
    async with app.ports.uow() as uow:
        return {key.id: key.fingerprint for key in await uow.token_keys.list_all()}


async def test_the_first_start_registers_every_key_id_with_its_fingerprint(app: App) -> None:
    report = await RabbitSystem(app.ports).token_keys.check_fingerprints()

    assert report.registered == ("k1", "k2")
    assert report.known == ()
    assert await stored_fingerprints(app) == {
        key_id: key_fingerprint(key) for key_id, key in KEYS.items()
    }


async def test_a_later_start_with_the_same_keys_and_a_new_one_registers_only_the_new_id(
    app: App,
) -> None:
    await checker(app, {"k1": KEYS["k1"]}).check_fingerprints()

    report = await RabbitSystem(app.ports).token_keys.check_fingerprints()

    assert report.registered == ("k2",)
    assert report.known == ("k1",)
    assert set(await stored_fingerprints(app)) == {"k1", "k2"}


async def test_refuses_a_start_whose_key_id_names_another_key(app: App) -> None:
    await RabbitSystem(app.ports).token_keys.check_fingerprints()  # the first worker
    before = await stored_fingerprints(app)

    with pytest.raises(TokenKeyError) as refused:
        await checker(app, {"k1": ANOTHER_K1, "k3": bytes(32)}).check_fingerprints()

    message = str(refused.value)
    assert "'k1'" in message
    assert key_fingerprint(ANOTHER_K1) in message
    for key in (ANOTHER_K1, KEYS["k1"]):  # never key material
        assert encode_key(key).rstrip("=") not in message
    assert await stored_fingerprints(app) == before  # k3 was not registered either


async def test_workers_starting_at_once_with_the_same_new_keys_both_start(app: App) -> None:
    reports = await asyncio.gather(
        *(RabbitSystem(app.ports).token_keys.check_fingerprints() for _ in range(3))
    )

    assert sorted(report.registered + report.known for report in reports) == [("k1", "k2")] * 3
    assert await stored_fingerprints(app) == {
        key_id: key_fingerprint(key) for key_id, key in KEYS.items()
    }
