"""Autopilot schedules."""

from __future__ import annotations

from datetime import datetime

from rabbit.domain.model import Schedule
from rabbit_postgres.mapping import SCHEDULES
from rabbit_postgres.schema import schedules
from rabbit_postgres.session import PostgresSession


class PostgresScheduleRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, schedule: Schedule) -> None:
        await self._session.insert(SCHEDULES, schedule)

    async def get(self, organization_id: str, schedule_id: str) -> Schedule | None:
        return await self._session.one_where(
            SCHEDULES, ("organization_id", "=", organization_id), ("id", "=", schedule_id)
        )

    async def find(self, organization_id: str, *, brand_id: str | None = None) -> list[Schedule]:
        where = [schedules.c.organization_id == organization_id]
        if brand_id is not None:
            where.append(schedules.c.brand_profile_id == brand_id)
        return await self._session.many(SCHEDULES, *where, order_by=[schedules.c.created_at])

    async def update(self, schedule: Schedule) -> None:
        await self._session.replace(SCHEDULES, schedule)

    async def claim_due(self, now: datetime, *, limit: int) -> list[Schedule]:
        """``FOR UPDATE SKIP LOCKED``: concurrent workers claim disjoint sets."""
        return await self._session.many(
            SCHEDULES,
            schedules.c.is_active,
            schedules.c.next_run_at <= now,
            order_by=[schedules.c.next_run_at],
            limit=limit,
            skip_locked=True,
        )
