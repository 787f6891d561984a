"""Schedules: validation naming the field, next_run_at from the clock, pause/resume, claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rabbit.application.use_cases.schedules import CreateSchedule, UpdateSchedule
from rabbit.application.use_cases.slot_claims import claim_next_due, finish_claim
from rabbit.domain.enums import MemberRole, ScheduleFrequency, SocialPlatform
from rabbit.domain.errors import NotFoundError, PermissionDeniedError, ValidationError

from .app import App
from .content_support import world

X = SocialPlatform.TWITTER


HOLD = timedelta(minutes=10)


def daily(times: tuple[str, ...] = ("10:00",), **kwargs: object) -> CreateSchedule:
    fields: dict[str, object] = {
        "platforms": (X,),
        "times": times,
        "days_of_week": (0, 1, 2, 3, 4, 5, 6),
    }
    fields.update(kwargs)
    return CreateSchedule(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"times": ("10:00", "10:00"), "frequency": ScheduleFrequency.CUSTOM}, "times"),
        ({"times": ("25:00",)}, "times"),
        ({"times": ("09:00", "17:00")}, "times"),  # 1_per_day needs exactly one
        ({"frequency": ScheduleFrequency.WEEKLY}, "days_of_week"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"days_of_week": (7,)}, "days_of_week"),
        ({"platforms": ()}, "platforms"),
    ],
)
async def test_an_invalid_schedule_names_the_field_and_writes_nothing(
    app: App, kwargs: dict[str, object], field: str
) -> None:
    w = await world(app)
    with pytest.raises(ValidationError) as error:
        await w.content.schedules.create_schedule(w.owner, w.org, w.brand, daily(**kwargs))
    assert error.value.field == field
    assert await w.content.schedules.list_schedules(w.owner, w.org) == []


async def test_next_run_at_is_the_first_local_slot_after_the_clock(app: App) -> None:
    w = await world(app)  # the clock stands at 2026-03-02 09:00 UTC, a Monday
    schedule = await w.content.schedules.create_schedule(
        w.owner, w.org, w.brand, daily(("08:30",), timezone="Europe/Berlin")
    )
    assert schedule.next_run_at == datetime(2026, 3, 3, 7, 30, tzinfo=UTC)


async def test_a_viewer_cannot_create_a_schedule(app: App) -> None:
    w = await world(app)
    viewer = await app.member(w.org, w.owner, MemberRole.VIEWER)
    with pytest.raises(PermissionDeniedError):
        await w.content.schedules.create_schedule(viewer, w.org, w.brand, daily())


async def test_a_schedule_of_an_unknown_brand_is_not_found(app: App) -> None:
    w = await world(app)
    with pytest.raises(NotFoundError):
        await w.content.schedules.create_schedule(w.owner, w.org, "missing", daily())


async def test_update_revalidates_and_recomputes_the_next_run(app: App) -> None:
    w = await world(app)
    schedules = w.content.schedules
    schedule = await schedules.create_schedule(w.owner, w.org, w.brand, daily())
    with pytest.raises(ValidationError) as error:
        await schedules.update_schedule(
            w.owner, w.org, schedule.id, UpdateSchedule(times=("10:00", "11:00"))
        )
    assert error.value.field == "times"
    updated = await schedules.update_schedule(
        w.owner, w.org, schedule.id, UpdateSchedule(times=("09:30",))
    )
    assert updated.next_run_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    (stored,) = await schedules.list_schedules(w.owner, w.org)
    assert stored.times == ("09:30",)


async def test_a_paused_schedule_is_not_claimed_and_resumes_at_the_next_slot(app: App) -> None:
    w = await world(app)
    schedules = w.content.schedules
    schedule = await schedules.create_schedule(w.owner, w.org, w.brand, daily())
    await schedules.pause_schedule(w.owner, w.org, schedule.id)
    later = app.clock.advance(timedelta(days=2))
    async with app.ports.uow() as uow:
        assert await claim_next_due(uow, later, hold=HOLD) is None
    resumed = await schedules.resume_schedule(w.owner, w.org, schedule.id)
    assert resumed.is_active
    assert resumed.next_run_at == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


async def test_a_claim_holds_the_slot_and_finishing_advances_past_now_once(app: App) -> None:
    w = await world(app)
    schedule = await w.content.schedules.create_schedule(w.owner, w.org, w.brand, daily())
    now = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # two slots were missed
    async with app.ports.uow() as uow:
        claim = await claim_next_due(uow, now, hold=HOLD)
        await uow.commit()
    assert claim is not None
    assert claim.schedule.id == schedule.id
    assert claim.slot == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert claim.held_until == now + HOLD
    async with app.ports.uow() as uow:
        assert await claim_next_due(uow, now, hold=HOLD) is None  # held: not due
        finished = await finish_claim(uow, claim, now)
        await uow.commit()
    assert finished is not None
    assert finished.next_run_at == datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    async with app.ports.uow() as uow:
        assert await claim_next_due(uow, now + HOLD, hold=HOLD) is None
        assert await finish_claim(uow, claim, now) is None  # a claim finishes once


async def test_an_uncommitted_claim_leaves_the_slot_due(app: App) -> None:
    w = await world(app)
    await w.content.schedules.create_schedule(w.owner, w.org, w.brand, daily())
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    async with app.ports.uow() as uow:
        assert await claim_next_due(uow, now, hold=HOLD) is not None
    async with app.ports.uow() as uow:
        assert await claim_next_due(uow, now, hold=HOLD) is not None


async def test_a_slot_whose_worker_died_falls_due_again_when_the_hold_runs_out(
    app: App,
) -> None:
    w = await world(app)
    await w.content.schedules.create_schedule(w.owner, w.org, w.brand, daily())
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    async with app.ports.uow() as uow:
        lost = await claim_next_due(uow, now, hold=HOLD)
        await uow.commit()
    assert lost is not None  # ... and its worker never finishes it
    async with app.ports.uow() as uow:
        assert await claim_next_due(uow, now + HOLD - timedelta(seconds=1), hold=HOLD) is None
        again = await claim_next_due(uow, now + HOLD, hold=HOLD)
        await uow.commit()
    assert again is not None
    async with app.ports.uow() as uow:
        assert await finish_claim(uow, lost, now + HOLD) is None  # the old hold is gone
        assert await finish_claim(uow, again, now + HOLD) is not None


async def test_a_schedule_edited_during_the_hold_keeps_the_edit(app: App) -> None:
    w = await world(app)
    schedules = w.content.schedules
    schedule = await schedules.create_schedule(w.owner, w.org, w.brand, daily())
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    async with app.ports.uow() as uow:
        claim = await claim_next_due(uow, now, hold=HOLD)
        await uow.commit()
    assert claim is not None
    app.clock.set(now)
    await schedules.pause_schedule(w.owner, w.org, schedule.id)
    async with app.ports.uow() as uow:
        assert await finish_claim(uow, claim, now) is None
    (stored,) = await schedules.list_schedules(w.owner, w.org)
    assert not stored.is_active
