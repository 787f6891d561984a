"""Schedules (including claiming due ones) and materials."""

from __future__ import annotations

from rabbit.domain.enums import MaterialStatus, MaterialType
from rabbit.domain.model import BrandProfile, Organization

from .builders import (
    a_brand,
    a_material,
    a_rich_material,
    a_rich_schedule,
    a_schedule,
    at,
    sorted_ids,
)
from .conftest import ContractBackend, update

# Schedules -----------------------------------------------------------------------------


async def test_schedule_round_trip_preserves_every_field(
    backend: ContractBackend, org: Organization, brand: BrandProfile
) -> None:
    schedule = a_rich_schedule(org, brand)
    await backend.seed(schedule)

    assert await backend.read(lambda uow: uow.schedules.get(org.id, schedule.id)) == schedule
    locked = await backend.read(lambda uow: uow.schedules.get(org.id, schedule.id, for_update=True))
    assert locked == schedule


async def test_get_schedule_returns_none_for_an_unknown_id(
    backend: ContractBackend, org: Organization
) -> None:
    assert await backend.read(lambda uow: uow.schedules.get(org.id, "no-such-schedule")) is None


async def test_claim_due_selects_active_due_schedules_across_organizations_in_order(
    backend: ContractBackend, org: Organization, other_org: Organization, brand: BrandProfile
) -> None:
    foreign_brand = a_brand(other_org)
    low, high = sorted_ids(2)
    earliest = a_schedule(other_org, foreign_brand, next_run_at=at(-30))
    tie_high = a_schedule(org, brand, id=high, next_run_at=at(-10))
    tie_low = a_schedule(other_org, foreign_brand, id=low, next_run_at=at(-10))
    exactly_now = a_schedule(org, brand, next_run_at=at(0))
    future = a_schedule(org, brand, next_run_at=at(1))
    inactive = a_schedule(org, brand, next_run_at=at(-60), is_active=False)
    never = a_schedule(org, brand, next_run_at=None)
    await backend.seed(
        foreign_brand, future, tie_high, exactly_now, inactive, tie_low, earliest, never
    )

    claimed = await backend.read(lambda uow: uow.schedules.claim_due(at(0), limit=10))

    assert [s.id for s in claimed] == [earliest.id, low, high, exactly_now.id]


async def test_claim_due_returns_at_most_limit_schedules(
    backend: ContractBackend, org: Organization, brand: BrandProfile
) -> None:
    schedules = [a_schedule(org, brand, next_run_at=at(-i)) for i in range(1, 5)]
    await backend.seed(*schedules)

    claimed = await backend.read(lambda uow: uow.schedules.claim_due(at(0), limit=2))

    assert [s.id for s in claimed] == [schedules[3].id, schedules[2].id]


async def test_claim_due_skips_the_schedules_of_a_soft_deleted_organization(
    backend: ContractBackend, org: Organization, other_org: Organization, brand: BrandProfile
) -> None:
    """ADR 0014: nothing is claimed on behalf of a deleted organisation."""
    foreign_brand = a_brand(other_org)
    gone = a_schedule(other_org, foreign_brand, next_run_at=at(-30))
    live = a_schedule(org, brand, next_run_at=at(-10))
    await backend.seed(foreign_brand, gone, live)
    other_org.deleted_at = at(-1)
    await backend.write(lambda uow: update(uow, other_org))

    claimed = await backend.read(lambda uow: uow.schedules.claim_due(at(0), limit=10))

    assert [s.id for s in claimed] == [live.id]


async def test_a_claimed_schedule_advanced_and_committed_is_not_claimed_again(
    backend: ContractBackend, org: Organization, brand: BrandProfile
) -> None:
    schedule = a_schedule(org, brand, next_run_at=at(-5))
    await backend.seed(schedule)

    async with backend.uow_factory() as uow:
        (claimed,) = await uow.schedules.claim_due(at(0), limit=5)
        claimed.next_run_at = at(days=1)
        await uow.schedules.update(claimed)
        await uow.commit()

    assert await backend.read(lambda uow: uow.schedules.claim_due(at(0), limit=5)) == []


# Materials -----------------------------------------------------------------------------


async def test_material_round_trip_preserves_every_field(
    backend: ContractBackend, org: Organization, brand: BrandProfile
) -> None:
    material = a_rich_material(org, brand)
    await backend.seed(material)

    assert await backend.read(lambda uow: uow.materials.get(org.id, material.id)) == material


async def test_a_material_without_brand_round_trips(
    backend: ContractBackend, org: Organization
) -> None:
    material = a_material(org, None, type=MaterialType.URL, url="https://acme.example/blog")
    await backend.seed(material)

    assert await backend.read(lambda uow: uow.materials.get(org.id, material.id)) == material


async def test_materials_are_listed_by_created_at_then_id_with_brand_and_status_filters(
    backend: ContractBackend, org: Organization, brand: BrandProfile
) -> None:
    other_brand = a_brand(org)
    low, high = sorted_ids(2)
    ready_late = a_material(org, brand, status=MaterialStatus.READY, created_at=at(9))
    used_tie_high = a_material(org, brand, id=high, status=MaterialStatus.USED)
    ready_tie_low = a_material(org, other_brand, id=low, status=MaterialStatus.READY)
    uploaded = a_material(org, brand, created_at=at(-1))
    await backend.seed(other_brand, ready_late, used_tie_high, ready_tie_low, uploaded)

    statuses = (MaterialStatus.READY, MaterialStatus.USED)
    usable = await backend.read(lambda uow: uow.materials.find(org.id, statuses=statuses))
    usable_of_brand = await backend.read(
        lambda uow: uow.materials.find(org.id, brand_id=brand.id, statuses=statuses)
    )
    of_brand = await backend.read(lambda uow: uow.materials.find(org.id, brand_id=brand.id))

    assert [m.id for m in usable] == [low, high, ready_late.id]
    assert [m.id for m in usable_of_brand] == [high, ready_late.id]
    assert [m.id for m in of_brand] == [uploaded.id, high, ready_late.id]


async def test_count_materials_by_status_skips_deleted_and_foreign_rows(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    await backend.seed(
        a_material(org, status=MaterialStatus.READY),
        a_material(org, status=MaterialStatus.READY),
        a_material(org, status=MaterialStatus.USED),
        a_material(org, status=MaterialStatus.READY, deleted_at=at(1)),
        a_material(other_org, status=MaterialStatus.READY),
    )

    ready = await backend.read(
        lambda uow: uow.materials.count(org.id, statuses=[MaterialStatus.READY])
    )
    everything = await backend.read(lambda uow: uow.materials.count(org.id))

    assert (ready, everything) == (2, 3)


async def test_delete_purged_materials_counts_only_old_deleted_rows_of_the_organization(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    old = a_material(org, deleted_at=at(days=-45))
    recent = a_material(org, deleted_at=at(days=-3))
    foreign = a_material(other_org, deleted_at=at(days=-45))
    await backend.seed(old, recent, foreign, a_material(org))

    removed = await backend.write(lambda uow: uow.materials.delete_purged(org.id, at(days=-30)))

    assert removed == 1
    assert await backend.read(lambda uow: uow.materials.count(org.id)) == 1
    assert (
        await backend.read(lambda uow: uow.materials.get(org.id, old.id, include_deleted=True))
        is None
    )
    assert await backend.read(
        lambda uow: uow.materials.get(other_org.id, foreign.id, include_deleted=True)
    )


async def test_find_materials_by_ids_returns_only_those_of_the_organisation(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    first, second, third = (a_material(org, created_at=at(n)) for n in range(3))
    deleted = a_material(org, deleted_at=at(5), created_at=at(4))
    foreign = a_material(other_org)
    await backend.seed(first, second, third, deleted, foreign)
    wanted = {third.id, first.id, deleted.id, foreign.id, "missing"}

    found = await backend.read(lambda uow: uow.materials.find(org.id, ids=wanted))
    with_deleted = await backend.read(
        lambda uow: uow.materials.find(org.id, ids=wanted, include_deleted=True)
    )
    nothing = await backend.read(lambda uow: uow.materials.find(org.id, ids=set()))

    assert [m.id for m in found] == [first.id, third.id]
    assert [m.id for m in with_deleted] == [first.id, third.id, deleted.id]
    assert nothing == []
