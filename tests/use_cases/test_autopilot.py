"""The autopilot tick: a simulated run across a daylight-saving change, idempotence, skips."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rabbit.application.ports import GeneratedContent, GenerationRequest
from rabbit.application.use_cases.brands import UpdateBrand
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.domain.enums import (
    GenerationMode,
    MaterialStrategy,
    PendingPostStatus,
    ScheduleFrequency,
)
from rabbit.domain.model import PendingPost, Post
from rabbit.domain.values import ContentPillar, ContentPillars

from .app import App
from .content_support import TOPICS, World, X, world

NEW_YORK = ZoneInfo("America/New_York")
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


async def schedule(w: World, times: tuple[str, ...], **kwargs: object) -> str:
    frequency = {1: ScheduleFrequency.ONE_PER_DAY, 2: ScheduleFrequency.TWO_PER_DAY}[len(times)]
    created = await w.content.schedules.create_schedule(
        w.owner,
        w.org,
        w.brand,
        CreateSchedule(
            platforms=(X,),
            frequency=frequency,
            times=times,
            days_of_week=EVERY_DAY,
            **kwargs,  # type: ignore[arg-type]
        ),
    )
    return created.id


async def everything(w: World) -> tuple[list[PendingPost], list[Post]]:
    async with w.app.ports.uow() as uow:
        return await uow.pending_posts.find(w.org), await uow.posts.find(w.org)


async def test_a_week_of_ticks_across_the_fall_back_posts_at_the_local_times(app: App) -> None:
    app.clock.set(datetime(2026, 10, 28, 12, 0, tzinfo=UTC))
    w = await world(app)
    await app.top_up(w.org)
    for topic in TOPICS:
        await w.ready_material(topic)
    start = datetime(2026, 10, 29, 0, 0, tzinfo=UTC)
    app.clock.set(start)
    await schedule(w, ("09:00", "17:00"), timezone="America/New_York")
    now = start
    generated = published = 0
    while now < datetime(2026, 11, 4, 0, 0, tzinfo=UTC):  # Thursday to Tuesday
        report = await w.content.autopilot.tick(now)
        generated += report.posts_generated
        published += report.published
        now = app.clock.advance(timedelta(minutes=30))
    pending, posts = await everything(w)
    assert generated == published == len(pending) == len(posts) == 12
    local = sorted(p.scheduled_for.astimezone(NEW_YORK) for p in pending if p.scheduled_for)
    expected = [
        datetime(2026, month, day, hour, 0, tzinfo=NEW_YORK)
        for month, day in ((10, 29), (10, 30), (10, 31), (11, 1), (11, 2), (11, 3))
        for hour in (9, 17)
    ]
    assert local == expected
    utc_hours = {p.scheduled_for.astimezone(UTC).hour for p in pending if p.scheduled_for}
    assert utc_hours == {13, 21, 14, 22}  # EDT before 1 November, EST after
    assert all(p.status is PendingPostStatus.PUBLISHED for p in pending)
    assert all(p.generation_mode is GenerationMode.AUTOPILOT for p in pending)
    assert len({p.material_id for p in pending}) == 12
    assert all(p.published_at is not None for p in posts)


async def test_a_tick_is_idempotent_for_its_instant(app: App) -> None:
    w = await world(app)
    await w.ready_material(TOPICS[0])
    await w.ready_material(TOPICS[1])
    await schedule(w, ("10:00",))
    now = app.clock.advance(timedelta(hours=1))  # 10:00 UTC, Monday
    first = await w.content.autopilot.tick(now)
    assert (first.schedules_run, first.posts_generated, first.published) == (1, 1, 1)
    before = await everything(w)
    credits = await w.credits()
    second = await w.content.autopilot.tick(now)
    assert (second.schedules_run, second.posts_generated, second.published) == (0, 0, 0)
    assert await everything(w) == before
    assert await w.credits() == credits


async def test_a_too_similar_candidate_is_skipped_for_the_next(app: App) -> None:
    w = await world(app)
    pillars = ContentPillars(
        pillars=(
            ContentPillar(name="Core", percentage=100),
            ContentPillar(name="Side", percentage=0),
        )
    )
    await app.brands.update_brand(w.owner, w.org, w.brand, UpdateBrand(content_pillars=pillars))
    core = await w.ready_material(TOPICS[0], pillar="Core")
    side = await w.ready_material(TOPICS[1], pillar="Side")
    await schedule(w, ("10:00",), material_strategy=MaterialStrategy.PILLAR_BALANCED)
    await w.content.autopilot.tick(app.clock.advance(timedelta(hours=1)))
    # "Core" still ranks first (on target, larger target), but its post would repeat itself
    report = await w.content.autopilot.tick(app.clock.advance(timedelta(days=1)))
    assert (report.posts_generated, report.duplicates_skipped) == (1, 1)
    pending, _ = await everything(w)
    assert [p.material_id for p in pending] == [core.id, side.id]


async def test_a_slot_with_only_duplicates_is_skipped_and_the_schedule_advances(
    app: App,
) -> None:
    w = await world(app)
    await w.ready_material(TOPICS[0])
    schedule_id = await schedule(w, ("10:00",))
    await w.content.autopilot.tick(app.clock.advance(timedelta(hours=1)))
    report = await w.content.autopilot.tick(app.clock.advance(timedelta(days=1)))
    assert (report.schedules_run, report.duplicates_skipped, report.slots_skipped) == (1, 1, 1)
    assert report.posts_generated == 0
    (stored,) = await w.content.schedules.list_schedules(w.owner, w.org)
    assert stored.id == schedule_id
    assert stored.next_run_at == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


async def test_posts_awaiting_review_are_not_published_and_expire(app: App) -> None:
    w = await world(app)
    await w.ready_material(TOPICS[0])
    await schedule(w, ("10:00",), auto_approve=False)
    report = await w.content.autopilot.tick(app.clock.advance(timedelta(hours=1)))
    assert (report.posts_generated, report.published) == (1, 0)
    (pending,), _ = await everything(w)
    assert pending.status is PendingPostStatus.PENDING
    assert [n.pending_post_id for n in w.content.notifier.sent] == [pending.id]
    report = await w.content.autopilot.tick(app.clock.advance(timedelta(hours=24)))
    assert report.expired == 1
    (pending, *_), posts = await everything(w)
    assert pending.status is PendingPostStatus.EXPIRED
    assert posts == []


async def test_a_schedule_without_credits_skips_its_slot_and_others_still_run(app: App) -> None:
    poor = await world(app, slug="poor")
    rich = await world(app, slug="rich")
    for w in (poor, rich):
        await w.ready_material(TOPICS[0])
        await schedule(w, ("10:00",))
    async with app.ports.uow() as uow:
        subscription = await uow.subscriptions.get(poor.org, for_update=True)
        assert subscription is not None
        subscription.credits_used = subscription.credits_total
        await uow.subscriptions.update(subscription)
        await uow.commit()
    report = await rich.content.autopilot.tick(app.clock.advance(timedelta(hours=1)))
    assert (report.schedules_run, report.posts_generated, report.slots_skipped) == (2, 1, 1)
    assert (await everything(poor)) == ([], [])
    (stored,) = await poor.content.schedules.list_schedules(poor.owner, poor.org)
    assert stored.next_run_at == datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


async def test_a_schedule_paused_while_the_models_write_its_slot_gets_nothing(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(app)
    await w.ready_material(TOPICS[0])
    schedule_id = await schedule(w, ("10:00",))
    original = app.ports.generator.generate

    async def pausing_meanwhile(request: GenerationRequest) -> GeneratedContent:
        await w.content.schedules.pause_schedule(w.owner, w.org, schedule_id)
        return await original(request)

    monkeypatch.setattr(app.ports.generator, "generate", pausing_meanwhile)
    credits = await w.credits()
    now = datetime(2026, 3, 2, 10, 1, tzinfo=UTC)
    app.clock.set(now)

    report = await asyncio.wait_for(w.content.autopilot.tick(now), timeout=60)

    assert (report.schedules_run, report.posts_generated) == (1, 0)
    assert await everything(w) == ([], [])
    assert await w.credits() == credits
    (paused,) = await w.content.schedules.list_schedules(w.owner, w.org)
    assert not paused.is_active  # the pause stands; the worker wrote nothing for the slot
