"""Load: 8 autopilot workers and 8 readers at once for RABBIT_LOAD_SECONDS (default 60).

Four organisations (ENTERPRISE credits, a brand, accounts on X and LinkedIn, a dozen ready
materials, a twice-daily schedule on both platforms) on the Postgres test database. Each
tick worker advances the shared fake clock by 30 minutes and ticks, so schedules keep
falling due and posts keep being published; each reader loops over the dashboard, the
analytics, the lists, the balance and the ledger. Afterwards: no worker saw an error (a
deadlock would be one), work was done, and the invariants hold: the ledger balances, one
post per (pending post, platform), credits never negative, and the platform was called
exactly once per publish attempt, counted per idempotency key at the platform (not from the
deduplicated posts it holds, which would hide a second call under the same key).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.ports import PublishedPost, PublishRequest
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.autopilot import Autopilot
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.domain.enums import ScheduleFrequency, SubscriptionTier
from rabbit_local.publisher import RecordingPublisher
from rabbit_postgres.schema import credit_transactions, posts, publish_attempts, subscriptions
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory
from support.postgres import truncate_all
from use_cases.app import build_app
from use_cases.content_support import LI, TOPICS, World, X, world

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SECONDS = float(os.environ.get("RABBIT_LOAD_SECONDS", "60"))
WORKERS = 8
READERS = 8
ORGANISATIONS = 4


class CountingPlatform(RecordingPublisher):
    """The recording platform, counting every publish call per idempotency key."""

    def __init__(self) -> None:
        super().__init__()
        self.per_key: Counter[str] = Counter()

    async def publish(self, request: PublishRequest) -> PublishedPost:
        self.per_key[request.idempotency_key] += 1
        return await super().publish(request)


async def prepare(w: World) -> None:
    await w.app.set_tier(w.org, SubscriptionTier.ENTERPRISE)
    w.app.tick()  # the new period starts after the trial's opening row
    await w.app.renew(w.org)
    for topic in TOPICS:
        await w.ready_material(f"{w.org}: {topic}")
    await w.content.schedules.create_schedule(
        w.owner,
        w.org,
        w.brand,
        CreateSchedule(
            platforms=(X, LI),
            frequency=ScheduleFrequency.TWO_PER_DAY,
            times=("09:00", "17:00"),
            days_of_week=(0, 1, 2, 3, 4, 5, 6),
        ),
    )


async def ticker(autopilot: Autopilot, w: World, deadline: float) -> int:
    published = 0
    while time.monotonic() < deadline:
        now = w.app.clock.advance(timedelta(minutes=30))
        published += (await autopilot.tick(now)).published
    return published


async def reader(worlds: list[World], deadline: float, seed: int) -> int:
    rng = random.Random(seed)
    reads = 0
    while time.monotonic() < deadline:
        w = rng.choice(worlds)
        c, app = w.content, w.app
        await c.analytics.dashboard(w.owner, w.org)
        await c.analytics.angle_performance(w.owner, w.org, w.brand)
        await c.analytics.platform_performance(w.owner, w.org)
        await app.brands.list_brands(w.owner, w.org)
        await c.schedules.list_schedules(w.owner, w.org, w.brand)
        await c.review.list_pending(w.owner, w.org)
        await app.social_accounts.list_accounts(w.owner, w.org)
        await app.organizations.list_members(w.owner, w.org)
        await app.billing.balance(w.owner, w.org)
        await app.billing.ledger(w.owner, w.org, current_period_only=True)
        reads += 1
    return reads


async def test_ticks_and_reads_at_once_keep_every_invariant(
    reliability_engine: AsyncEngine,
) -> None:
    platform = CountingPlatform()
    app = build_app(PostgresUnitOfWorkFactory(reliability_engine), publisher=platform)
    await truncate_all(reliability_engine)  # start from an empty store
    worlds = [await world(app, slug=f"load{n}") for n in range(ORGANISATIONS)]
    for w in worlds:
        await prepare(w)

    deadline = time.monotonic() + SECONDS
    jobs = [ticker(RabbitSystem(app.ports).autopilot, worlds[0], deadline) for _ in range(WORKERS)]
    jobs += [reader(worlds, deadline, seed) for seed in range(READERS)]
    async with asyncio.timeout(SECONDS + 120), asyncio.TaskGroup() as group:  # one error
        tasks = [group.create_task(job) for job in jobs]  # cancels the others and fails

    results = [task.result() for task in tasks]
    published, reads = sum(results[:WORKERS]), sum(results[WORKERS:])
    assert published > 0
    assert reads > 0
    async with reliability_engine.connect() as connection:
        doubles = await connection.execute(
            sa.select(posts.c.pending_post_id, posts.c.platform)
            .group_by(posts.c.pending_post_id, posts.c.platform)
            .having(sa.func.count() > 1)
        )
        assert doubles.all() == []
        post_count = await connection.scalar(sa.select(sa.func.count()).select_from(posts))
        s, ledger = subscriptions.c, credit_transactions.c
        period_sum = (
            sa.select(sa.func.coalesce(sa.func.sum(ledger.amount), 0))
            .where(
                ledger.organization_id == s.organization_id,
                ledger.created_at >= s.current_period_start,
            )
            .scalar_subquery()
        )
        unbalanced = await connection.execute(
            sa.select(s.organization_id).where(s.credits_total - s.credits_used != period_sum)
        )
        assert unbalanced.all() == []
        negative = await connection.execute(
            sa.select(s.organization_id).where(s.credits_used > s.credits_total)
        )
        assert negative.all() == []
        attempts = await connection.execute(
            sa.select(publish_attempts.c.idempotency_key, sa.func.count()).group_by(
                publish_attempts.c.idempotency_key
            )
        )
        attempts_per_key: Counter[str] = Counter(dict(attempts.all()))
    assert post_count == published
    assert len(platform.published) == post_count
    assert platform.per_key == attempts_per_key  # one platform call per attempt, per key
