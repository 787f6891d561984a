"""The unit of work: one transaction, rolled back unless committed, used once."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager

import pytest

from rabbit.application.ports import UnlockedWriteError
from rabbit.application.ports.unit_of_work import UnitOfWork
from rabbit.domain.model import Organization

from .builders import an_organization
from .conftest import ContractBackend


@pytest.fixture
async def organization(backend: ContractBackend) -> Organization:
    """A stored organisation named Initech."""
    stored = an_organization(name="Initech")
    await backend.seed(stored)
    return stored


async def stored_name(backend: ContractBackend, organization: Organization) -> str | None:
    found = await backend.read(lambda uow: uow.organizations.get(organization.id))
    return None if found is None else found.name


async def _leave_open(uow: UnitOfWork) -> None:
    pass


async def _roll_back(uow: UnitOfWork) -> None:
    await uow.rollback()


async def _fail(uow: UnitOfWork) -> None:
    raise RuntimeError("boom")


#: How a unit of work may end without commit: (the ending, what leaves the block).
ENDINGS = {
    "left-without-commit": (_leave_open, contextlib.nullcontext),
    "an-exception-inside": (_fail, lambda: pytest.raises(RuntimeError, match="boom")),
    "an-explicit-rollback": (_roll_back, contextlib.nullcontext),
}


@pytest.mark.parametrize(("ending", "leaving"), ENDINGS.values(), ids=ENDINGS.keys())
async def test_writes_are_discarded_unless_committed(
    backend: ContractBackend,
    ending: Callable[[UnitOfWork], Awaitable[None]],
    leaving: Callable[[], AbstractContextManager[object]],
) -> None:
    organization = an_organization()
    with leaving():
        async with backend.uow_factory() as uow:
            await uow.organizations.add(organization)
            await ending(uow)

    assert await stored_name(backend, organization) is None


async def test_commit_makes_writes_visible_to_a_new_unit_of_work(
    backend: ContractBackend,
) -> None:
    organization = an_organization(name="Initech")
    async with backend.uow_factory() as uow:
        await uow.organizations.add(organization)
        await uow.commit()

    assert await stored_name(backend, organization) == "Initech"


async def test_a_unit_of_work_reads_its_own_uncommitted_writes(backend: ContractBackend) -> None:
    organization = an_organization(name="Initech")
    async with backend.uow_factory() as uow:
        await uow.organizations.add(organization)
        found = await uow.organizations.get(organization.id)

    assert found == organization


async def test_mutating_a_loaded_entity_without_update_changes_nothing(
    backend: ContractBackend, organization: Organization
) -> None:
    async with backend.uow_factory() as uow:
        loaded = await uow.organizations.get(organization.id)
        assert loaded is not None
        loaded.name = "Changed in memory only"
        again = await uow.organizations.get(organization.id)
        await uow.commit()

    assert again is not None
    assert again.name == "Initech"
    assert await stored_name(backend, organization) == "Initech"


async def _add(uow: UnitOfWork, organization: Organization) -> None:
    await uow.organizations.add(organization)


async def _update(uow: UnitOfWork, organization: Organization) -> None:
    await uow.organizations.get(organization.id, for_update=True)
    await uow.organizations.update(organization)


#: A write that hands an entity to the store: (whether the row is stored before, the write).
WRITES = {"add": (False, _add), "update": (True, _update)}


@pytest.mark.parametrize(("stored_before", "write"), WRITES.values(), ids=WRITES.keys())
async def test_mutating_an_entity_after_writing_it_does_not_change_the_stored_row(
    backend: ContractBackend,
    stored_before: bool,
    write: Callable[[UnitOfWork, Organization], Awaitable[None]],
) -> None:
    organization = an_organization(name="Initech")
    if stored_before:
        await backend.seed(organization)

    async with backend.uow_factory() as uow:
        organization.name = "Written"
        await write(uow, organization)
        organization.name = "Changed after the write"
        await uow.commit()

    assert await stored_name(backend, organization) == "Written"


async def test_two_loads_return_distinct_copies(
    backend: ContractBackend, organization: Organization
) -> None:
    async with backend.uow_factory() as uow:
        first = await uow.organizations.get(organization.id)
        second = await uow.organizations.get(organization.id)

    assert first == second
    assert first is not second


async def test_a_unit_of_work_cannot_be_reused_after_commit(backend: ContractBackend) -> None:
    uow = backend.uow_factory()
    async with uow:
        await uow.organizations.add(an_organization())
        await uow.commit()

    async def reuse() -> None:
        async with uow:
            await uow.organizations.add(an_organization())

    with pytest.raises(RuntimeError):
        await reuse()


async def test_an_update_of_a_row_not_read_for_update_is_refused(
    backend: ContractBackend, organization: Organization
) -> None:
    """ADR 0012: a write must come from a row this unit of work locked, or a concurrent
    commit to that row between the read and the write would be lost."""
    async with backend.uow_factory() as uow:
        loaded = await uow.organizations.get(organization.id)
        assert loaded is not None
        loaded.name = "Unlocked"
        with pytest.raises(UnlockedWriteError):
            await uow.organizations.update(loaded)

    assert await stored_name(backend, organization) == "Initech"


async def test_rows_claimed_or_added_in_the_unit_of_work_may_be_updated(
    backend: ContractBackend,
) -> None:
    organization = an_organization(name="Initech")
    async with backend.uow_factory() as uow:
        await uow.organizations.add(organization)
        organization.name = "Renamed in the same unit of work"
        await uow.organizations.update(organization)
        await uow.commit()

    assert await stored_name(backend, organization) == "Renamed in the same unit of work"
