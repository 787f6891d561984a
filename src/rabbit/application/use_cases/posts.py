"""Published posts, the publish attempts of a pending post, and a safe retry (ADR 0028).

The reads need VIEW_ANALYTICS; the retry CREATE_CONTENT. A retry re-triggers the
publication of one (pending post, platform) — one idempotency key — through the same
steps the autopilot runs (:meth:`~rabbit.application.use_cases.publishing.Publishing.
publish_platform`: an attempt still unsettled is settled by lookup before any new one
starts, two runs cannot start the same attempt), so it never publishes twice. What it
cannot help (the platform has its post, an attempt may still be in flight, the post is not
approved or not yet due) it says, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from rabbit.application.authorization import authorize
from rabbit.application.pagination import (
    Page,
    decode_cursor,
    filter_value,
    page_of,
    page_size,
)
from rabbit.application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from rabbit.application.ports.repositories import Keyset
from rabbit.application.read_models import PublishAttemptView, PublishedPostView, view_of
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._lookups import existing_pending_post
from rabbit.application.use_cases.publishing import Outcome, Publishing
from rabbit.domain import limits
from rabbit.domain.enums import PUBLISHABLE_STATUSES, PendingPostStatus, SocialPlatform
from rabbit.domain.errors import ValidationError
from rabbit.domain.model import Post
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.policies.publishing import NextStep, idempotency_key, next_step

_PUBLISHED = "posts"
"""The cursor tag of :meth:`Posts.list_published`."""


class RetryOutcome(StrEnum):
    PUBLISHED = "PUBLISHED"
    """This retry got the platform's post recorded."""
    ALREADY_PUBLISHED = "ALREADY_PUBLISHED"
    """The platform has its post already: nothing was called or changed."""
    IN_FLIGHT = "IN_FLIGHT"
    """An attempt started within its lease may still be answered: nothing changed. Retry
    once the lease has passed (the attempt is then settled by lookup first)."""
    NOT_PUBLISHABLE = "NOT_PUBLISHABLE"
    """The pending post is not approved (pending review, rejected, expired, failed):
    nothing changed."""
    NOT_DUE = "NOT_DUE"
    """Approved but scheduled later: nothing changed."""
    RETRYING = "RETRYING"
    """The platform refused this try; a later run tries again (within the tries left)."""
    UNKNOWN = "UNKNOWN"
    """The platform's answer is unknown; a later run settles it by lookup."""
    FAILED = "FAILED"
    """The pending post used up its tries and became FAILED."""
    NO_CREDITS = "NO_CREDITS"
    """Too few credits: nothing was called."""
    ERROR = "ERROR"
    """The publisher or the store broke; the attempt is settled by lookup later."""


_FROM_RUN = {
    Outcome.PUBLISHED: RetryOutcome.PUBLISHED,
    Outcome.ALREADY: RetryOutcome.ALREADY_PUBLISHED,
    Outcome.WAITING: RetryOutcome.IN_FLIGHT,
    Outcome.RETRY: RetryOutcome.RETRYING,
    Outcome.UNKNOWN: RetryOutcome.UNKNOWN,
    Outcome.FAILED: RetryOutcome.FAILED,
    Outcome.NO_CREDITS: RetryOutcome.NO_CREDITS,
    Outcome.ERROR: RetryOutcome.ERROR,
}


@dataclass(frozen=True, slots=True)
class Retry:
    """What a retry of one publication did."""

    idempotency_key: str
    outcome: RetryOutcome


class Posts(UseCases):
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        publishing: Publishing,
        publish_max_attempts: int,
        publish_attempt_lease: timedelta,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._publishing = publishing
        self._publish_max_attempts = publish_max_attempts
        self._publish_attempt_lease = publish_attempt_lease

    async def list_published(
        self,
        actor_id: str,
        organization_id: str,
        *,
        brand_id: str | None = None,
        platform: SocialPlatform | None = None,
        published_from: datetime | None = None,
        published_before: datetime | None = None,
        cursor: str | None = None,
        limit: int = limits.DEFAULT_PAGE,
    ) -> Page[PublishedPostView]:
        """Published posts newest first, a page at a time (ADR 0028): of a brand, on a
        platform, published at or after ``published_from`` and before
        ``published_before`` when given."""
        size = page_size(limit)
        after = decode_cursor(_PUBLISHED, cursor)
        wanted = filter_value("platform", SocialPlatform, platform)
        if published_from and published_before and published_before < published_from:
            raise ValidationError("published_before", "must not be before published_from")
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            rows = await uow.posts.page_published(
                organization_id,
                after=after,
                limit=size + 1,
                brand_id=brand_id,
                platform=wanted,
                published_from=published_from,
                published_before=published_before,
            )
        return page_of(_PUBLISHED, rows, size, _published_key, _published_view)

    async def publish_attempts(
        self, actor_id: str, organization_id: str, pending_post_id: str
    ) -> list[PublishAttemptView]:
        """Every try to publish the pending post, by its platforms' order, then number."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            pending = await existing_pending_post(uow, organization_id, pending_post_id)
            attempts = []
            for platform in pending.platforms:
                attempts += await uow.publish_attempts.list_for(
                    organization_id, pending.id, platform
                )
        return [view_of(PublishAttemptView, attempt) for attempt in attempts]

    async def retry_publication(
        self,
        actor_id: str,
        organization_id: str,
        pending_post_id: str,
        platform: SocialPlatform,
    ) -> Retry:
        """Re-trigger the publication under ``idempotency_key(pending_post_id, platform)``
        now, clearing the post's backoff, unless it cannot help (see the module)."""
        wanted = filter_value("platform", SocialPlatform, platform)
        if wanted is None:
            raise ValidationError("platform", "is required")
        key = idempotency_key(pending_post_id, wanted)
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            refused = await self._refusal(uow, organization_id, pending_post_id, wanted)
            if refused is not None:
                return Retry(key, refused)
        outcome = await self._publishing.publish_platform(
            organization_id, pending_post_id, wanted, self._clock.now()
        )
        return Retry(key, _FROM_RUN[outcome])

    async def _refusal(
        self, uow: UnitOfWork, organization_id: str, pending_post_id: str, platform: SocialPlatform
    ) -> RetryOutcome | None:
        """Why a retry changes nothing, or None after clearing the post's backoff (the
        change is committed here: the run that follows reads it)."""
        now = self._clock.now()
        pending = await existing_pending_post(
            uow, organization_id, pending_post_id, for_update=True
        )
        if platform not in pending.platforms:
            raise ValidationError("platform", "the pending post is not for this platform")
        posted = await uow.posts.get_for_pending(organization_id, pending.id, platform)
        if posted is not None or pending.status is PendingPostStatus.PUBLISHED:
            return RetryOutcome.ALREADY_PUBLISHED
        if pending.status not in PUBLISHABLE_STATUSES:
            return RetryOutcome.NOT_PUBLISHABLE
        if not pending.is_due(now):
            return RetryOutcome.NOT_DUE
        attempts = await uow.publish_attempts.list_for(organization_id, pending.id, platform)
        step = next_step(
            attempts, self._publish_max_attempts, now=now, lease=self._publish_attempt_lease
        )
        if step is NextStep.WAIT:
            return RetryOutcome.IN_FLIGHT
        if step is NextStep.DONE:
            return RetryOutcome.ALREADY_PUBLISHED
        if pending.publish_after is not None:
            pending.clear_backoff(now)
            await uow.pending_posts.update(pending)
            await uow.commit()
        return None


def _published_key(post: Post) -> Keyset:
    assert post.published_at is not None  # a page of published posts only
    return Keyset(post.published_at, post.id)


def _published_view(post: Post) -> PublishedPostView:
    return view_of(PublishedPostView, post)
