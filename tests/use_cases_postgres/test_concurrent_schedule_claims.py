"""Schedule claims with concurrent workers on Postgres: every due slot runs exactly once.

Workers on two engines claim at the same instant. A claim locks one due schedule (skipping
the rows other workers hold) and advances it; the slot and its pending posts commit
together. However the workers interleave, each (schedule, slot) is claimed once and gets
exactly one pending post, and a repeat at the same instant claims nothing.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.context import Ports
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.application.use_cases.slot_claims import claim_next_due, finish_claim
from rabbit.domain.enums import ScheduleFrequency
from use_cases.app import App
from use_cases.content_support import TOPICS, World, X, world

from .support import worker

pytestmark = pytest.mark.postgres

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # the app's clock starts at 09:00
Claim = tuple[str, datetime]


async def schedules(w: World, count: int, times: tuple[str, ...] = ("10:00",)) -> list[str]:
    created = []
    for n in range(count):
        schedule = await w.content.schedules.create_schedule(
            w.owner,
            w.org,
            w.brand,
            CreateSchedule(
                platforms=(X,),
                frequency=ScheduleFrequency.ONE_PER_DAY,
                times=(times[n % len(times)],),
                days_of_week=EVERY_DAY,
            ),
        )
        created.append(schedule.id)
    return created


def workers(app: App, first: AsyncEngine, second: AsyncEngine, count: int = 6) -> list[Ports]:
    engines = [first, second] * (count // 2)
    return [worker(app.ports, engine, f"w{n}") for n, engine in enumerate(engines)]


async def claim_all(ports: Ports, now: datetime) -> list[Claim]:
    """One worker claiming due slots until none is left, one unit of work per claim."""
    claims = []
    while True:
        async with ports.uow() as uow:
            claim = await claim_next_due(uow, now, hold=ports.config.slot_hold)
            if claim is None:
                return claims
            await uow.commit()
        async with ports.uow() as uow:  # the slot's work would happen here
            assert await finish_claim(uow, claim, now) is not None
            await uow.commit()
        claims.append((claim.schedule.id, claim.slot))


async def claim_round(pool: list[Ports], now: datetime) -> tuple[Counter[Claim], int]:
    """Every claim of the round, and how many workers claimed something."""
    results = await asyncio.gather(*(claim_all(ports, now) for ports in pool))
    return Counter(claim for claims in results for claim in claims), sum(map(bool, results))


async def test_concurrent_claims_take_every_due_slot_exactly_once(
    pg_app: App, pg_engine: AsyncEngine, second_engine: AsyncEngine
) -> None:
    app = pg_app
    ids: list[str] = []
    for slug in ("north", "south"):
        ids += await schedules(await world(app, slug=slug), 30, ("09:30", "10:00"))
    pool = workers(app, pg_engine, second_engine, 8)

    first, busy = await claim_round(pool, MONDAY_10)
    again, _ = await claim_round(pool, MONDAY_10)
    next_day, _ = await claim_round(pool, MONDAY_10 + timedelta(days=1))

    slots = {n % 2: MONDAY_10 - timedelta(minutes=30 * (1 - n % 2)) for n in range(2)}
    assert first == Counter({(s, slots[n % 2]): 1 for n, s in enumerate(ids)})
    assert busy > 1  # the workers did share the round
    assert again == Counter()
    assert next_day == Counter(
        {(s, slots[n % 2] + timedelta(days=1)): 1 for n, s in enumerate(ids)}
    )


async def test_concurrent_ticks_create_one_pending_post_per_schedule_slot(
    pg_app: App, pg_engine: AsyncEngine, second_engine: AsyncEngine
) -> None:
    app = pg_app
    organisations = []
    expected: set[Claim] = set()
    for slug in ("east", "west"):
        w = await world(app, slug=slug)
        for topic in TOPICS:
            await w.ready_material(topic)
        organisations.append(w)
        ids = await schedules(w, 5)
        expected |= {(s, MONDAY_10 + timedelta(days=d)) for s in ids for d in (0, 1)}
    pool = workers(app, pg_engine, second_engine)

    for now in (MONDAY_10, MONDAY_10, MONDAY_10 + timedelta(days=1)):
        app.clock.set(now)
        await asyncio.gather(*(RabbitSystem(ports).autopilot.tick(now) for ports in pool))

    per_slot: Counter[Claim] = Counter()
    for w in organisations:
        async with app.ports.uow() as uow:
            for pending in await uow.pending_posts.find(w.org):
                assert pending.schedule_id is not None
                assert pending.scheduled_for is not None
                per_slot[(pending.schedule_id, pending.scheduled_for)] += 1
    assert per_slot == Counter(dict.fromkeys(expected, 1))
