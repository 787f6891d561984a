"""The tick's hot queries use their partial indexes, shown with EXPLAIN (not guessed).

With thousands of rows, almost all of them outside the predicate (published or failed
posts, paused schedules), and the tables analysed, the statements the repositories
actually send for ``pending_posts.list_due``, ``schedules.claim_due`` and
``pending_posts.list_expired`` (captured from the SQL log, with their parameters) are
planned on the partial indexes ``pending_posts(scheduled_for) WHERE status IN
('AUTO_APPROVED', 'APPROVED')``, ``schedules(next_run_at) WHERE is_active`` and
``pending_posts(expires_at) WHERE status = 'PENDING'``; the claim and the expiry check the
organisation is live through its primary key (ADR 0014). A deleted organisation's schedules
are parked out of the claim's index range: the claim does not walk past them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.ports import UnitOfWork
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.domain.enums import PendingPostStatus, ScheduleFrequency
from rabbit_postgres.schema import pending_posts, schedules
from support.postgres import sent_sql
from use_cases.app import App
from use_cases.content_support import TOPICS, X, world

pytestmark = pytest.mark.postgres

ROWS = 5000
series = sa.func.generate_series(1, ROWS).table_valued("n").render_derived(name="series")


def copies(table: sa.Table, source_id: str, **overrides: Any) -> sa.Insert:
    """INSERT … SELECT of ROWS copies of one row (ids ``copy-<n>``), columns overridden
    by expressions over ``series.c.n``."""
    values = {column.name: column for column in table.c}
    values.update(overrides, id=sa.literal("copy-") + sa.cast(series.c.n, sa.Text))
    select = (
        sa.select(*values.values())
        .select_from(table.join(series, sa.true()))
        .where(table.c.id == source_id)
    )
    return sa.insert(table).from_select(list(values), select)


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


async def partial_index(engine: AsyncEngine, table: str, predicate: str) -> str:
    """The name of ``table``'s partial index whose predicate mentions ``predicate``."""
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t"),
                {"t": table},
            )
        ).all()
    (name,) = [
        row.indexname for row in rows if "WHERE" in row.indexdef and predicate in row.indexdef
    ]
    return str(name)


async def explained(
    engine: AsyncEngine,
    call: Callable[[UnitOfWork], Awaitable[object]],
    app: App,
    *,
    analyze: bool = False,
) -> dict[str, Any]:
    """The plan of the one statement ``call`` sends (captured, then EXPLAINed with its own
    parameters; with ``analyze`` run too, in a transaction rolled back)."""
    async with app.ports.uow() as uow:
        with sent_sql() as sent:
            await call(uow)
    ((statement, params),) = sent
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    async with engine.connect() as connection:
        raw = await connection.exec_driver_sql(f"EXPLAIN ({options}) {statement}", tuple(params))
        document = raw.scalar_one()
        await connection.rollback()
    plan: dict[str, Any] = (document if isinstance(document, list) else json.loads(document))[0][
        "Plan"
    ]
    return plan


async def planned_indexes(
    engine: AsyncEngine, call: Callable[[UnitOfWork], Awaitable[object]], app: App
) -> set[str]:
    """The indexes in the plan of the one statement ``call`` sends."""
    plan = await explained(engine, call, app)
    return {node["Index Name"] for node in nodes(plan) if "Index Name" in node}


async def test_due_posts_and_due_schedules_are_read_through_their_partial_indexes(
    pg_app: App, pg_engine: AsyncEngine
) -> None:
    app = pg_app
    w = await world(app)
    (pending,) = await w.generate(await w.ready_material(TOPICS[0]))
    schedule = await w.content.schedules.create_schedule(
        w.owner,
        w.org,
        w.brand,
        CreateSchedule(platforms=(X,), frequency=ScheduleFrequency.ONE_PER_DAY, times=("10:00",)),
    )
    minutes = series.c.n * sa.text("interval '1 minute'")
    copies_of_pending = copies(
        pending_posts,
        pending.id,
        status=sa.case(
            (series.c.n % 100 == 0, "AUTO_APPROVED"),
            (series.c.n % 2 == 0, "PUBLISHED"),
            else_="FAILED",
        ).cast(pending_posts.c.status.type),
        scheduled_for=pending_posts.c.scheduled_for + minutes,
        embedding_id=sa.null(),
    )
    copies_of_schedule = copies(
        schedules,
        schedule.id,
        is_active=series.c.n % 100 == 0,
        next_run_at=schedules.c.next_run_at + minutes,
    )
    async with pg_engine.begin() as connection:
        # copies of the two rows, nearly all outside the partial indexes' predicates
        await connection.execute(copies_of_pending)
        await connection.execute(copies_of_schedule)
        await connection.execute(sa.text("ANALYZE pending_posts"))
        await connection.execute(sa.text("ANALYZE schedules"))
    now = app.clock.now() + timedelta(days=2)
    due_posts_index = await partial_index(pg_engine, "pending_posts", "AUTO_APPROVED")
    due_schedules_index = await partial_index(pg_engine, "schedules", "is_active")

    listing = await planned_indexes(
        pg_engine, lambda uow: uow.pending_posts.list_due(now, limit=100), app
    )
    claiming = await planned_indexes(
        pg_engine, lambda uow: uow.schedules.claim_due(now, limit=1), app
    )

    assert due_posts_index in listing
    assert due_schedules_index in claiming


async def test_the_expiry_reads_through_its_partial_index_and_the_organisations_key(
    pg_app: App, pg_engine: AsyncEngine
) -> None:
    app = pg_app
    w = await world(app, auto_approve=False)
    (pending,) = await w.generate(await w.ready_material(TOPICS[0]))
    assert pending.status is PendingPostStatus.PENDING
    minutes = series.c.n * sa.text("interval '1 minute'")
    async with pg_engine.begin() as connection:
        await connection.execute(
            copies(
                pending_posts,
                pending.id,
                status=sa.case(
                    (series.c.n % 100 == 0, "PENDING"),
                    (series.c.n % 2 == 0, "PUBLISHED"),
                    else_="REJECTED",
                ).cast(pending_posts.c.status.type),
                expires_at=pending_posts.c.expires_at + minutes,
                embedding_id=sa.null(),
            )
        )
        await connection.execute(sa.text("ANALYZE pending_posts"))
        await connection.execute(sa.text("ANALYZE organizations"))
    now = app.clock.now() + timedelta(days=2)
    expiry_index = await partial_index(pg_engine, "pending_posts", "'PENDING'")

    expiring = await planned_indexes(
        pg_engine, lambda uow: uow.pending_posts.list_expired(now, limit=100), app
    )

    assert expiry_index in expiring


async def test_the_claim_does_not_walk_past_a_deleted_organisations_schedules(
    pg_app: App, pg_engine: AsyncEngine
) -> None:
    """Thousands of due schedules of a deleted organisation, oldest first in the index: the
    claim of the live organisation's one due schedule reads one index entry, not thousands
    (deleting the organisation parked them: next_run_at null, outside the range scanned)."""
    app = pg_app
    gone = await world(app, slug="gone")
    live = await world(app, slug="live")
    command = CreateSchedule(
        platforms=(X,), frequency=ScheduleFrequency.ONE_PER_DAY, times=("10:00",)
    )
    template = await gone.content.schedules.create_schedule(
        gone.owner, gone.org, gone.brand, command
    )
    minutes = series.c.n * sa.text("interval '1 minute'")
    async with pg_engine.begin() as connection:  # due long before the live one
        await connection.execute(
            copies(schedules, template.id, next_run_at=schedules.c.next_run_at - minutes)
        )
    await app.organizations.delete_organization(gone.owner, gone.org)
    app.clock.advance(timedelta(minutes=1))
    await live.content.schedules.create_schedule(live.owner, live.org, live.brand, command)
    async with pg_engine.begin() as connection:
        await connection.execute(sa.text("ANALYZE schedules"))
        await connection.execute(sa.text("ANALYZE organizations"))
    now = app.clock.now() + timedelta(days=2)
    due_schedules_index = await partial_index(pg_engine, "schedules", "is_active")

    plan = await explained(
        pg_engine, lambda uow: uow.schedules.claim_due(now, limit=1), app, analyze=True
    )

    scans = [node for node in nodes(plan) if node.get("Index Name") == due_schedules_index]
    assert len(scans) == 1
    assert scans[0]["Actual Rows"] <= 2  # the live schedule (and at most one look ahead)
    assert plan["Actual Rows"] == 1
