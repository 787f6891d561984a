"""Publishing due posts, exactly once per (pending post, platform), paid exactly once.

:meth:`Publishing.publish_due` takes one fair batch of due posts and runs each platform in
four steps: **plan** (:func:`~rabbit.domain.policies.publishing.next_step`, post locked),
**settle** a STARTED or UNKNOWN attempt by lookup, **start** (reserve the price, commit a
STARTED attempt, then call the publisher), **finish** (post, attempt SUCCEEDED, credits
settled). A post that makes no progress backs off; an error in one post stops only it.
The rules: docs/behaviour.md#publishing-exactly-once-and-settlement, ADR 0006 (exactly
once) and ADR 0015 (settlement, late successes, backoff).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from rabbit.application.credits import Credits
from rabbit.application.ports import (
    Clock,
    IdGenerator,
    PublishedPost,
    Publisher,
    PublishRejectedError,
    PublishRequest,
    PublishUnknownError,
    TokenCipher,
    UnitOfWork,
    UnitOfWorkFactory,
)
from rabbit.application.ports.unconfigured import refuse_unconfigured
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._lookups import existing_account
from rabbit.application.use_cases.embeddings import store_embedding
from rabbit.application.use_cases.publishing_accounts import (
    UnreadableToken,
    find_publishing_account,
    read_access_token,
)
from rabbit.domain.enums import (
    PUBLISHABLE_STATUSES,
    ContentType,
    CreditAction,
    PendingPostStatus,
    SocialPlatform,
)
from rabbit.domain.errors import ConflictError, InsufficientCreditsError, NotFoundError
from rabbit.domain.model import PendingPost, Post, PublishAttempt, SocialAccount, Subscription
from rabbit.domain.policies.pricing import publish_price
from rabbit.domain.policies.publishing import (
    UNSETTLED,
    NextStep,
    failed_count,
    next_step,
    start_attempt,
)

_log = logging.getLogger(__name__)

_NO_ACCOUNT = "no usable social account is linked to the brand"
_UNREADABLE_TOKEN = "the social account's access token cannot be read: reconnect the account"


class Outcome(StrEnum):
    PUBLISHED = "PUBLISHED"
    """A post was recorded for the platform."""
    ALREADY = "ALREADY"
    """The platform had its post already, or the pending post is no longer due."""
    RETRY = "RETRY"
    """The attempt failed; a later run tries again."""
    UNKNOWN = "UNKNOWN"
    """The outcome is unknown; a later run settles it by lookup."""
    WAITING = "WAITING"
    """An attempt may still be in flight (within its lease, or another platform's while
    this one has given up): nothing to do until it settles."""
    FAILED = "FAILED"
    """The pending post became FAILED."""
    NO_CREDITS = "NO_CREDITS"
    """Too few credits: nothing was called or changed."""
    ERROR = "ERROR"
    """An unexpected error (an adapter, a store): logged, the post backs off."""


#: Outcomes of a run that made no progress and back the pending post off.
_STUCK = frozenset({Outcome.RETRY, Outcome.UNKNOWN, Outcome.NO_CREDITS, Outcome.ERROR})


@dataclass
class PublishReport:
    published: int = 0
    """Platform posts recorded."""
    completed: int = 0
    """Pending posts that became PUBLISHED."""
    failed: int = 0
    """Pending posts that became FAILED."""
    retrying: int = 0
    unknown: int = 0
    no_credits: int = 0
    errors: int = 0
    """Platforms left due after an unexpected error (logged; the post backs off)."""
    backed_off: int = 0
    """Pending posts put back by the backoff."""

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.PUBLISHED:
            self.published += 1
        elif outcome is Outcome.FAILED:
            self.failed += 1
        elif outcome is Outcome.RETRY:
            self.retrying += 1
        elif outcome is Outcome.UNKNOWN:
            self.unknown += 1
        elif outcome is Outcome.NO_CREDITS:
            self.no_credits += 1
        elif outcome is Outcome.ERROR:
            self.errors += 1


@dataclass(frozen=True, slots=True)
class _Plan:
    step: NextStep
    attempt: PublishAttempt | None = None
    """STARTED: the attempt just written; SETTLE: the attempt to settle."""
    account_ref: str = ""
    """The platform's own id of the publishing account."""
    token: str = field(default="", repr=False)
    """The decrypted access token: never in a repr or a log (ADR 0021)."""
    content: str = ""
    hashtags: tuple[str, ...] = ()
    media_urls: tuple[str, ...] = ()
    failed: bool = False
    """GIVE_UP: the pending post became FAILED (else it waits for an attempt in flight)."""


class Publishing(UseCases):
    """A system use case (the autopilot tick runs it; no actor)."""

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        cipher: TokenCipher,
        publisher: Publisher,
        credits: Credits,
        tick_batch_size: int,
        publish_max_attempts: int,
        publish_attempt_lease: timedelta,
        publish_backoff: timedelta,
        publish_backoff_max: timedelta,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._cipher = cipher
        self._publisher = publisher
        self._credits = credits
        self._tick_batch_size = tick_batch_size
        self._publish_max_attempts = publish_max_attempts
        self._publish_attempt_lease = publish_attempt_lease
        self._publish_backoff = publish_backoff
        self._publish_backoff_max = publish_backoff_max

    async def publish_due(self, now: datetime) -> PublishReport:
        """One batch (``tick_batch_size``, fair across organisations) of due pending posts,
        every platform of each; an error in one never stops the others. With no publisher
        configured (ADR 0029) it raises AdapterNotConfiguredError before anything is read,
        charged or attempted."""
        self.check_configured()
        report = PublishReport()
        async with self._uow() as uow:
            due = await uow.pending_posts.list_due(now, limit=self._tick_batch_size)
        for pending in due:
            outcomes = []
            for platform in pending.platforms:
                try:
                    outcome = await self.publish_platform(
                        pending.organization_id, pending.id, platform, now
                    )
                except Exception:  # any adapter or store: this post only, tried again later
                    _log.exception(
                        "publishing pending post %s of organisation %s to %s failed",
                        pending.id,
                        pending.organization_id,
                        platform,
                    )
                    outcome = Outcome.ERROR
                report.count(outcome)
                outcomes.append(outcome)
                if outcome in (Outcome.FAILED, Outcome.NO_CREDITS, Outcome.ERROR):
                    break
            try:
                if await self._back_off(pending, outcomes, now):
                    report.backed_off += 1
                if await self._is_published(pending.organization_id, pending.id):
                    report.completed += 1
            except Exception:
                _log.exception(
                    "recording the run of pending post %s of organisation %s failed",
                    pending.id,
                    pending.organization_id,
                )
                report.errors += 1
        return report

    def check_configured(self) -> None:
        """Raise AdapterNotConfiguredError when the publisher is the stand-in an application
        gets until it plugs in its own (``rabbit.application.ports.unconfigured``)."""
        refuse_unconfigured(self._publisher)

    async def publish_platform(
        self, organization_id: str, pending_post_id: str, platform: SocialPlatform, now: datetime
    ) -> Outcome:
        """Drive one (pending post, platform) as far as this run can (AdapterNotConfiguredError
        at once when no publisher is configured)."""
        self.check_configured()
        for _ in range(2):  # at most: settle an old attempt, then start a new one
            try:
                plan = await self._plan(organization_id, pending_post_id, platform, now)
            except InsufficientCreditsError:
                return Outcome.NO_CREDITS
            if plan.step is NextStep.DONE:
                return Outcome.ALREADY
            if plan.step is NextStep.WAIT:
                return Outcome.WAITING  # another worker's call may still be in flight
            if plan.step is NextStep.GIVE_UP:
                return Outcome.FAILED if plan.failed else Outcome.WAITING
            assert plan.attempt is not None
            if plan.step is NextStep.SETTLE:
                try:
                    found = await self._publisher.lookup(
                        platform, plan.account_ref, plan.attempt.idempotency_key
                    )
                except PublishUnknownError:
                    return Outcome.UNKNOWN
                if found is not None:
                    return await self._finish(plan.attempt, found)
                outcome = await self._failed(plan.attempt, "lookup: the platform has no post")
                if outcome is not Outcome.RETRY:
                    return outcome
                continue
            return await self._call(plan)
        return Outcome.RETRY  # pragma: no cover - the loop returns on its second pass

    async def _plan(
        self, organization_id: str, pending_post_id: str, platform: SocialPlatform, now: datetime
    ) -> _Plan:
        """Step 1 (one unit of work): what this run does for the (pending post, platform),
        by :func:`~rabbit.domain.policies.publishing.next_step`; a START or a GIVE_UP is
        committed before it returns."""
        async with self._uow() as uow:
            if await uow.organizations.get(organization_id) is None:
                return _Plan(NextStep.DONE)  # deleted since list_due took the post (ADR 0014)
            # lock order (ADR 0012): subscription, pending post, attempts
            subscription = await self._credits.locked(uow, organization_id)
            pending = await uow.pending_posts.get(organization_id, pending_post_id, for_update=True)
            if pending is None or not pending.is_due(now):
                return _Plan(NextStep.DONE)
            if await uow.posts.get_for_pending(organization_id, pending.id, platform):
                return _Plan(NextStep.DONE)
            attempts = await uow.publish_attempts.list_for(organization_id, pending.id, platform)
            step = next_step(
                attempts,
                self._publish_max_attempts,
                now=self._clock.now(),
                lease=self._publish_attempt_lease,
            )
            if step in (NextStep.DONE, NextStep.WAIT):
                return _Plan(step)
            if step is NextStep.GIVE_UP:
                return await self._give_up(uow, subscription, pending)
            if step is NextStep.SETTLE:
                return await _settling(uow, attempts[-1])
            return await self._start(uow, subscription, pending, platform, attempts)

    async def _start(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        pending: PendingPost,
        platform: SocialPlatform,
        attempts: list[PublishAttempt],
    ) -> _Plan:
        """Step 3 up to the call: the account and its token, the reservation, a STARTED
        attempt, committed BEFORE the platform call (a crash leaves it STARTED). A platform
        without a usable account or a readable token gives up, before anything is reserved."""
        org = pending.organization_id
        account = await find_publishing_account(uow, org, pending.brand_profile_id, platform)
        if account is None:
            return await self._give_up(
                uow, subscription, pending, {platform: f"{platform}: {_NO_ACCOUNT}"}
            )
        if len(pending.platforms) > 2 and await self._another_gave_up(uow, pending, platform):
            # the post will fail once the attempts in flight settle: start nothing new
            return await self._give_up(uow, subscription, pending)
        token = read_access_token(self._cipher, account)
        if isinstance(token, UnreadableToken):
            _log_unreadable(account, pending, platform, token)
            reason = f"{platform}: {_UNREADABLE_TOKEN} ({token.reason})"
            return await self._give_up(uow, subscription, pending, {platform: reason})
        await self._reserve(uow, subscription, pending)  # raises before any write
        attempt = start_attempt(
            self._ids.new_id(), pending.id, org, platform, account.id, attempts, self._clock.now()
        )
        await uow.publish_attempts.add(attempt)
        await uow.commit()
        return _Plan(
            NextStep.START,
            attempt=attempt,
            account_ref=account.account_id,
            token=token,
            content=pending.content,
            hashtags=pending.hashtags,
            media_urls=pending.media_urls,
        )

    async def _give_up(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        pending: PendingPost,
        gave_up: dict[SocialPlatform, str] | None = None,
    ) -> _Plan:
        """GIVE_UP, committed: the pending post FAILED if :meth:`_conclude` says so."""
        failed = await self._conclude(uow, subscription, pending, gave_up)
        await uow.commit()
        return _Plan(NextStep.GIVE_UP, failed=failed)

    async def _call(self, plan: _Plan) -> Outcome:
        assert plan.attempt is not None
        request = PublishRequest(
            idempotency_key=plan.attempt.idempotency_key,
            platform=plan.attempt.platform,
            account_id=plan.account_ref,
            access_token=plan.token,
            content=plan.content,
            hashtags=plan.hashtags,
            media_urls=plan.media_urls,
        )
        try:
            result = await self._publisher.publish(request)
        except PublishRejectedError as exc:
            return await self._failed(plan.attempt, str(exc) or "rejected by the platform")
        except PublishUnknownError as exc:
            await self._mark_unknown(plan.attempt, str(exc) or "unknown")
            return Outcome.UNKNOWN
        except Exception as exc:  # the publisher broke: the call may have reached the platform
            _log.exception(
                "publisher failed on pending post %s of organisation %s, %s (attempt %s)",
                plan.attempt.pending_post_id,
                plan.attempt.organization_id,
                plan.attempt.platform,
                plan.attempt.attempt_number,
            )
            await self._mark_unknown(plan.attempt, f"publisher error: {type(exc).__name__}")
            return Outcome.ERROR
        return await self._finish(plan.attempt, result)

    async def _finish(self, attempt: PublishAttempt, result: PublishedPost) -> Outcome:
        """Record what a platform accepted: always, even when the attempt was meanwhile
        settled FAILED by a lookup or the pending post given up (ADR 0015)."""
        org = attempt.organization_id
        now = self._clock.now()
        try:
            async with self._uow() as uow:
                subscription = await self._credits.locked(uow, org)
                pending = await uow.pending_posts.get(org, attempt.pending_post_id, for_update=True)
                if pending is None:
                    raise NotFoundError("pending_post", attempt.pending_post_id)
                await _lock_attempts(uow, attempt)
                attempt.succeed(result.external_id, now)
                await uow.publish_attempts.update(attempt)
                if await uow.posts.get_for_pending(org, pending.id, attempt.platform):
                    await uow.commit()
                    return Outcome.ALREADY
                post = Post.published(
                    id=self._ids.new_id(),
                    pending=pending,
                    attempt=attempt,
                    external_id=result.external_id,
                    external_url=result.external_url,
                    now=now,
                )
                await uow.posts.add(post)
                own = await uow.embeddings.get(org, ContentType.PENDING_POST, pending.id)
                if own is not None:
                    await store_embedding(
                        self._ids,
                        self._clock,
                        uow,
                        org,
                        ContentType.POST,
                        post.id,
                        post.content,
                        own.embedding,
                    )
                posted = await self._posted(uow, pending, just_published=attempt.platform)
                if len(posted) == len(pending.platforms):
                    await self._complete(uow, subscription, pending, now)
                elif pending.status is PendingPostStatus.FAILED:  # a late success: pay for it
                    await self._settle_credits(uow, subscription, pending, len(posted), now)
                    await uow.pending_posts.update(pending)
                await uow.commit()
        except ConflictError:  # another worker recorded this platform's post first
            return Outcome.ALREADY
        return Outcome.PUBLISHED

    async def _complete(
        self, uow: UnitOfWork, subscription: Subscription, pending: PendingPost, now: datetime
    ) -> None:
        """Every platform has its post: the charge settled at the full price (held since the
        first call), the material's use recorded, PUBLISHED (from FAILED too: a late success
        that completed the post, ADR 0015)."""
        await self._settle_credits(uow, subscription, pending, len(pending.platforms), now)
        material = await uow.materials.get(
            pending.organization_id, pending.material_id, include_deleted=True, for_update=True
        )
        if material is not None:
            material.record_use(now)
            await uow.materials.update(material)
        pending.move_to(PendingPostStatus.PUBLISHED, now)
        await uow.pending_posts.update(pending)

    async def _failed(self, attempt: PublishAttempt, error: str) -> Outcome:
        """Mark the attempt FAILED; the pending post FAILED once a platform has used up its
        tries and no attempt of the post may still succeed."""
        org = attempt.organization_id
        async with self._uow() as uow:
            # the order every unit of work locks in: subscription, pending post, attempts
            subscription = await self._credits.locked(uow, org)
            pending = await uow.pending_posts.get(org, attempt.pending_post_id, for_update=True)
            await _lock_attempts(uow, attempt)
            attempt.fail(error, self._clock.now())
            await uow.publish_attempts.update(attempt)
            outcome = Outcome.RETRY
            if pending is not None and pending.status in PUBLISHABLE_STATUSES:
                if await self._conclude(uow, subscription, pending):
                    outcome = Outcome.FAILED
                elif await self._gave_up(uow, pending, attempt.platform):
                    outcome = Outcome.WAITING
            await uow.commit()
        return outcome

    async def _mark_unknown(self, attempt: PublishAttempt, error: str) -> None:
        """The call's outcome is unknown: a later run settles it by lookup."""
        async with self._uow() as uow:
            await _lock_attempts(uow, attempt)
            attempt.mark_unknown(error, self._clock.now())
            await uow.publish_attempts.update(attempt)
            await uow.commit()

    async def _gave_up(
        self, uow: UnitOfWork, pending: PendingPost, platform: SocialPlatform
    ) -> bool:
        attempts = await uow.publish_attempts.list_for(
            pending.organization_id, pending.id, platform
        )
        return failed_count(attempts) >= self._publish_max_attempts

    async def _another_gave_up(
        self, uow: UnitOfWork, pending: PendingPost, platform: SocialPlatform
    ) -> bool:
        """Another platform of the post used up its tries. (With two platforms this cannot
        meet a platform still to start: the post would have failed already.)"""
        for other in pending.platforms:
            if other != platform and await self._gave_up(uow, pending, other):
                return True
        return False

    async def _conclude(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        pending: PendingPost,
        gave_up: dict[SocialPlatform, str] | None = None,
    ) -> bool:
        """FAILED, if some platform has given up (used up its tries, or ``gave_up`` says so)
        and no attempt of the post may still succeed (none STARTED or UNKNOWN): a post is
        never failed while a platform may still accept it (ADR 0015). The held credits are
        settled to the price of the platforms that did accept it. True when it failed."""
        reasons = dict(gave_up or {})
        posted = 0
        for platform in pending.platforms:
            if platform in reasons:
                continue
            if await uow.posts.get_for_pending(pending.organization_id, pending.id, platform):
                posted += 1
                continue
            attempts = await uow.publish_attempts.list_for(
                pending.organization_id, pending.id, platform
            )
            if attempts and attempts[-1].status in UNSETTLED:
                return False  # may still succeed: decided when it settles
            if failed_count(attempts) >= self._publish_max_attempts:
                reasons[platform] = _last_error(attempts, platform)
        if not reasons:
            return False
        now = self._clock.now()
        await self._settle_credits(uow, subscription, pending, posted, now)
        pending.give_up(next(iter(reasons.values())), now)
        await uow.pending_posts.update(pending)
        return True

    async def _reserve(
        self, uow: UnitOfWork, subscription: Subscription, pending: PendingPost
    ) -> None:
        """Before the post's first platform call: charge its full publish price (the
        cross-platform discount applies), held on the post until it ends. Raises
        InsufficientCreditsError, having changed nothing, when too few credits remain."""
        if pending.publish_credits > 0:
            return
        price = publish_price(len(pending.platforms))
        await self._credits.debit(
            uow,
            subscription,
            price,
            CreditAction.PUBLISH,
            description=f"publishing to {len(pending.platforms)} platform(s)",
            related_post_id=pending.id,
        )
        pending.hold_publish_credits(price, self._clock.now())
        await uow.pending_posts.update(pending)

    async def _settle_credits(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        pending: PendingPost,
        posted: int,
        now: datetime,
    ) -> None:
        """Bring the credits the post holds to the price of its ``posted`` platforms: a
        refund row for what was reserved and not used, a charge for what is owed and was
        not held (a late success after a refund, or a post started before reservations).
        The caller updates ``pending``."""
        owed = publish_price(posted) if posted else 0
        held = pending.publish_credits
        if owed < held:
            await self._credits.refund(
                uow,
                subscription,
                held - owed,
                CreditAction.PUBLISH,
                description=f"refund: {posted} of {len(pending.platforms)} platform(s) accepted",
                related_post_id=pending.id,
            )
        elif owed > held:
            try:
                await self._credits.debit(
                    uow,
                    subscription,
                    owed - held,
                    CreditAction.PUBLISH,
                    description=f"publishing to {posted} platform(s)",
                    related_post_id=pending.id,
                )
            except InsufficientCreditsError as exc:  # never an overdraft (ADR 0015)
                pending.note(f"published; PUBLISH credits not charged: {exc.message}", now)
                return
        pending.hold_publish_credits(owed, now)

    async def _posted(
        self, uow: UnitOfWork, pending: PendingPost, *, just_published: SocialPlatform
    ) -> list[SocialPlatform]:
        """The platforms of the pending post that have their post (the one recorded in this
        unit of work is not looked up again)."""
        posted = [just_published]
        for platform in pending.platforms:
            if platform == just_published:
                continue
            if await uow.posts.get_for_pending(pending.organization_id, pending.id, platform):
                posted.append(platform)
        return posted

    async def _back_off(self, pending: PendingPost, outcomes: list[Outcome], now: datetime) -> bool:
        """After a run of ``pending``: no progress (no credits, an error, a retry, an unknown
        outcome) puts it back by the backoff (doubling); progress clears the backoff. True
        when it was put back."""
        progressed = Outcome.PUBLISHED in outcomes
        stuck = not progressed and any(outcome in _STUCK for outcome in outcomes)
        if not stuck and not (progressed and pending.publish_failures):
            return False
        async with self._uow() as uow:
            current = await uow.pending_posts.get(
                pending.organization_id, pending.id, for_update=True
            )
            if current is None or current.status not in PUBLISHABLE_STATUSES:
                return False
            if stuck:
                current.back_off(
                    now, self._publish_backoff, self._publish_backoff_max, self._clock.now()
                )
            else:
                current.clear_backoff(self._clock.now())
            await uow.pending_posts.update(current)
            await uow.commit()
        return stuck

    async def _is_published(self, organization_id: str, pending_post_id: str) -> bool:
        async with self._uow() as uow:
            pending = await uow.pending_posts.get(organization_id, pending_post_id)
            return pending is not None and pending.status is PendingPostStatus.PUBLISHED


def _log_unreadable(
    account: SocialAccount, pending: PendingPost, platform: SocialPlatform, token: UnreadableToken
) -> None:
    _log.warning(
        "the access token of social account %s of organisation %s cannot be read (%s): %s "
        "gives up on pending post %s",
        account.id,
        pending.organization_id,
        token.reason,
        platform,
        pending.id,
    )


def _last_error(attempts: list[PublishAttempt], platform: SocialPlatform) -> str:
    errors = [a.error for a in attempts if a.error]
    return f"{platform}: {errors[-1] if errors else 'publishing failed'}"


async def _settling(uow: UnitOfWork, attempt: PublishAttempt) -> _Plan:
    """SETTLE ``attempt`` by lookup, through the account it was started with (a deleted one
    too: the platform still knows it)."""
    # NotFoundError when the account row is gone: nothing can be asked
    account = await existing_account(
        uow, attempt.organization_id, attempt.social_account_id, include_deleted=True
    )
    return _Plan(NextStep.SETTLE, attempt=attempt, account_ref=account.account_id)


async def _lock_attempts(uow: UnitOfWork, attempt: PublishAttempt) -> None:
    """Lock the attempts of ``attempt``'s (pending post, platform) in this unit of work
    before one of them is written (ADR 0012)."""
    await uow.publish_attempts.list_for(
        attempt.organization_id, attempt.pending_post_id, attempt.platform, for_update=True
    )
