"""Publishing settlement (ADR 0015): late successes, credits reserved and settled, a fair
and backed-off due queue. Every test runs on both stores.

The platforms here are in-process fakes whose calls block on an ``asyncio.Event`` until the
test releases them, so "a call still in flight while something else happens" is forced
deterministically (no sleeps); no unit of work is open during a platform call (ADR 0011),
so this overlap is the same on the serialised memory store as on Postgres.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from rabbit.application.ports import PublishedPost, PublishRejectedError, PublishRequest
from rabbit.application.shared_services import credits_of
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.publishing import Outcome, Publishing
from rabbit.domain.enums import (
    CreditAction,
    PendingPostStatus,
    PublishAttemptStatus,
    SocialPlatform,
)
from rabbit.domain.errors import InsufficientCreditsError
from rabbit.domain.model import PendingPost
from rabbit_local.publisher import RecordingPublisher

from .app import App
from .content_support import LI, World, X, world
from .test_publishing import attempts, due_post, publish_charges, state

REDDIT = SocialPlatform.REDDIT


class GatedPlatform(RecordingPublisher):
    """The first call for a gated platform enters and waits for ``release`` (the platform
    is slow); while it waits, further calls under its key are rejected (the platform
    refuses a key already in progress). Other calls behave as the recording publisher."""

    def __init__(self, *gated: object) -> None:
        super().__init__()
        self.gated = set(gated)
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.in_progress: set[str] = set()

    async def publish(self, request: PublishRequest) -> PublishedPost:
        if request.idempotency_key in self.in_progress:
            self.calls += 1
            raise PublishRejectedError("a request with this key is in progress")
        if request.platform in self.gated:
            self.gated.discard(request.platform)
            self.in_progress.add(request.idempotency_key)
            self.entered.set()
            await self.release.wait()
            self.in_progress.discard(request.idempotency_key)
        return await super().publish(request)


def with_publisher(app: App, publisher: RecordingPublisher) -> Publishing:
    return RabbitSystem(dataclasses.replace(app.ports, publisher=publisher)).publishing


async def ledger_balances(w: World) -> bool:
    balance = await w.app.billing.balance(w.owner, w.org)
    period = await w.app.billing.ledger(w.owner, w.org, current_period_only=True)
    return balance.credits_total - balance.credits_used == sum(row.amount for row in period)


async def drain(w: World, leave: int = 0) -> None:
    """Spend the organisation's credits (a ledger row, as any debit) but ``leave``."""
    spend = await w.credits() - leave
    async with w.app.ports.uow() as uow:
        await credits_of(w.app.ports).charge(uow, w.org, spend, CreditAction.ANALYTICS)
        await uow.commit()


async def test_a_success_after_the_lease_and_after_the_post_was_given_up_is_recorded_and_paid(
    app: App,
) -> None:
    w = await world(app)
    pending = await due_post(w)
    platform = GatedPlatform(X)
    publishing = with_publisher(app, platform)
    credits_before = await w.credits()
    slow = asyncio.create_task(publishing.publish_platform(w.org, pending.id, X, app.clock.now()))
    await platform.entered.wait()  # attempt 1 is in flight

    app.tick(int(app.ports.config.publish_attempt_lease.total_seconds()) + 1)
    # past the lease: the lookup finds nothing yet (attempt 1 FAILED), attempts 2 and 3
    # are refused, and the post is given up, its reservation refunded
    assert await publishing.publish_platform(w.org, pending.id, X, app.clock.now()) is (
        Outcome.RETRY
    )
    assert await publishing.publish_platform(w.org, pending.id, X, app.clock.now()) is (
        Outcome.FAILED
    )
    stored, posts = await state(w, pending.id)
    assert (stored.status, posts) == (PendingPostStatus.FAILED, [])
    assert await w.credits() == credits_before

    platform.release.set()  # the platform accepts attempt 1 after all
    assert await slow is Outcome.PUBLISHED

    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.PUBLISHED  # FAILED -> PUBLISHED, reconciled
    assert [p.external_id for p in posts] == [platform.published[0].result.external_id]
    assert [a.status for a in await attempts(w, pending.id, X)] == [
        PublishAttemptStatus.SUCCEEDED,
        PublishAttemptStatus.FAILED,
        PublishAttemptStatus.FAILED,
    ]
    assert sum(await publish_charges(w)) == -1
    assert await w.credits() == credits_before - 1
    assert await ledger_balances(w)


async def test_a_post_is_not_failed_while_another_platform_may_still_accept_it(
    app: App,
) -> None:
    w = await world(app)
    pending = await due_post(w, (X, LI))
    platform = GatedPlatform(LI)
    publishing = with_publisher(app, platform)
    credits_before = await w.credits()
    linkedin = asyncio.create_task(
        publishing.publish_platform(w.org, pending.id, LI, app.clock.now())
    )
    await platform.entered.wait()
    platform.script("reject", "reject", "reject")
    outcomes = [
        await publishing.publish_platform(w.org, pending.id, X, app.clock.now()) for _ in range(3)
    ]
    stored, _ = await state(w, pending.id)
    assert stored.status is PendingPostStatus.AUTO_APPROVED  # LinkedIn may still accept it
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.WAITING]
    assert await w.credits() == credits_before - 2  # both platforms' price is held

    platform.release.set()
    assert await linkedin is Outcome.PUBLISHED
    app.tick(int(app.ports.config.publish_backoff_max.total_seconds()))
    await publishing.publish_due(app.clock.now())

    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.FAILED
    assert stored.review_notes is not None
    assert "rejected" in stored.review_notes
    assert [p.platform for p in posts] == [LI]
    assert await publish_charges(w) == [-2, 1]  # reserved for two, one accepted
    assert await w.credits() == credits_before - 1
    assert await ledger_balances(w)


async def test_a_post_that_will_fail_starts_no_new_platform_while_another_is_in_flight(
    app: App,
) -> None:
    w = await world(app)
    reddit = await app.account(w.org, w.owner, REDDIT, "acme-r", access_token="token-r")
    await app.links.link_account(w.owner, w.org, w.brand, reddit.id, LinkAccount(is_default=True))
    pending = await due_post(w, (X, LI, REDDIT))
    platform = GatedPlatform(LI)
    publishing = with_publisher(app, platform)
    credits_before = await w.credits()
    linkedin = asyncio.create_task(
        publishing.publish_platform(w.org, pending.id, LI, app.clock.now())
    )
    await platform.entered.wait()
    platform.script("reject", "reject", "reject")
    for _ in range(3):
        await publishing.publish_platform(w.org, pending.id, X, app.clock.now())
    now = app.clock.now()
    assert await publishing.publish_platform(w.org, pending.id, REDDIT, now) is Outcome.WAITING
    assert await attempts(w, pending.id, REDDIT) == []  # X gave up: nothing new starts

    platform.release.set()
    assert await linkedin is Outcome.PUBLISHED
    app.tick(int(app.ports.config.publish_backoff_max.total_seconds()))
    await publishing.publish_due(app.clock.now())

    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.FAILED
    assert [p.platform for p in posts] == [LI]
    assert await publish_charges(w) == [-2, 1]  # the 3-platform price held, one accepted
    assert await w.credits() == credits_before - 1
    assert await ledger_balances(w)
    assert platform.calls == 4  # LinkedIn once, X three times, Reddit never


async def test_a_debit_during_the_platform_call_cannot_make_the_post_go_out_free(
    app: App,
) -> None:
    w = await world(app)
    pending = await due_post(w)
    await drain(w, leave=1)  # exactly the publish price is left
    refused: list[InsufficientCreditsError] = []

    class DebitDuringTheCall(RecordingPublisher):
        async def publish(self, request: PublishRequest) -> PublishedPost:
            try:  # another request spends the organisation's credits meanwhile
                async with app.ports.uow() as uow:
                    await credits_of(app.ports).charge(uow, w.org, 1, CreditAction.ANALYTICS)
                    await uow.commit()
            except InsufficientCreditsError as exc:
                refused.append(exc)
            return await super().publish(request)

    await with_publisher(app, DebitDuringTheCall()).publish_due(app.clock.now())

    stored, posts = await state(w, pending.id)
    assert stored.status is PendingPostStatus.PUBLISHED
    assert len(posts) == 1
    assert await publish_charges(w) == [-1]  # paid: reserved before the call
    assert len(refused) == 1  # the other debit found nothing left
    assert await w.credits() == 0
    assert await ledger_balances(w)


async def clones(w: World, source: PendingPost, count: int, minutes_earlier: int) -> None:
    """``count`` copies of ``source`` (new ids), due ``minutes_earlier`` before it."""
    async with w.app.ports.uow() as uow:
        for n in range(count):
            assert source.scheduled_for is not None
            await uow.pending_posts.add(
                dataclasses.replace(
                    source,
                    id=f"{source.id}-copy{n:03}",
                    scheduled_for=source.scheduled_for - timedelta(minutes=minutes_earlier),
                    embedding_id=None,
                )
            )
        await uow.commit()


async def test_one_organisations_stuck_posts_never_delay_another_organisations(app: App) -> None:
    stuck = await world(app, slug="stuck")
    healthy = await world(app, slug="healthy")
    first = await due_post(stuck)
    await clones(stuck, first, 149, minutes_earlier=60)  # 150, all due before the healthy one
    await drain(stuck)
    app.tick()
    waiting = await due_post(healthy)
    app.tick()
    assert app.ports.config.tick_batch_size < 150

    report = await healthy.content.publishing.publish_due(app.clock.now())

    assert (await state(healthy, waiting.id))[0].status is PendingPostStatus.PUBLISHED
    assert report.no_credits == app.ports.config.tick_batch_size - 1
    assert report.backed_off == report.no_credits
    app.tick()  # the stuck ones tried in this run back off; the rest are due now
    second = await healthy.content.publishing.publish_due(app.clock.now())
    assert second.no_credits == 150 - report.no_credits
    app.tick()
    assert (await healthy.content.publishing.publish_due(app.clock.now())).no_credits == 0
    app.tick(int(app.ports.config.publish_backoff.total_seconds()))
    again = await healthy.content.publishing.publish_due(app.clock.now())
    assert again.no_credits == app.ports.config.tick_batch_size  # due again after the backoff
    async with app.ports.uow() as uow:
        tried = await uow.pending_posts.get(stuck.org, first.id, for_update=True)
    assert tried is not None
    assert tried.publish_failures in (1, 2)


async def test_the_backoff_doubles_while_a_post_makes_no_progress(app: App) -> None:
    w = await world(app)
    pending = await due_post(w)
    await drain(w)
    base = app.ports.config.publish_backoff
    delays = []
    for _ in range(4):
        await w.content.publishing.publish_due(app.clock.now())
        stored, _ = await state(w, pending.id)
        assert stored.publish_after is not None
        delays.append(stored.publish_after - app.clock.now())
        app.clock.set(stored.publish_after)
    assert delays == [base, 2 * base, 4 * base, 8 * base]
    assert w.content.publisher.calls == 0


async def test_posts_of_a_deleted_organisation_are_not_due(app: App) -> None:
    w = await world(app)
    pending = await due_post(w)
    await app.organizations.delete_organization(w.owner, w.org)
    async with app.ports.uow() as uow:
        assert await uow.pending_posts.list_due(app.clock.now(), limit=10) == []
    await w.content.publishing.publish_due(app.clock.now())
    assert w.content.publisher.calls == 0
    await app.organizations.restore_organization(w.owner, w.org)
    await w.content.publishing.publish_due(app.clock.now())
    assert (await state(w, pending.id))[0].status is PendingPostStatus.PUBLISHED


async def test_a_post_whose_organisation_is_deleted_after_it_was_listed_is_not_published(
    app: App,
) -> None:
    """``list_due`` skips deleted organisations, but a worker may hold a post it listed just
    before the delete: its plan reads the organisation again and does nothing."""
    w = await world(app)
    pending = await due_post(w)
    credits = await w.credits()
    await app.organizations.delete_organization(w.owner, w.org)

    outcome = await w.content.publishing.publish_platform(w.org, pending.id, X, app.clock.now())

    assert outcome is Outcome.ALREADY  # nothing for this run to do
    assert w.content.publisher.calls == 0
    assert await attempts(w, pending.id, X) == []
    await app.organizations.restore_organization(w.owner, w.org)
    assert await w.credits() == credits
