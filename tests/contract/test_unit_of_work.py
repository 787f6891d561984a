"""The unit of work: one transaction, rolled back unless committed, used once."""

from __future__ import annotations

import pytest

from rabbit.application.ports import UnlockedWriteError
from rabbit.domain.model import Organization

from .builders import an_organization
from .conftest import ContractBackend


async def stored_name(backend: ContractBackend, organization: Organization) -> str | None:
    found = await backend.read(lambda uow: uow.organizations.get(organization.id))
    return None if found is None else found.name


async def test_nothing_persists_without_commit(backend: ContractBackend) -> None:
    organization = an_organization()
    async with backend.uow_factory() as uow:
        await uow.organizations.add(organization)

    assert await stored_name(backend, organization) is None


async def test_an_exception_inside_rolls_back(backend: ContractBackend) -> None:
    organization = an_organization()

    async def add_then_fail() -> None:
        async with backend.uow_factory() as uow:
            await uow.organizations.add(organization)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await add_then_fail()

    assert await stored_name(backend, organization) is None


async def test_explicit_rollback_discards_writes(backend: ContractBackend) -> None:
    organization = an_organization()
    async with backend.uow_factory() as uow:
        await uow.organizations.add(organization)
        await uow.rollback()

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
    backend: ContractBackend,
) -> None:
    organization = an_organization(name="Initech")
    await backend.seed(organization)

    async with backend.uow_factory() as uow:
        loaded = await uow.organizations.get(organization.id)
        assert loaded is not None
        loaded.name = "Changed in memory only"
        again = await uow.organizations.get(organization.id)
        await uow.commit()

    assert again is not None
    assert again.name == "Initech"
    assert await stored_name(backend, organization) == "Initech"


async def test_mutating_an_entity_after_add_does_not_change_the_stored_row(
    backend: ContractBackend,
) -> None:
    organization = an_organization(name="Initech")
    async with backend.uow_factory() as uow:
        await uow.organizations.add(organization)
        organization.name = "Changed after add"
        await uow.commit()

    assert await stored_name(backend, organization) == "Initech"


async def test_mutating_an_entity_after_update_does_not_change_the_stored_row(
    backend: ContractBackend,
) -> None:
    organization = an_organization(name="Initech")
    await backend.seed(organization)

    async with backend.uow_factory() as uow:
        await uow.organizations.get(organization.id, for_update=True)
        organization.name = "Updated"
        await uow.organizations.update(organization)
        organization.name = "Changed after update"
        await uow.commit()

    assert await stored_name(backend, organization) == "Updated"


async def test_two_loads_return_distinct_copies(backend: ContractBackend) -> None:
    organization = an_organization()
    await backend.seed(organization)

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
    backend: ContractBackend,
) -> None:
    """ADR 0012: a write must come from a row this unit of work locked, or a concurrent
    commit to that row between the read and the write would be lost."""
    organization = an_organization(name="Initech")
    await backend.seed(organization)

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
