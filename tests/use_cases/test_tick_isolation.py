"""One broken adapter call affects only its own item, never the rest of the tick.

Two organisations, each with a due slot or a due post; the adapter breaks (a RuntimeError,
not one of the port's own errors) on the first call of the tick, which is the first
organisation's. The tick goes on with the second organisation, logs the failure with its
ids, and the broken item is retried later (a post after its backoff, a slot when its hold
runs out). Every test runs on both stores.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

import pytest

from rabbit.application.ports import (
    ApprovalRequest,
    GeneratedContent,
    GenerationRequest,
    PublishedPost,
    PublishRequest,
)
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.domain.enums import PendingPostStatus, PublishAttemptStatus, SocialPlatform
from rabbit_local.embedder import HashingEmbedder
from rabbit_local.generator import TemplateContentGenerator
from rabbit_local.notifier import LoggingNotifier
from rabbit_local.publisher import RecordingPublisher

from .app import App
from .content_support import TOPICS, World, X, world
from .test_publishing import attempts, due_post, state


class BrokenAdapterError(RuntimeError):
    """An adapter's unexpected failure."""


class BreakOnce:
    """Armed, the next call raises BrokenAdapterError (then the adapter works again)."""

    def __init__(self) -> None:
        self.armed = False
        self.broke = 0

    def check(self) -> None:
        if self.armed:
            self.armed = False
            self.broke += 1
            raise BrokenAdapterError("the adapter broke")


class BreakingPublisher(RecordingPublisher):
    def __init__(self) -> None:
        super().__init__()
        self.on_publish = BreakOnce()
        self.on_lookup = BreakOnce()

    async def publish(self, request: PublishRequest) -> PublishedPost:
        self.on_publish.check()
        return await super().publish(request)

    async def lookup(
        self, platform: SocialPlatform, account_id: str, idempotency_key: str
    ) -> PublishedPost | None:
        self.on_lookup.check()
        return await super().lookup(platform, account_id, idempotency_key)


class BreakingGenerator(TemplateContentGenerator):
    def __init__(self) -> None:
        super().__init__()
        self.breaker = BreakOnce()

    async def generate(self, request: GenerationRequest) -> GeneratedContent:
        self.breaker.check()
        return await super().generate(request)


class BreakingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.breaker = BreakOnce()

    async def embed(self, texts: Sequence[str]) -> list[tuple[float, ...]]:
        self.breaker.check()
        return await super().embed(texts)


class BreakingNotifier(LoggingNotifier):
    def __init__(self) -> None:
        super().__init__()
        self.breaker = BreakOnce()

    async def approval_requested(self, request: ApprovalRequest) -> None:
        self.breaker.check()
        await super().approval_requested(request)


def replaced(app: App, **ports: object) -> App:
    return App(dataclasses.replace(app.ports, **ports), app.clock)  # type: ignore[arg-type]


async def two_worlds(app: App, *, auto_approve: bool = True) -> tuple[World, World]:
    first = await world(app, slug="first", auto_approve=auto_approve)
    second = await world(app, slug="second", auto_approve=auto_approve)
    return first, second


async def slot(w: World, topic: str) -> datetime:
    """A ready material and a daily 10:00 schedule; when its first slot is due."""
    await w.ready_material(topic)
    schedule = await w.content.schedules.create_schedule(
        w.owner,
        w.org,
        w.brand,
        CreateSchedule(platforms=(X,), times=("10:00",), days_of_week=(0, 1, 2, 3, 4, 5, 6)),
    )
    assert schedule.next_run_at is not None
    return schedule.next_run_at


async def published(w: World) -> int:
    async with w.app.ports.uow() as uow:
        return len(await uow.posts.find(w.org))


async def test_a_publisher_that_breaks_on_one_post_leaves_the_others_published(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    publisher = BreakingPublisher()
    app = replaced(app, publisher=publisher)
    first, second = await two_worlds(app)
    broken = await due_post(first)
    await due_post(second)
    publisher.on_publish.armed = True

    report = await RabbitSystem(app.ports).autopilot.tick(app.clock.now())

    assert publisher.on_publish.broke == 1
    assert (report.published, report.errors) == (1, 1)
    assert (await published(first), await published(second)) == (0, 1)
    assert [a.status for a in await attempts(first, broken.id, X)] == [
        PublishAttemptStatus.UNKNOWN  # the call may have reached the platform: settled later
    ]
    stored, _ = await state(first, broken.id)
    assert stored.publish_after == app.clock.now() + app.ports.config.publish_backoff
    assert broken.id in caplog.text
    assert first.org in caplog.text

    app.tick(int(app.ports.config.publish_backoff.total_seconds()))
    await RabbitSystem(app.ports).autopilot.tick(app.clock.now())
    stored, posts = await state(first, broken.id)
    assert stored.status is PendingPostStatus.PUBLISHED
    assert len(posts) == 1
    assert publisher.lookups == 1  # settled by lookup before the new attempt


async def test_a_lookup_that_breaks_on_one_post_leaves_the_others_published(app: App) -> None:
    publisher = BreakingPublisher()
    app = replaced(app, publisher=publisher)
    first, second = await two_worlds(app)
    unknown = await due_post(first)
    publisher.script("unknown_after_send")
    await RabbitSystem(app.ports).autopilot.tick(app.clock.now())
    await due_post(second)
    app.tick(int(app.ports.config.publish_backoff.total_seconds()))
    publisher.on_lookup.armed = True

    report = await RabbitSystem(app.ports).autopilot.tick(app.clock.now())

    assert publisher.on_lookup.broke == 1
    assert (report.published, report.errors) == (1, 1)
    assert (await published(first), await published(second)) == (0, 1)
    app.tick(int(app.ports.config.publish_backoff_max.total_seconds()))
    await RabbitSystem(app.ports).autopilot.tick(app.clock.now())
    stored, posts = await state(first, unknown.id)
    assert stored.status is PendingPostStatus.PUBLISHED
    assert len(posts) == 1
    assert len(publisher.published) == 2  # the unknown one was found, not sent again


@pytest.mark.parametrize("kind", ["generator", "embedder"])
async def test_a_model_that_breaks_on_one_slot_leaves_the_other_slots_running(
    app: App, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    model = BreakingGenerator() if kind == "generator" else BreakingEmbedder()
    app = replaced(app, **{kind: model})
    first, second = await two_worlds(app)
    due = await slot(first, TOPICS[0])
    assert due == await slot(second, TOPICS[1])
    app.clock.set(due)
    model.breaker.armed = True

    report = await RabbitSystem(app.ports).autopilot.tick(due)

    assert model.breaker.broke == 1
    assert (report.schedules_run, report.posts_generated, report.errors) == (2, 1, 1)
    assert report.published == 1
    assert "schedule" in caplog.text
    async with app.ports.uow() as uow:
        pending = [
            *(await uow.pending_posts.find(first.org)),
            *(await uow.pending_posts.find(second.org)),
        ]
    assert len(pending) == 1
    broken_org = first.org if pending[0].organization_id == second.org else second.org
    assert broken_org in caplog.text

    later = app.clock.advance(app.ports.config.slot_hold)  # the held slot falls due again
    again = await RabbitSystem(app.ports).autopilot.tick(later)
    assert (again.schedules_run, again.posts_generated, again.published) == (1, 1, 1)


async def test_a_notifier_that_breaks_on_one_notice_leaves_the_others_sent(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = BreakingNotifier()
    app = replaced(app, notifier=notifier)
    first, second = await two_worlds(app, auto_approve=False)
    due = await slot(first, TOPICS[0])
    await slot(second, TOPICS[1])
    app.clock.set(due)
    notifier.breaker.armed = True

    report = await RabbitSystem(app.ports).autopilot.tick(due)

    assert notifier.breaker.broke == 1
    assert (report.posts_generated, report.errors) == (2, 1)
    assert len(notifier.sent) == 1  # the other organisation's notice went out
    broken = {first.org, second.org} - {notifier.sent[0].organization_id}
    assert broken.pop() in caplog.text
