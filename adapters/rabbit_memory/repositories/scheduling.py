"""Autopilot schedules."""

from __future__ import annotations

from datetime import datetime

from rabbit.domain.model import Organization, Schedule
from rabbit_memory.repositories._ordering import by_created
from rabbit_memory.session import Session, Table


class MemoryScheduleRepository:
    def __init__(self, session: Session) -> None:
        self._schedules: Table[Schedule] = Table(session, "schedules")
        self._organizations: Table[Organization] = Table(session, "organizations")

    async def add(self, schedule: Schedule) -> None:
        self._schedules.insert(schedule)

    async def get(
        self, organization_id: str, schedule_id: str, *, for_update: bool = False
    ) -> Schedule | None:
        # for_update waits for nothing (units of work run one at a time, ADR 0005): it
        # records the row as held, which update requires (ADR 0012)
        schedule = self._schedules.get(schedule_id)
        if schedule is None or schedule.organization_id != organization_id:
            return None
        return self._schedules.locked(schedule, for_update)

    async def find(self, organization_id: str, *, brand_id: str | None = None) -> list[Schedule]:
        return self._schedules.select(
            lambda s: (
                s.organization_id == organization_id
                and (brand_id is None or s.brand_profile_id == brand_id)
            ),
            order=by_created,
        )

    async def update(self, schedule: Schedule) -> None:
        self._schedules.replace(schedule)

    async def claim_due(self, now: datetime, *, limit: int) -> list[Schedule]:
        """Serialised units of work hold every row they read, so nothing is ever "locked by
        another" here: the claim is simply the due rows (docs/adr/0005) of live
        organisations (ADR 0014)."""
        live = set(self._organizations.ids(lambda o: o.deleted_at is None))
        claimed = self._schedules.select(
            lambda s: (
                s.is_active
                and s.next_run_at is not None
                and s.next_run_at <= now
                and s.organization_id in live
            ),
            order=lambda s: s.next_run_at,
            limit=limit,
        )
        return self._schedules.all_locked(claimed)
