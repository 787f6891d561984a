"""What the locking methods promise when units of work run at the same time.

The memory store serialises whole units of work and Postgres locks rows (docs/adr/0005);
either way the observable outcome must be the same.
"""

from __future__ import annotations

import asyncio

import pytest

from rabbit.domain.enums import PendingPostStatus
from rabbit.domain.errors import InsufficientCreditsError
from rabbit.domain.model import BrandProfile, Organization

from .builders import a_material, a_pending_post, a_schedule, a_subscription, at
from .conftest import ContractBackend


async def test_concurrent_claims_of_due_schedules_are_disjoint(
    backend: ContractBackend, org: Organization, brand: BrandProfile
) -> None:
    due = [a_schedule(org, brand, next_run_at=at(-i)) for i in range(1, 7)]
    await backend.seed(*due)

    async def worker() -> list[str]:
        async with backend.uow_factory() as uow:
            claimed = await uow.schedules.claim_due(at(0), limit=10)
            for schedule in claimed:
                schedule.next_run_at = at(days=1)
                await uow.schedules.update(schedule)
            await uow.commit()
        return [s.id for s in claimed]

    first, second = await asyncio.gather(worker(), worker())

    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(s.id for s in due)


async def test_concurrent_publishers_take_each_due_post_once(
    backend: ContractBackend, org: Organization, brand: BrandProfile
) -> None:
    material = a_material(org, brand)
    due = [
        a_pending_post(
            org, brand, material, status=PendingPostStatus.APPROVED, scheduled_for=at(-i)
        )
        for i in range(1, 6)
    ]
    await backend.seed(material, *due)

    async def worker() -> list[str]:
        async with backend.uow_factory() as uow:
            taken = await uow.pending_posts.list_due(at(0), limit=10)
            for pending in taken:
                pending.move_to(PendingPostStatus.PUBLISHED, at(0))
                await uow.pending_posts.update(pending)
            await uow.commit()
        return [p.id for p in taken]

    first, second = await asyncio.gather(worker(), worker())

    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(p.id for p in due)


async def test_concurrent_deductions_never_overdraw(
    backend: ContractBackend, org: Organization
) -> None:
    await backend.seed(a_subscription(org, credits_total=1, credits_used=0))

    async def deduct() -> None:
        async with backend.uow_factory() as uow:
            subscription = await uow.subscriptions.get(org.id, for_update=True)
            assert subscription is not None
            subscription.consume(1, at(0))
            await uow.subscriptions.update(subscription)
            await uow.commit()

    outcomes = await asyncio.gather(deduct(), deduct(), return_exceptions=True)

    assert sum(outcome is None for outcome in outcomes) == 1
    assert sum(isinstance(outcome, InsufficientCreditsError) for outcome in outcomes) == 1
    stored = await backend.read(lambda uow: uow.subscriptions.get(org.id))
    assert (stored.credits_used, stored.credits_remaining) == (1, 0)


@pytest.mark.parametrize("limit", [0, 1])
async def test_claim_due_respects_small_limits(
    backend: ContractBackend, org: Organization, brand: BrandProfile, limit: int
) -> None:
    await backend.seed(*(a_schedule(org, brand, next_run_at=at(-i)) for i in range(1, 4)))

    claimed = await backend.read(lambda uow: uow.schedules.claim_due(at(0), limit=limit))

    assert len(claimed) == limit
