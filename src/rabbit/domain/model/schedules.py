"""Autopilot schedules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rabbit.domain.enums import MaterialStrategy, ScheduleFrequency, SocialPlatform
from rabbit.domain.errors import ValidationError
from rabbit.domain.policies.scheduling import next_run_at, validate_schedule


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

    @classmethod
    def planned(
        cls,
        *,
        id: str,
        organization_id: str,
        brand_profile_id: str,
        settings: Mapping[str, Any],
        now: datetime,
    ) -> Schedule:
        """A new active schedule with its ``settings`` (name → value; a setting left out
        takes its default), checked, and due at its first slot after ``now``."""
        _check_editable(settings)
        schedule = cls(
            id=id,
            organization_id=organization_id,
            brand_profile_id=brand_profile_id,
            created_at=now,
            updated_at=now,
            **settings,
        )
        schedule.validate()
        schedule.advance_past(now)
        return schedule

    def validate(self) -> None:
        """Raise ValidationError unless its times, timezone, days and platforms make a
        schedule (:func:`~rabbit.domain.policies.scheduling.validate_schedule`)."""
        validate_schedule(
            self.frequency, self.times, self.timezone, self.days_of_week, self.platforms
        )

    def edit(self, changes: Mapping[str, Any], now: datetime) -> None:
        """Take the edited settings (name → value; a field left out stays as it is), check
        the result, and run next at the first slot after ``now`` (none that passed while it
        was edited)."""
        _check_editable(changes)
        for name, value in changes.items():
            setattr(self, name, value)
        self.validate()
        self.advance_past(now)

    def pause(self, now: datetime) -> None:
        """Inactive: no slot of it is claimed until it is resumed."""
        self.is_active = False
        self.updated_at = now

    def resume(self, now: datetime) -> None:
        """Active again, next at the first slot after ``now`` (missed slots are not run)."""
        self.is_active = True
        self.advance_past(now)

    def park(self, now: datetime) -> None:
        """Out of the due index (``next_run_at`` None): its organisation was deleted, and
        any slot a worker holds is lost (ADR 0014); :meth:`advance_past` brings it back."""
        self.next_run_at = None
        self.updated_at = now

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


_FIXED_SCHEDULE_FIELDS = frozenset(
    {
        "id",
        "organization_id",
        "brand_profile_id",
        "is_active",
        "next_run_at",
        "created_at",
        "updated_at",
    }
)


def _check_editable(settings: Mapping[str, Any]) -> None:
    """ValidationError naming a field of ``settings`` that only the schedule itself
    sets (its identity, state and timestamps)."""
    for name in _FIXED_SCHEDULE_FIELDS.intersection(settings):
        raise ValidationError(name, "is not an editable field of a schedule")
