"""Token key fingerprints: registered once per key id, the first registration kept."""

from __future__ import annotations

import asyncio

import pytest

from rabbit.domain.errors import ValidationError
from rabbit.domain.model import TokenKey

from .builders import at
from .conftest import ContractBackend

FIRST = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"


def a_token_key(key_id: str = "k1", fingerprint: str = FIRST, minutes: float = 0) -> TokenKey:
    return TokenKey(id=key_id, fingerprint=fingerprint, created_at=at(minutes))


async def test_register_stores_a_new_key_and_returns_it(backend: ContractBackend) -> None:
    key = a_token_key()

    stored = await backend.write(lambda uow: uow.token_keys.register(key))

    assert stored == key
    assert await backend.read(lambda uow: uow.token_keys.list_all()) == [key]


async def test_register_of_a_known_id_keeps_and_returns_the_first_row(
    backend: ContractBackend,
) -> None:
    first = a_token_key()
    await backend.seed(first)

    stored = await backend.write(
        lambda uow: uow.token_keys.register(a_token_key(fingerprint=OTHER, minutes=5))
    )

    assert stored == first
    assert await backend.read(lambda uow: uow.token_keys.list_all()) == [first]


async def test_list_all_orders_by_key_id(backend: ContractBackend) -> None:
    keys = [a_token_key(key_id) for key_id in ("k2", "K1", "k1", "dev")]
    await backend.seed(*keys)

    found = await backend.read(lambda uow: uow.token_keys.list_all())

    assert [key.id for key in found] == ["K1", "dev", "k1", "k2"]  # byte order


async def test_a_registration_left_without_commit_is_not_stored(backend: ContractBackend) -> None:
    async with backend.uow_factory() as uow:
        await uow.token_keys.register(a_token_key())

    assert await backend.read(lambda uow: uow.token_keys.list_all()) == []


@pytest.mark.parametrize(
    ("key_id", "fingerprint", "field"),
    [
        ("k1", "ABCDEF" * 5 + "ab", "fingerprint"),
        ("k1", "abc", "fingerprint"),
        ("k 1", FIRST, "id"),
    ],
)
async def test_register_refuses_a_malformed_id_or_fingerprint(
    backend: ContractBackend, key_id: str, fingerprint: str, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        await backend.write(lambda uow: uow.token_keys.register(a_token_key(key_id, fingerprint)))

    assert error.value.field == field


async def test_concurrent_registrations_of_one_new_id_both_get_the_first_commit(
    backend: ContractBackend,
) -> None:
    first, second = a_token_key(), a_token_key(fingerprint=OTHER, minutes=1)
    async with backend.uow_factory() as uow:
        registered = await uow.token_keys.register(first)
        waiting = asyncio.create_task(
            backend.write(lambda other: other.token_keys.register(second))
        )
        await asyncio.sleep(0.2)
        assert not waiting.done()  # Postgres: waits on the uncommitted row; memory: the lock
        await uow.commit()

    assert registered == first
    assert await waiting == first
    assert await backend.read(lambda uow: uow.token_keys.list_all()) == [first]
