"""Exactly-once publishing, with the recording publisher's scripted faults."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from rabbit.application.ports import PublishedPost, PublishRequest
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.links import LinkAccount
from rabbit.domain.enums import (
    ContentType,
    CreditAction,
    MaterialStatus,
    PendingPostStatus,
    PublishAttemptStatus,
    SocialPlatform,
)
from rabbit.domain.model import PendingPost, Post, PublishAttempt, SocialAccount
from rabbit_local.cipher import AesGcmTokenCipher
from rabbit_local.publisher import RecordingPublisher

from .app import App
from .content_support import LI, TOPICS, World, X, world
from .store_support import overwrite_column

REDDIT = SocialPlatform.REDDIT


async def due_post(w: World, platforms: tuple[SocialPlatform, ...] = (X,)) -> PendingPost:
    material = await w.ready_material(TOPICS[0])
    (pending,) = await w.generate(material, platforms)
    return pending


async def publish(w: World) -> None:
    """One run, then the clock past the longest backoff (a post that made no progress is
    not due again before it)."""
    await w.content.publishing.publish_due(w.app.clock.now())
    w.app.tick(int(w.app.ports.config.publish_backoff_max.total_seconds()))


async def state(w: World, pending_id: str) -> tuple[PendingPost, list[Post]]:
    async with w.app.ports.uow() as uow:
        pending = await uow.pending_posts.get(w.org, pending_id, for_update=True)
        posts = [p for p in await uow.posts.find(w.org) if p.pending_post_id == pending_id]
    assert pending is not None
    return pending, posts


async def attempts(w: World, pending_id: str, platform: SocialPlatform) -> list[PublishAttempt]:
    async with w.app.ports.uow() as uow:
        return await uow.publish_attempts.list_for(w.org, pending_id, platform)


async def publish_charges(w: World) -> list[int]:
    ledger = await w.app.billing.ledger(w.owner, w.org)
    return [t.amount for t in ledger if t.action is CreditAction.PUBLISH]


async def test_a_due_post_is_published_to_every_platform_and_charged_once(app: App) -> None:
    w = await world(app)
    pending = await due_post(w, (X, LI))
    await publish(w)
    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.PUBLISHED
    assert sorted(p.platform for p in posts) == sorted([X, LI])
    assert await publish_charges(w) == [-2]
    tokens = {r.request.platform: r.request.access_token for r in w.content.publisher.published}
    assert tokens == {X: "token-acme-x", LI: "token-acme-li"}
    async with app.ports.uow() as uow:
        material = await uow.materials.get(w.org, pending.material_id, for_update=True)
        embeddings = [await uow.embeddings.get(w.org, ContentType.POST, p.id) for p in posts]
    assert material is not None
    assert (material.status, material.usage_count) == (MaterialStatus.USED, 1)
    assert all(e is not None for e in embeddings)
    await publish(w)  # nothing is due any more
    assert len((await state(w, pending.id))[1]) == 2
    assert len(w.content.publisher.published) == 2
    assert await publish_charges(w) == [-2]


async def test_three_platforms_get_the_cross_platform_discount(app: App) -> None:
    w = await world(app)
    reddit = await app.account(w.org, w.owner, REDDIT, "acme-r", access_token="token-r")
    await app.links.link_account(w.owner, w.org, w.brand, reddit.id, LinkAccount(is_default=True))
    pending = await due_post(w, (X, LI, REDDIT))
    await publish(w)
    assert len((await state(w, pending.id))[1]) == 3
    assert await publish_charges(w) == [-2]


async def test_a_rejected_try_is_retried_under_the_same_key(app: App) -> None:
    w = await world(app)
    pending = await due_post(w)
    w.content.publisher.script("reject")
    await publish(w)
    stored, posts = await state(w, pending.id)
    assert (stored.status, posts) == (PendingPostStatus.AUTO_APPROVED, [])
    await publish(w)
    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.PUBLISHED
    assert len(posts) == 1
    tries = await attempts(w, pending.id, X)
    assert [(a.attempt_number, a.status) for a in tries] == [
        (1, PublishAttemptStatus.FAILED),
        (2, PublishAttemptStatus.SUCCEEDED),
    ]
    assert {a.idempotency_key for a in tries} == {f"{pending.id}:{X}"}
    assert await publish_charges(w) == [-1]


async def test_an_unknown_outcome_after_sending_is_settled_by_lookup_not_resent(
    app: App,
) -> None:
    w = await world(app)
    pending = await due_post(w)
    w.content.publisher.script("unknown_after_send")
    await publish(w)
    stored, posts = await state(w, pending.id)
    assert (stored.status, posts) == (PendingPostStatus.AUTO_APPROVED, [])
    assert [a.status for a in await attempts(w, pending.id, X)] == [PublishAttemptStatus.UNKNOWN]
    await publish(w)
    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.PUBLISHED
    assert len(posts) == 1
    assert posts[0].external_id == w.content.publisher.published[0].result.external_id
    assert w.content.publisher.calls == 1
    assert len(w.content.publisher.published) == 1
    assert await publish_charges(w) == [-1]


async def test_an_unknown_outcome_before_sending_is_retried_once_lookup_finds_nothing(
    app: App,
) -> None:
    w = await world(app)
    pending = await due_post(w)
    w.content.publisher.script("unknown_before_send")
    await publish(w)
    assert w.content.publisher.published == []
    await publish(w)
    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.PUBLISHED
    assert len(posts) == 1
    assert [a.status for a in await attempts(w, pending.id, X)] == [
        PublishAttemptStatus.FAILED,
        PublishAttemptStatus.SUCCEEDED,
    ]
    assert len(w.content.publisher.published) == 1


async def test_an_unavailable_lookup_leaves_the_attempt_unknown(app: App) -> None:
    w = await world(app)
    pending = await due_post(w)
    w.content.publisher.script("unknown_after_send")
    w.content.publisher.script_lookups("unavailable")
    await publish(w)
    await publish(w)
    assert [a.status for a in await attempts(w, pending.id, X)] == [PublishAttemptStatus.UNKNOWN]
    assert (await state(w, pending.id))[1] == []
    await publish(w)
    assert len((await state(w, pending.id))[1]) == 1
    assert w.content.publisher.calls == 1


async def test_after_the_maximum_of_failed_tries_the_post_fails_with_the_reason(
    app: App,
) -> None:
    w = await world(app)
    pending = await due_post(w)
    w.content.publisher.script("reject", "reject", "reject")
    for _ in range(3):
        await publish(w)
    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.FAILED
    assert stored.review_notes is not None
    assert "rejected" in stored.review_notes
    assert posts == []
    assert await publish_charges(w) == [-1, 1]  # reserved before the first call, refunded
    assert stored.publish_credits == 0
    await publish(w)
    assert w.content.publisher.calls == 3


async def test_a_platform_without_an_account_fails_the_post_with_a_clear_reason(
    app: App,
) -> None:
    w = await world(app)
    pending = await due_post(w, (REDDIT,))
    await publish(w)
    stored, _ = await state(w, pending.id)
    assert stored.status is PendingPostStatus.FAILED
    assert stored.review_notes is not None
    assert "REDDIT" in stored.review_notes
    assert w.content.publisher.calls == 0


async def test_without_credits_nothing_is_called_or_changed(app: App) -> None:
    w = await world(app)
    pending = await due_post(w)
    async with app.ports.uow() as uow:
        subscription = await uow.subscriptions.get(w.org, for_update=True)
        assert subscription is not None
        subscription.credits_used = subscription.credits_total
        await uow.subscriptions.update(subscription)
        await uow.commit()
    report = await w.content.publishing.publish_due(app.clock.now())
    assert report.no_credits == 1
    stored, posts = await state(w, pending.id)
    assert (stored.status, posts) == (PendingPostStatus.AUTO_APPROVED, [])
    assert await attempts(w, pending.id, X) == []
    assert w.content.publisher.calls == 0
    # nothing charged or attempted; only the post's backoff is recorded
    assert stored.publish_after == app.clock.now() + app.ports.config.publish_backoff
    assert stored.publish_failures == 1
    await app.top_up(w.org)
    app.tick(int(app.ports.config.publish_backoff.total_seconds()))
    await publish(w)
    stored, _ = await state(w, pending.id)
    assert stored.status is PendingPostStatus.PUBLISHED


class CrashError(BaseException):
    """The worker dies right after the platform accepted the post (a process death, not an
    error the tick could isolate)."""


class CrashingPublisher(RecordingPublisher):
    def __init__(self) -> None:
        super().__init__()
        self.crash = True

    async def publish(self, request: PublishRequest) -> PublishedPost:
        result = await super().publish(request)
        if self.crash:
            raise CrashError
        return result


async def test_a_crash_after_the_platform_call_leaves_started_and_publishes_once(
    app: App,
) -> None:
    publisher = CrashingPublisher()
    crashing = dataclasses.replace(app.ports, publisher=publisher)
    w = await world(app)
    pending = await due_post(w)
    with pytest.raises(CrashError):
        await RabbitSystem(crashing).publishing.publish_due(app.clock.now())
    assert [a.status for a in await attempts(w, pending.id, X)] == [PublishAttemptStatus.STARTED]
    publisher.crash = False
    lease = int(app.ports.config.publish_attempt_lease.total_seconds())
    app.tick(lease - 1)  # within the lease the attempt may still be in flight: left alone
    await RabbitSystem(crashing).publishing.publish_due(app.clock.now())
    assert [a.status for a in await attempts(w, pending.id, X)] == [PublishAttemptStatus.STARTED]
    assert publisher.lookups == 0
    app.tick(2)
    await RabbitSystem(crashing).publishing.publish_due(app.clock.now())
    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.PUBLISHED
    assert len(posts) == 1
    assert len(publisher.published) == 1
    assert publisher.calls == 1
    assert await publish_charges(w) == [-1]


async def test_two_workers_at_once_publish_each_platform_once(app: App) -> None:
    w = await world(app)
    pending = await due_post(w, (X, LI))
    now = app.clock.now()
    await asyncio.gather(
        RabbitSystem(app.ports).publishing.publish_due(now),
        RabbitSystem(app.ports).publishing.publish_due(now),
    )
    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.PUBLISHED
    assert len(posts) == 2
    assert len(w.content.publisher.published) == 2
    assert await publish_charges(w) == [-2]


async def x_account(w: World) -> SocialAccount:
    async with w.app.ports.uow() as uow:
        [account] = [a for a in await uow.social_accounts.find(w.org) if a.platform is X]
    return account


async def test_a_token_moved_from_another_organisation_fails_that_post_not_the_tick(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """B's access token ciphertext copied into A's account row: A's post gives its platform
    up before anything is reserved or sent (no attempt, no charge, B's token never used for
    A); B's post in the same run is published with B's own token."""
    w = await world(app)
    other = await world(app, slug="beta")
    pending = await due_post(w)
    theirs = await due_post(other)
    stolen = (await x_account(other)).access_token
    await overwrite_column(
        app.ports, "social_accounts", (await x_account(w)).id, "access_token", stolen
    )

    report = await w.content.publishing.publish_due(app.clock.now())

    stored, posts = await state(w, pending.id)
    assert (stored.status, posts) == (PendingPostStatus.FAILED, [])
    assert stored.review_notes is not None
    assert "cannot be read" in stored.review_notes
    assert await attempts(w, pending.id, X) == []
    assert await publish_charges(w) == []
    assert (report.failed, report.errors, report.published) == (1, 0, 1)
    sent = [(r.request.account_id, r.request.access_token) for r in w.content.publisher.published]
    assert sent == [("beta-x", "token-beta-x")]
    assert (await state(other, theirs.id))[0].status is PendingPostStatus.PUBLISHED
    assert "token-beta-x" not in caplog.text
    assert stolen not in caplog.text


async def test_a_token_left_in_the_v1_form_is_an_error_that_backs_off_not_a_failure(
    app: App,
) -> None:
    """A deployment problem (the database was not migrated): the post is kept and backed
    off, to be published once ``rabbit db upgrade`` ran."""
    w = await world(app)
    pending = await due_post(w)
    cipher = app.ports.cipher
    assert isinstance(cipher, AesGcmTokenCipher)
    account = await x_account(w)
    await overwrite_column(
        app.ports, "social_accounts", account.id, "access_token", cipher.seal_v1("token-acme-x")
    )

    report = await w.content.publishing.publish_due(app.clock.now())

    stored, posts = await state(w, pending.id)
    assert (stored.status, posts, stored.publish_failures) == (
        PendingPostStatus.AUTO_APPROVED,
        [],
        1,
    )
    assert (report.errors, report.failed) == (1, 0)
    assert await publish_charges(w) == []
