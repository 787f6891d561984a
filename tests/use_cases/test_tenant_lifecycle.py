"""A deleted organisation's work stops; restore resumes it (ADR 0014); a slot in flight
re-reads, locked, whatever changed while the models wrote.

docs/behaviour.md#tenant-lifecycle: while an organisation is deleted (before purge or restore),
nothing works on its behalf: no schedule is claimed, nothing is generated, published,
charged or expired for it; restore resumes where it stopped. Publication (``list_due``)
belongs to the publishing work and is not tested here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from rabbit.application.ports import GeneratedContent, GenerationRequest
from rabbit.application.use_cases.brands import UpdateBrand
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.application.use_cases.slot_claims import claim_next_due
from rabbit.domain.enums import PendingPostStatus
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import PendingPost

from .app import App
from .content_support import TOPICS, World, X, world

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
TEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # the first slot of a 10:00 schedule


async def daily(w: World, time: str = "10:00") -> str:
    created = await w.content.schedules.create_schedule(
        w.owner,
        w.org,
        w.brand,
        CreateSchedule(platforms=(X,), times=(time,), days_of_week=EVERY_DAY),
    )
    return created.id


async def pending_posts(w: World) -> list[PendingPost]:
    async with w.app.ports.uow() as uow:
        return await uow.pending_posts.find(w.org)


async def remaining(w: World) -> tuple[int, int]:
    """Credits left and ledger rows, read past the use cases (which refuse a deleted
    organisation)."""
    async with w.app.ports.uow() as uow:
        subscription = await uow.subscriptions.get(w.org)
        assert subscription is not None
        rows = await uow.ledger.find(w.org)
    return subscription.credits_total - subscription.credits_used, len(rows)


async def next_run(w: World, schedule_id: str) -> datetime | None:
    async with w.app.ports.uow() as uow:
        schedule = await uow.schedules.get(w.org, schedule_id)
    assert schedule is not None
    return schedule.next_run_at


# a deleted organisation -------------------------------------------------------------------


async def test_no_schedule_of_a_deleted_organisation_is_claimed_generated_or_charged(
    app: App,
) -> None:
    gone = await world(app, slug="gone")
    live = await world(app, slug="live")
    for w in (gone, live):
        await w.ready_material(TOPICS[0])
        await daily(w)
    await app.organizations.delete_organization(gone.owner, gone.org)
    credits = await remaining(gone)
    app.clock.set(TEN + timedelta(minutes=1))

    report = await live.content.autopilot.tick(TEN + timedelta(minutes=1))

    assert (report.schedules_run, report.posts_generated) == (1, 1)  # the live one only
    assert await pending_posts(gone) == []
    assert await remaining(gone) == credits
    assert len(await pending_posts(live)) == 1
    async with app.ports.uow() as uow:  # nothing of it due, even days later
        due = await uow.schedules.claim_due(TEN + timedelta(days=20), limit=10)
    assert [s.organization_id for s in due] == [live.org]


async def test_a_schedule_of_a_deleted_organisation_is_skipped_by_the_claim_itself(
    app: App,
) -> None:
    """The claim skips it even when its schedule row still looks due (a schedule resumed
    while the organisation was being deleted): the store's own guard, not only the park."""
    w = await world(app)
    schedule_id = await daily(w)
    await app.organizations.delete_organization(w.owner, w.org)
    async with app.ports.uow() as uow:  # what a racing resume could leave behind
        schedule = await uow.schedules.get(w.org, schedule_id, for_update=True)
        assert schedule is not None
        schedule.next_run_at = TEN
        await uow.schedules.update(schedule)
        await uow.commit()
    async with app.ports.uow() as uow:
        assert await uow.schedules.claim_due(TEN + timedelta(hours=1), limit=10) == []
        assert await claim_next_due(uow, TEN, hold=timedelta(minutes=10)) is None


async def test_nothing_expires_for_a_deleted_organisation(app: App) -> None:
    w = await world(app, auto_approve=False)
    (pending,) = await w.generate(await w.ready_material(TOPICS[0]))
    assert pending.expires_at is not None
    await app.organizations.delete_organization(w.owner, w.org)
    later = pending.expires_at + timedelta(days=3)

    assert await w.content.expiry.expire_stale(later) == 0
    async with app.ports.uow() as uow:
        assert await uow.pending_posts.list_expired(later, limit=10) == []
    (stored,) = await pending_posts(w)
    assert stored.status is PendingPostStatus.PENDING


async def test_restore_resumes_at_the_next_slot_and_gives_reviews_their_time_back(
    app: App,
) -> None:
    w = await world(app, auto_approve=False)
    schedule_id = await daily(w)
    (waiting,) = await w.generate(await w.ready_material(TOPICS[0]))
    assert waiting.expires_at is not None
    deleted_at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    app.clock.set(deleted_at)
    left = waiting.expires_at - deleted_at  # review time left when deleted
    await app.organizations.delete_organization(w.owner, w.org)
    assert await next_run(w, schedule_id) is None  # parked

    restored_at = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)  # five days on
    app.clock.set(restored_at)
    await app.organizations.restore_organization(w.owner, w.org)

    assert await next_run(w, schedule_id) == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)
    (stored,) = await pending_posts(w)
    assert stored.status is PendingPostStatus.PENDING
    assert stored.expires_at == restored_at + left
    report = await w.content.autopilot.tick(restored_at)
    assert (report.schedules_run, report.expired) == (0, 0)  # the missed slots are not run
    report = await w.content.autopilot.tick(datetime(2026, 3, 8, 10, 0, tzinfo=UTC))
    assert report.schedules_run == 1  # its next slot runs
    assert await w.content.expiry.expire_stale(restored_at + left) == 1


async def test_restore_lets_a_review_window_that_had_passed_before_the_delete_expire(
    app: App,
) -> None:
    w = await world(app, auto_approve=False)
    (overdue,) = await w.generate(await w.ready_material(TOPICS[0]))
    assert overdue.expires_at is not None
    app.clock.set(overdue.expires_at + timedelta(hours=1))  # no tick ran since it passed
    await app.organizations.delete_organization(w.owner, w.org)
    restored_at = app.clock.advance(timedelta(days=2))
    await app.organizations.restore_organization(w.owner, w.org)
    (stored,) = await pending_posts(w)
    assert stored.expires_at == overdue.expires_at
    assert await w.content.expiry.expire_stale(restored_at) == 1


# a slot in flight: re-read, locked, before the write ---------------------------------------


async def run_slot_while(
    app: App, w: World, meanwhile: Callable[[GenerationRequest], Awaitable[None]]
) -> tuple[int, int, int]:
    """Tick the 10:00 slot while ``meanwhile`` runs inside the content generator's first
    call (given its request); (schedules run, posts generated, slots skipped)."""
    original = app.ports.generator.generate
    done = False

    async def changing_meanwhile(request: GenerationRequest) -> GeneratedContent:
        nonlocal done
        if not done:
            done = True
            await meanwhile(request)
        return await original(request)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app.ports.generator, "generate", changing_meanwhile)
        now = TEN + timedelta(minutes=1)
        app.clock.set(now)
        report = await asyncio.wait_for(w.content.autopilot.tick(now), timeout=60)
    return report.schedules_run, report.posts_generated, report.slots_skipped


async def test_a_material_archived_while_the_autopilot_writes_it_gives_nothing(
    app: App,
) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    schedule_id = await daily(w)
    credits = await remaining(w)

    async def archive(_: GenerationRequest) -> None:
        await w.content.materials.archive_material(w.owner, w.org, material.id)

    assert await run_slot_while(app, w, archive) == (1, 0, 1)
    assert await pending_posts(w) == []
    assert await remaining(w) == credits
    assert await next_run(w, schedule_id) == TEN + timedelta(days=1)  # the slot advanced


async def test_a_material_deleted_while_the_autopilot_writes_it_gives_nothing(
    app: App,
) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    await daily(w)
    credits = await remaining(w)

    async def delete(_: GenerationRequest) -> None:
        # no use case deletes a material yet: the row, directly
        async with app.ports.uow() as uow:
            stored = await uow.materials.get(w.org, material.id, for_update=True)
            assert stored is not None
            stored.deleted_at = app.clock.now()
            await uow.materials.update(stored)
            await uow.commit()

    assert await run_slot_while(app, w, delete) == (1, 0, 1)
    assert await pending_posts(w) == []
    assert await remaining(w) == credits


async def test_the_next_candidate_is_written_when_the_first_is_archived_meanwhile(
    app: App,
) -> None:
    w = await world(app)
    first = await w.ready_material(TOPICS[0])
    second = await w.ready_material(TOPICS[1])
    await daily(w)

    drafted_first: list[str] = []

    async def archive_the_candidate(request: GenerationRequest) -> None:
        drafted_first.append(request.material.id)
        await w.content.materials.archive_material(w.owner, w.org, request.material.id)

    runs, generated, skipped = await run_slot_while(app, w, archive_the_candidate)
    posts = await pending_posts(w)
    assert (runs, generated, skipped) == (1, 1, 0)
    assert len(posts) == 1
    (archived,) = drafted_first
    assert {archived, posts[0].material_id} == {first.id, second.id}


async def test_a_brand_deleted_while_the_autopilot_writes_gives_nothing(app: App) -> None:
    w = await world(app)
    await w.ready_material(TOPICS[0])
    await daily(w)
    credits = await remaining(w)

    async def delete(_: GenerationRequest) -> None:
        await app.brands.delete_brand(w.owner, w.org, w.brand)

    assert await run_slot_while(app, w, delete) == (1, 0, 1)
    assert await pending_posts(w) == []
    assert await remaining(w) == credits


async def test_auto_approval_turned_off_while_the_autopilot_writes_is_honoured(
    app: App,
) -> None:
    w = await world(app)
    await w.ready_material(TOPICS[0])
    await daily(w)

    async def ask_for_review(_: GenerationRequest) -> None:
        await app.brands.update_brand(w.owner, w.org, w.brand, UpdateBrand(auto_approve=False))

    assert await run_slot_while(app, w, ask_for_review) == (1, 1, 0)
    (pending,) = await pending_posts(w)
    assert pending.status is PendingPostStatus.PENDING


async def test_an_organisation_deleted_while_the_autopilot_writes_gets_nothing(
    app: App,
) -> None:
    w = await world(app)
    await w.ready_material(TOPICS[0])
    schedule_id = await daily(w)
    credits = await remaining(w)

    async def delete(_: GenerationRequest) -> None:
        await app.organizations.delete_organization(w.owner, w.org)

    assert await run_slot_while(app, w, delete) == (1, 0, 1)
    assert await pending_posts(w) == []
    assert await remaining(w) == credits
    assert await next_run(w, schedule_id) is None  # still parked: the worker wrote nothing


async def test_an_organisation_deleted_while_a_manual_generation_writes_gets_nothing(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    original = app.ports.generator.generate

    async def deleting_meanwhile(request: GenerationRequest) -> GeneratedContent:
        await app.organizations.delete_organization(w.owner, w.org)
        return await original(request)

    monkeypatch.setattr(app.ports.generator, "generate", deleting_meanwhile)
    credits = await remaining(w)

    with pytest.raises(NotFoundError) as refused:
        await asyncio.wait_for(w.generate(material), timeout=60)

    assert refused.value.entity == "organization"
    assert await pending_posts(w) == []
    assert await remaining(w) == credits
