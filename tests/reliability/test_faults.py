"""Faults on Postgres: the unit of work's connection is terminated mid-transaction.

``KillingStore`` hands out units of work of which one, when armed, terminates its own backend
(``pg_terminate_backend`` from a second connection, the pid read with ``pg_backend_pid()``
on the unit of work's connection) just before a chosen repository call. The call then fails
with ``ConnectionLostError``; afterwards nothing of the transaction is left, the ledger
balances, and running the same work again completes it once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.domain.enums import PendingPostStatus, PublishAttemptStatus
from rabbit_postgres.errors import ConnectionLostError
from rabbit_postgres.unit_of_work import PostgresUnitOfWork
from support.postgres import EmptyPostgresStore
from use_cases.app import App, build_app
from use_cases.content_support import TOPICS, World, X, world

pytestmark = pytest.mark.postgres


class KillingStore(EmptyPostgresStore):
    """Arm with ``(repository, method)``: the next unit of work calling it dies there."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.armed: tuple[str, str] | None = None
        self.killed = 0

    def __call__(self) -> PostgresUnitOfWork:
        uow = super().__call__()
        if self.armed is not None:
            repository_name, method_name = self.armed
            repository = getattr(uow, repository_name)
            original = getattr(repository, method_name)

            async def dying(*args: Any, **kwargs: Any) -> Any:
                if self.armed is not None:
                    self.armed = None
                    await self._terminate(uow)
                return await original(*args, **kwargs)

            setattr(repository, method_name, dying)
        return uow

    async def _terminate(self, uow: PostgresUnitOfWork) -> None:
        pid = await uow._session.backend_pid()
        async with self.engine.connect() as other:
            await other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await other.commit()
        self.killed += 1


async def setup(engine: AsyncEngine) -> tuple[KillingStore, World]:
    store = KillingStore(engine)
    app: App = build_app(store)
    w = await world(app)
    return store, w


async def ledger_balances(w: World) -> bool:
    balance = await w.app.billing.balance(w.owner, w.org)
    ledger = await w.app.billing.ledger(w.owner, w.org, current_period_only=True)
    return balance.credits_total - balance.credits_used == sum(row.amount for row in ledger)


async def killed(
    store: KillingStore, target: tuple[str, str], work: Callable[[], Awaitable[Any]]
) -> None:
    store.armed = target
    with pytest.raises(ConnectionLostError):
        await work()
    assert store.killed == 1


async def test_a_publish_killed_before_the_post_is_recorded_leaves_no_post_and_retries_once(
    reliability_engine: AsyncEngine,
) -> None:
    store, w = await setup(reliability_engine)
    material = await w.ready_material(TOPICS[0])
    now = w.app.clock.now()
    [pending] = await w.generate(material, (X,), scheduled_for=now)
    credits_before = await w.credits()
    publishing = w.content.publishing

    await killed(
        store, ("posts", "add"), lambda: publishing.publish_platform(w.org, pending.id, X, now)
    )

    async with w.app.ports.uow() as uow:
        assert await uow.posts.find(w.org) == []
        [attempt] = await uow.publish_attempts.list_for(w.org, pending.id, X)
        assert attempt.status is PublishAttemptStatus.STARTED  # committed before the call
        stored = await uow.pending_posts.get(w.org, pending.id)
        assert stored is not None
        assert stored.status is PendingPostStatus.AUTO_APPROVED
    # the publish price is reserved with the attempt, before the call (ADR 0015)
    assert await w.credits() == credits_before - 1
    assert await ledger_balances(w)

    waiting = await publishing.publish_due(now)  # the attempt's lease has not passed yet
    assert waiting.completed == 0
    later = w.app.clock.advance(w.app.ports.config.publish_attempt_lease + timedelta(seconds=1))

    report = await publishing.publish_due(later)  # settles the STARTED attempt by lookup

    assert report.completed == 1
    async with w.app.ports.uow() as uow:
        assert len(await uow.posts.find(w.org)) == 1
    assert len(w.content.publisher.published) == 1  # the platform was called once
    assert await ledger_balances(w)
    assert await w.credits() == credits_before - 1


async def test_a_deduction_killed_between_the_counter_and_the_ledger_row_changes_nothing(
    reliability_engine: AsyncEngine,
) -> None:
    store, w = await setup(reliability_engine)
    material = await w.ready_material(TOPICS[1])
    credits_before = await w.credits()

    await killed(store, ("ledger", "append"), lambda: w.generate(material, (X,)))

    assert await w.credits() == credits_before
    assert await ledger_balances(w)
    async with w.app.ports.uow() as uow:
        assert await uow.pending_posts.find(w.org) == []

    created = await w.generate(material, (X,))

    assert len(created) == 1
    assert await w.credits() == credits_before - 1
    assert await ledger_balances(w)


async def test_a_claim_killed_before_its_posts_are_written_runs_again_when_the_hold_ends(
    reliability_engine: AsyncEngine,
) -> None:
    store, w = await setup(reliability_engine)
    await w.ready_material(TOPICS[2])
    schedule = await w.content.schedules.create_schedule(
        w.owner,
        w.org,
        w.brand,
        CreateSchedule(platforms=(X,), times=("10:00",), days_of_week=(0, 1, 2, 3, 4, 5, 6)),
    )
    assert schedule.next_run_at is not None
    now = schedule.next_run_at + timedelta(minutes=1)
    w.app.clock.set(now)
    autopilot = RabbitSystem(w.app.ports).autopilot
    hold = w.app.ports.config.slot_hold

    await killed(store, ("pending_posts", "add"), lambda: autopilot.tick(now))

    async with w.app.ports.uow() as uow:
        assert await uow.pending_posts.find(w.org) == []  # the posts' transaction rolled back
        [stored] = await uow.schedules.find(w.org)
        assert stored.next_run_at == now + hold  # still held by the dead attempt
    assert await ledger_balances(w)
    assert (await autopilot.tick(now)).schedules_run == 0  # nobody else runs a held slot

    now += hold
    w.app.clock.set(now)
    report = await autopilot.tick(now)

    assert report.schedules_run == 1
    assert report.posts_generated == 1
    assert report.published == 1
    async with w.app.ports.uow() as uow:
        [pending] = await uow.pending_posts.find(w.org)
        assert pending.scheduled_for == now  # the slot, late by the hold
    assert await ledger_balances(w)
    assert (await autopilot.tick(now)).schedules_run == 0
