"""Autopilot schedules: create, update, pause, resume, list, and the claim of due slots.

``next_run_at`` is always the first slot strictly after the clock's now (on create, update
and resume), so a schedule never fires for a slot that passed while it was being edited or
paused. Claiming (a system call of the autopilot tick, see :func:`claim_next_due` and
:func:`finish_claim`) locks a due schedule, skipping rows other workers hold, and holds its
slot for a while (``next_run_at`` pushed past the hold) so the models can write the posts
outside any transaction; finishing advances ``next_run_at`` to the first slot after ``now``:
slots missed while no worker ran are not replayed, the claimed one runs once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import Field, field_validator

from rabbit.application.authorization import authorize
from rabbit.application.context import Ports
from rabbit.application.ports import UnitOfWork
from rabbit.application.use_cases._base import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.domain import limits
from rabbit.domain.enums import MaterialStrategy, ScheduleFrequency, SocialPlatform
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import Schedule
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.policies.scheduling import next_run_at, parse_days, validate_schedule


class _ScheduleFields(Command):
    name: str | None = Field(default=None, max_length=limits.MAX_NAME)
    material_strategy: MaterialStrategy | None = None
    auto_approve: bool | None = None
    unique_per_platform: bool | None = None

    @field_validator("days_of_week", check_fields=False)
    @classmethod
    def _weekdays(cls, days: tuple[int, ...] | None) -> tuple[int, ...] | None:
        """Weekdays 0-6 at the door, so an update cannot carry a day past ``integer`` into
        its unit of work (the whole schedule is validated again there)."""
        if days is not None:
            parse_days(days)
        return days


class CreateSchedule(_ScheduleFields):
    platforms: tuple[SocialPlatform, ...] = Field(max_length=limits.MAX_PLATFORMS)
    frequency: ScheduleFrequency = ScheduleFrequency.ONE_PER_DAY
    times: tuple[str, ...] = Field(max_length=limits.MAX_TIMES)
    timezone: str = Field(default="UTC", max_length=limits.MAX_SHORT_TEXT)
    days_of_week: tuple[int, ...] = Field(default=(1, 2, 3, 4, 5), max_length=7)


class UpdateSchedule(_ScheduleFields):
    platforms: tuple[SocialPlatform, ...] | None = Field(
        default=None, max_length=limits.MAX_PLATFORMS
    )
    frequency: ScheduleFrequency | None = None
    times: tuple[str, ...] | None = Field(default=None, max_length=limits.MAX_TIMES)
    timezone: str | None = Field(default=None, max_length=limits.MAX_SHORT_TEXT)
    days_of_week: tuple[int, ...] | None = Field(default=None, max_length=7)


def _validate(schedule: Schedule) -> None:
    validate_schedule(
        schedule.frequency,
        schedule.times,
        schedule.timezone,
        schedule.days_of_week,
        schedule.platforms,
    )


def next_slot(schedule: Schedule, after: datetime) -> datetime:
    """The schedule's first slot strictly after ``after``."""
    return next_run_at(after, schedule.times, schedule.timezone, schedule.days_of_week)


class Schedules(UseCases):
    """A brand's schedules (MANAGE_BRANDS to change, VIEW_ANALYTICS to read)."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports

    async def create_schedule(
        self, actor_id: str, organization_id: str, brand_id: str, command: CreateSchedule
    ) -> Schedule:
        now = self._ports.clock.now()
        fields = {k: v for k, v in command.model_dump().items() if v is not None}
        schedule = Schedule(
            id=self._ports.ids.new_id(),
            organization_id=organization_id,
            brand_profile_id=brand_id,
            created_at=now,
            updated_at=now,
            **fields,
        )
        _validate(schedule)
        schedule.next_run_at = next_slot(schedule, now)
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            if await uow.brands.get(organization_id, brand_id) is None:
                raise NotFoundError("brand_profile", brand_id)
            await uow.schedules.add(schedule)
            await uow.commit()
        return schedule

    async def update_schedule(
        self, actor_id: str, organization_id: str, schedule_id: str, command: UpdateSchedule
    ) -> Schedule:
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            schedule = await _schedule(uow, organization_id, schedule_id, for_update=True)
            for name in command.model_fields_set:
                value = getattr(command, name)
                if value is not None:
                    setattr(schedule, name, value)
            _validate(schedule)
            now = self._ports.clock.now()
            schedule.next_run_at = next_slot(schedule, now)
            schedule.updated_at = now
            await uow.schedules.update(schedule)
            await uow.commit()
        return schedule

    async def pause_schedule(
        self, actor_id: str, organization_id: str, schedule_id: str
    ) -> Schedule:
        return await self._set_active(actor_id, organization_id, schedule_id, active=False)

    async def resume_schedule(
        self, actor_id: str, organization_id: str, schedule_id: str
    ) -> Schedule:
        """Active again; the next run is the first slot after now (missed slots are not run)."""
        return await self._set_active(actor_id, organization_id, schedule_id, active=True)

    async def list_schedules(
        self, actor_id: str, organization_id: str, brand_id: str | None = None
    ) -> list[Schedule]:
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            return await uow.schedules.find(organization_id, brand_id=brand_id)

    async def _set_active(
        self, actor_id: str, organization_id: str, schedule_id: str, *, active: bool
    ) -> Schedule:
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            schedule = await _schedule(uow, organization_id, schedule_id, for_update=True)
            now = self._ports.clock.now()
            schedule.is_active = active
            if active:
                schedule.next_run_at = next_slot(schedule, now)
            schedule.updated_at = now
            await uow.schedules.update(schedule)
            await uow.commit()
        return schedule


@dataclass(frozen=True, slots=True)
class SlotClaim:
    """One worker's hold on one due slot of a schedule (:func:`claim_next_due`)."""

    schedule: Schedule
    """The schedule as claimed (a copy: the stored row may change while it is held)."""
    slot: datetime
    """The claimed slot: the schedule's next_run_at before the claim."""
    held_until: datetime
    """next_run_at while the slot is held; the slot falls due again then."""
    claimed_at: datetime


async def claim_next_due(uow: UnitOfWork, now: datetime, *, hold: timedelta) -> SlotClaim | None:
    """Inside the caller's (short) unit of work: lock one due schedule, skipping rows other
    workers hold, and hold its slot: ``next_run_at`` becomes ``now + hold``, so no other
    worker sees it due while this one calls the models outside any transaction. The caller
    commits, then ends the hold with :func:`finish_claim`; a worker that dies leaves the slot
    due again when the hold runs out. None when nothing is due."""
    claimed = await uow.schedules.claim_due(now, limit=1)
    if not claimed:
        return None
    schedule = claimed[0]
    slot = schedule.next_run_at
    assert slot is not None  # claim_due returns only schedules with a due next_run_at
    held_until = schedule.hold_slot(now, hold)
    await uow.schedules.update(schedule)
    return SlotClaim(replace(schedule), slot, held_until, now)


async def finish_claim(uow: UnitOfWork, claim: SlotClaim, now: datetime) -> Schedule | None:
    """Inside the unit of work that records the slot's outcome: lock the schedule and, if it
    is still held by ``claim``, advance ``next_run_at`` to the first slot after ``now``
    (stored with the caller's commit). None when the hold was lost — the schedule was
    edited, paused or deleted meanwhile, its organisation was deleted, or the hold ran out
    and another worker took the slot: the caller then writes nothing for it.

    The organisation's row is locked first, then the schedule (the rows the caller locks
    come after: ADR 0012, ADR 0014), so a deletion of the organisation either committed
    before (None here) or waits for this unit of work."""
    held = claim.schedule
    if await uow.organizations.get(held.organization_id, for_update=True) is None:
        return None
    schedule = await uow.schedules.get(held.organization_id, held.id, for_update=True)
    if (
        schedule is None
        or not schedule.is_active
        or schedule.next_run_at != claim.held_until
        or schedule.updated_at != claim.claimed_at
    ):
        return None
    schedule.next_run_at = next_slot(schedule, now)
    schedule.updated_at = now
    await uow.schedules.update(schedule)
    return schedule


async def _schedule(
    uow: UnitOfWork, organization_id: str, schedule_id: str, *, for_update: bool = False
) -> Schedule:
    schedule = await uow.schedules.get(organization_id, schedule_id, for_update=for_update)
    if schedule is None:
        raise NotFoundError("schedule", schedule_id)
    return schedule
