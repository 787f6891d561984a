"""Publishing and a concurrent debit on Postgres, from two processes (two engines).

The organisation has exactly the publish price left. Whichever order the two requests take,
the platform post is paid exactly once and nobody spends credits that are not there:

- the debit comes while the platform call is in flight (forced by a barrier: the platform
  waits until the other process's debit has finished): the price was reserved with the
  attempt, before the call, so the debit is refused and the post is paid;
- the debit holds the subscription row when publishing wants it (forced by polling
  ``pg_stat_activity`` until publishing's backend waits on a lock, no sleeps): publishing
  waits, then finds nothing left, calls no platform and changes nothing.
"""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.context import Ports
from rabbit.application.ports import PublishedPost, PublishRequest
from rabbit.application.shared_services import credits_of
from rabbit.application.system import RabbitSystem
from rabbit.domain.enums import CreditAction, PendingPostStatus
from rabbit.domain.errors import InsufficientCreditsError
from rabbit_local.publisher import RecordingPublisher
from use_cases.app import App
from use_cases.content_support import TOPICS, World, world

from .support import worker

pytestmark = pytest.mark.postgres


async def spend(ports: Ports, organization_id: str, amount: int) -> None:
    async with ports.uow() as uow:
        await credits_of(ports).charge(uow, organization_id, amount, CreditAction.ANALYTICS)
        await uow.commit()


async def one_credit_left(w: World) -> str:
    (pending,) = await w.generate(await w.ready_material(TOPICS[0]))
    await spend(w.app.ports, w.org, await w.credits() - 1)
    return pending.id


async def ledger_balances(w: World) -> bool:
    balance = await w.app.billing.balance(w.owner, w.org)
    period = await w.app.billing.ledger(w.owner, w.org, current_period_only=True)
    return balance.credits_total - balance.credits_used == sum(row.amount for row in period)


async def test_a_debit_from_another_process_during_the_platform_call_is_refused(
    pg_app: App, pg_engine: AsyncEngine, second_engine: AsyncEngine
) -> None:
    w = await world(pg_app)
    pending_id = await one_credit_left(w)
    other = worker(pg_app.ports, second_engine, "other")
    outcome: list[BaseException | None] = []

    class Barrier(RecordingPublisher):
        """The platform answers only once the other process's debit is over."""

        async def publish(self, request: PublishRequest) -> PublishedPost:
            try:
                await spend(other, w.org, 1)
                outcome.append(None)
            except InsufficientCreditsError as exc:
                outcome.append(exc)
            return await super().publish(request)

    platform = Barrier()
    publisher = worker(pg_app.ports, pg_engine, "publisher", publisher=platform)
    await RabbitSystem(publisher).publishing.publish_due(pg_app.clock.now())

    assert len(outcome) == 1
    assert isinstance(outcome[0], InsufficientCreditsError)
    async with pg_app.ports.uow() as uow:
        stored = await uow.pending_posts.get(w.org, pending_id)
        posts = await uow.posts.find(w.org)
    assert stored is not None
    assert stored.status is PendingPostStatus.PUBLISHED
    assert stored.review_notes is None  # no "not charged" note
    assert len(posts) == len(platform.published) == 1
    ledger = await pg_app.billing.ledger(w.owner, w.org)
    assert [t.amount for t in ledger if t.action is CreditAction.PUBLISH] == [-1]
    assert await w.credits() == 0
    assert await ledger_balances(w)


async def wait_for_a_lock_wait(engine: AsyncEngine, database_pids: set[int]) -> None:
    """Poll until a backend other than ``database_pids`` waits on a lock."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database() "
        "AND NOT (pid = ANY(:pids))"
    )
    async with asyncio.timeout(30), engine.connect() as connection:
        while not await connection.scalar(query, {"pids": list(database_pids)}):
            await connection.rollback()


async def test_publishing_that_waits_for_a_debit_holding_the_subscription_publishes_nothing(
    pg_app: App, pg_engine: AsyncEngine, second_engine: AsyncEngine
) -> None:
    w = await world(pg_app)
    pending_id = await one_credit_left(w)
    other = worker(pg_app.ports, second_engine, "other")
    platform = RecordingPublisher()
    publisher = worker(pg_app.ports, pg_engine, "publisher", publisher=platform)

    async with other.uow() as uow:  # the debit holds the subscription row ...
        subscription = await uow.subscriptions.get(w.org, for_update=True)
        assert subscription is not None
        pid = await uow._session.backend_pid()  # type: ignore[attr-defined]
        publishing = asyncio.create_task(
            RabbitSystem(publisher).publishing.publish_due(pg_app.clock.now())
        )
        await wait_for_a_lock_wait(second_engine, {pid})  # ... while publishing waits for it
        await credits_of(other).charge(uow, w.org, 1, CreditAction.ANALYTICS)
        await uow.commit()
    report = await publishing

    assert report.no_credits == 1
    assert platform.calls == 0
    async with pg_app.ports.uow() as uow:
        stored = await uow.pending_posts.get(w.org, pending_id)
        assert stored is not None
        tries = await uow.publish_attempts.list_for(w.org, pending_id, stored.platforms[0])
    assert tries == []
    assert stored is not None
    assert stored.status is PendingPostStatus.AUTO_APPROVED
    assert stored.publish_credits == 0
    assert await w.credits() == 0
    assert await ledger_balances(w)
