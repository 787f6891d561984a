"""Autopilot schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rabbit.domain.enums import MaterialStrategy, ScheduleFrequency, SocialPlatform
from rabbit.domain.policies.scheduling import next_run_at


@dataclass(kw_only=True, slots=True)
class Schedule:
    """When a brand posts: local times on weekdays (0 = Sunday) in an IANA timezone."""

    id: str
    organization_id: str
    brand_profile_id: str
    name: str | None = None
    platforms: tuple[SocialPlatform, ...] = ()
    frequency: ScheduleFrequency = ScheduleFrequency.ONE_PER_DAY
    times: tuple[str, ...] = ()
    timezone: str = "UTC"
    days_of_week: tuple[int, ...] = (1, 2, 3, 4, 5)
    material_strategy: MaterialStrategy = MaterialStrategy.ROUND_ROBIN
    auto_approve: bool = True
    unique_per_platform: bool = False
    is_active: bool = True
    next_run_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    def next_slot_after(self, after: datetime) -> datetime:
        """The first slot strictly after ``after`` (slots that passed are never replayed)."""
        return next_run_at(after, self.times, self.timezone, self.days_of_week)

    def advance_past(self, now: datetime) -> None:
        """The held slot is done: run next at the first slot after ``now``."""
        self.next_run_at = self.next_slot_after(now)
        self.updated_at = now

    def hold_slot(self, now: datetime, hold: timedelta) -> datetime:
        """A worker claimed the due slot: not due again before ``now + hold`` (the slot hold,
        :data:`~rabbit.domain.policies.scheduling.DEFAULT_SLOT_HOLD`), unless the worker
        advances it first. When the hold ends."""
        self.next_run_at = now + hold
        self.updated_at = now
        return self.next_run_at
