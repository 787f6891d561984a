"""Autopilot schedules: create, update, pause, resume, list, and the claim of due slots.

``next_run_at`` is always the first slot strictly after the clock's now (on create, update
and resume), so a schedule never fires for a slot that passed while it was being edited or
paused. Claiming (a system call of the autopilot tick, see :func:`claim_next_due`) locks a
due schedule, skipping rows other workers hold, and advances ``next_run_at`` to the first
slot after ``now``: slots missed while no worker ran are not replayed, the claimed one runs
once.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from rabbit.application.authorization import authorize
from rabbit.application.context import Ports
from rabbit.application.ports import UnitOfWork
from rabbit.application.use_cases._base import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.domain.enums import MaterialStrategy, ScheduleFrequency, SocialPlatform
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import Schedule
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.policies.scheduling import next_run_at, validate_schedule


class _ScheduleFields(Command):
    name: str | None = Field(default=None, max_length=200)
    material_strategy: MaterialStrategy | None = None
    auto_approve: bool | None = None
    unique_per_platform: bool | None = None


class CreateSchedule(_ScheduleFields):
    platforms: tuple[SocialPlatform, ...]
    frequency: ScheduleFrequency = ScheduleFrequency.ONE_PER_DAY
    times: tuple[str, ...]
    timezone: str = "UTC"
    days_of_week: tuple[int, ...] = (1, 2, 3, 4, 5)


class UpdateSchedule(_ScheduleFields):
    platforms: tuple[SocialPlatform, ...] | None = None
    frequency: ScheduleFrequency | None = None
    times: tuple[str, ...] | None = None
    timezone: str | None = None
    days_of_week: tuple[int, ...] | None = None


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
            schedule = await _schedule(uow, organization_id, schedule_id)
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
            schedule = await _schedule(uow, organization_id, schedule_id)
            now = self._ports.clock.now()
            schedule.is_active = active
            if active:
                schedule.next_run_at = next_slot(schedule, now)
            schedule.updated_at = now
            await uow.schedules.update(schedule)
            await uow.commit()
        return schedule


async def claim_next_due(uow: UnitOfWork, now: datetime) -> tuple[Schedule, datetime] | None:
    """Inside the caller's unit of work: lock one due schedule (skipping rows other workers
    hold), advance its ``next_run_at`` past ``now`` and store it. Returns the schedule and
    the claimed slot (its former next_run_at), or None when nothing is due. The claim
    becomes final when the caller commits; a rollback releases the slot for another try."""
    claimed = await uow.schedules.claim_due(now, limit=1)
    if not claimed:
        return None
    schedule = claimed[0]
    slot = schedule.next_run_at
    assert slot is not None  # claim_due returns only schedules with a due next_run_at
    schedule.next_run_at = next_slot(schedule, now)
    schedule.updated_at = now
    await uow.schedules.update(schedule)
    return schedule, slot


async def _schedule(uow: UnitOfWork, organization_id: str, schedule_id: str) -> Schedule:
    schedule = await uow.schedules.get(organization_id, schedule_id)
    if schedule is None:
        raise NotFoundError("schedule", schedule_id)
    return schedule
