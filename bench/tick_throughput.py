"""Autopilot tick throughput: due schedules handled per second, 1/10/100 due, 1 and 2 workers.

One hundred organisations are set up through the use cases (BUSINESS tier, a brand with
auto-approval, accounts on X and LinkedIn, one daily schedule on X, three READY materials of
distinct text). For each measurement, ``n`` schedules (the next organisations in turn, so
no material is used twice and no generation is skipped as a duplicate) are made due at
``now`` (the set-up writes ``next_run_at`` directly; only the ticks are timed) and the
workers tick at ``now`` until none of them finds work. A handled schedule is the whole
slot: claim, material selection, generation with its dedup search and credit charge, the
pending post, then (in the same tick) its publication with the PUBLISH charge.

Two workers are two concurrent ``Autopilot.tick`` tasks in one process on one engine (they
claim disjoint schedules and posts with SKIP LOCKED).

    uv run python bench/tick_throughput.py
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from itertools import count

import sqlalchemy as sa
from _support import fresh_database, machine, make_app, server, table, unlimited
from _texts import texts
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.autopilot import Autopilot, TickReport
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.domain.enums import ScheduleFrequency
from rabbit_postgres.runtime import new_engine
from rabbit_postgres.schema import schedules
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory
from use_cases.app import App
from use_cases.content_support import World, X, world

ORGANISATIONS = 100
MATERIALS = 3
ROUNDS = {1: 10, 10: 3, 100: 1}
"""Rounds per (due, workers): 2 x (10 + 30 + 100) = 280 slots, under 100 x 3 materials."""


async def setup(app: App) -> list[str]:
    """The organisations' schedule ids."""
    material_texts = iter(texts(ORGANISATIONS * MATERIALS, seed=11))
    ids = []
    for number in range(ORGANISATIONS):
        w: World = await world(app, slug=f"org{number:03d}")
        await unlimited(app, w.owner, w.org)
        for _ in range(MATERIALS):
            await w.ready_material(next(material_texts))
        schedule = await w.content.schedules.create_schedule(
            w.owner,
            w.org,
            w.brand,
            CreateSchedule(
                platforms=(X,),
                frequency=ScheduleFrequency.ONE_PER_DAY,
                times=("08:00",),
                days_of_week=(0, 1, 2, 3, 4, 5, 6),
            ),
        )
        ids.append(schedule.id)
    return ids


async def make_due(engine: AsyncEngine, due: list[str], app: App) -> None:
    now = app.clock.now()
    async with engine.begin() as connection:
        await connection.execute(sa.update(schedules).values(next_run_at=now + timedelta(days=365)))
        await connection.execute(
            sa.update(schedules)
            .where(schedules.c.id.in_(due))
            .values(next_run_at=now - timedelta(minutes=1))
        )


async def worker(autopilot: Autopilot, app: App) -> list[TickReport]:
    reports = []
    while True:
        report = await autopilot.tick(app.clock.now())
        reports.append(report)
        if report.schedules_run == 0 and report.published == 0:
            return reports


async def main() -> None:
    async with server() as server_url:
        url = await fresh_database(server_url, "rabbit_bench_tick")
        engine = new_engine(url)
        app = make_app(PostgresUnitOfWorkFactory(engine))
        started = time.perf_counter()
        schedule_ids = await setup(app)
        print(f"set-up: {ORGANISATIONS} organisations in {time.perf_counter() - started:.0f} s")
        turn = count()
        rows = []
        for workers in (1, 2):
            for due in (1, 10, 100):
                handled = published = 0
                elapsed = 0.0
                for _ in range(ROUNDS[due]):
                    app.tick(3600)
                    chosen = [schedule_ids[next(turn) % ORGANISATIONS] for _ in range(due)]
                    await make_due(engine, chosen, app)
                    pilots = [RabbitSystem(app.ports).autopilot for _ in range(workers)]
                    start = time.perf_counter()
                    results = await asyncio.gather(*(worker(p, app) for p in pilots))
                    elapsed += time.perf_counter() - start
                    reports = [report for reports in results for report in reports]
                    handled += sum(r.schedules_run for r in reports)
                    published += sum(r.published for r in reports)
                    if any(r.slots_skipped or r.failed for r in reports):
                        print(f"warning: skipped or failed slots in {reports}")
                expected = due * ROUNDS[due]
                assert handled == expected, (handled, expected)
                rows.append(
                    (
                        workers,
                        due,
                        ROUNDS[due],
                        handled,
                        published,
                        f"{elapsed / ROUNDS[due] * 1000:.0f}",
                        f"{handled / elapsed:.1f}",
                    )
                )
        about = await machine(engine)
        await engine.dispose()
    print(f"machine: {about}")
    print(
        table(
            (
                "workers",
                "due schedules",
                "rounds",
                "handled",
                "posts published",
                "ms per round",
                "schedules/s",
            ),
            rows,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
