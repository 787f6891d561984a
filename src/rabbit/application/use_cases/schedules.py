"""Autopilot schedules: create, update, pause, resume, list.

``next_run_at`` is always the first slot strictly after the clock's now (on create, update
and resume), so a schedule never fires for a slot that passed while it was being edited or
paused. The autopilot claims due slots through :mod:`.slot_claims`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from rabbit.application.authorization import authorize
from rabbit.application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases._lookups import existing_brand
from rabbit.domain import limits
from rabbit.domain.enums import MaterialStrategy, ScheduleFrequency, SocialPlatform
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import Schedule
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.policies.scheduling import parse_days


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

    def changes(self) -> dict[str, Any]:
        """The fields the caller set, as entity attribute values (None left out)."""
        return {
            name: getattr(self, name)
            for name in self.model_fields_set
            if getattr(self, name) is not None
        }


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


class Schedules(UseCases):
    """A brand's schedules (MANAGE_BRANDS to change, VIEW_ANALYTICS to read)."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def create_schedule(
        self, actor_id: str, organization_id: str, brand_id: str, command: CreateSchedule
    ) -> Schedule:
        now = self._clock.now()
        schedule = Schedule.planned(
            id=self._ids.new_id(),
            organization_id=organization_id,
            brand_profile_id=brand_id,
            settings={k: v for k, v in command.model_dump().items() if v is not None},
            now=now,
        )
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            await existing_brand(uow, organization_id, brand_id)
            await uow.schedules.add(schedule)
            await uow.commit()
        return schedule

    async def update_schedule(
        self, actor_id: str, organization_id: str, schedule_id: str, command: UpdateSchedule
    ) -> Schedule:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            schedule = await _schedule(uow, organization_id, schedule_id, for_update=True)
            schedule.edit(command.changes(), self._clock.now())
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
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            return await uow.schedules.find(organization_id, brand_id=brand_id)

    async def _set_active(
        self, actor_id: str, organization_id: str, schedule_id: str, *, active: bool
    ) -> Schedule:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            schedule = await _schedule(uow, organization_id, schedule_id, for_update=True)
            now = self._clock.now()
            if active:
                schedule.resume(now)
            else:
                schedule.pause(now)
            await uow.schedules.update(schedule)
            await uow.commit()
        return schedule


async def _schedule(
    uow: UnitOfWork, organization_id: str, schedule_id: str, *, for_update: bool = False
) -> Schedule:
    schedule = await uow.schedules.get(organization_id, schedule_id, for_update=for_update)
    if schedule is None:
        raise NotFoundError("schedule", schedule_id)
    return schedule
