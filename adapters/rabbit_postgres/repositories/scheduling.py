"""Autopilot schedules."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from rabbit.domain.model import Schedule
from rabbit_postgres.mapping import SCHEDULES
from rabbit_postgres.schema import organizations, schedules
from rabbit_postgres.session import Condition, PostgresSession, ascending, by_id, eq
from rabbit_postgres.statements import prepare

#: ``is_active`` is written as a literal (not a parameter) so that the partial index
#: ``schedules(next_run_at) WHERE is_active`` serves every plan, generic ones included.
#: A deleted organisation's schedules are skipped (ADR 0014): a semi-join on the
#: organisations' primary key, which locks nothing there. Deleting an organisation parks its
#: schedules (``next_run_at`` null), so they are not even in the index range this scans.
_CLAIM_DUE = prepare(
    sa.select(*SCHEDULES.columns)
    .where(
        schedules.c.is_active,
        schedules.c.next_run_at <= sa.bindparam("now"),
        sa.exists().where(
            organizations.c.id == schedules.c.organization_id,
            organizations.c.deleted_at.is_(None),
        ),
    )
    .order_by(schedules.c.next_run_at, by_id(schedules.c.id))
    .limit(sa.bindparam("limit", type_=sa.Integer))
    .with_for_update(skip_locked=True, key_share=True, of=schedules)
)


class PostgresScheduleRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, schedule: Schedule) -> None:
        await self._session.insert(SCHEDULES, schedule)

    async def get(
        self, organization_id: str, schedule_id: str, *, for_update: bool = False
    ) -> Schedule | None:
        return await self._session.one_where(
            SCHEDULES,
            eq(schedules.c.organization_id, organization_id),
            eq(schedules.c.id, schedule_id),
            for_update=for_update,
        )

    async def find(self, organization_id: str, *, brand_id: str | None = None) -> list[Schedule]:
        where: list[Condition] = [eq(schedules.c.organization_id, organization_id)]
        if brand_id is not None:
            where.append(eq(schedules.c.brand_profile_id, brand_id))
        return await self._session.many_where(
            SCHEDULES, *where, order_by=(ascending(schedules.c.created_at),)
        )

    async def update(self, schedule: Schedule) -> None:
        await self._session.replace(SCHEDULES, schedule)

    async def claim_due(self, now: datetime, *, limit: int) -> list[Schedule]:
        """``FOR UPDATE SKIP LOCKED``: concurrent workers claim disjoint sets."""
        rows = await self._session.execute(_CLAIM_DUE, {"now": now, "limit": max(limit, 0)})
        claimed = [SCHEDULES.entity_from(row) for row in rows]
        self._session.lock(SCHEDULES.table.name, [schedule.id for schedule in claimed])
        return claimed
