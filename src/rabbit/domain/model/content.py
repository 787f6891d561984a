"""Generated and published content, its metrics, publish attempts and embeddings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rabbit.domain.enums import (
    PUBLISHABLE_STATUSES,
    ContentAngle,
    ContentType,
    GenerationMode,
    PendingPostStatus,
    PublishAttemptStatus,
    SocialPlatform,
)
from rabbit.domain.policies.approval import approval_expires_at
from rabbit.domain.policies.backoff import backoff_delay
from rabbit.domain.policies.engagement import engagement_rate
from rabbit.domain.policies.similarity import content_hash
from rabbit.domain.policies.transitions import check_pending_post_transition

EMBEDDING_DIMENSIONS = 768


@dataclass(kw_only=True, slots=True)
class PendingPost:
    """A generated post awaiting review or its publishing slot."""

    id: str
    organization_id: str
    brand_profile_id: str
    material_id: str
    schedule_id: str | None = None
    platforms: tuple[SocialPlatform, ...]
    content: str
    hashtags: tuple[str, ...] = ()
    media_urls: tuple[str, ...] = ()
    angle: ContentAngle
    angle_reason: str | None = None
    is_exploration: bool = False
    generation_mode: GenerationMode = GenerationMode.AUTOPILOT
    scheduled_for: datetime | None = None
    expires_at: datetime | None = None
    status: PendingPostStatus = PendingPostStatus.PENDING
    review_notes: str | None = None
    embedding_id: str | None = None
    publish_after: datetime | None = None
    """Publishing backs off until then (no credits, errors; ADR 0015); None: due at once."""
    publish_failures: int = 0
    """Publishing runs in a row that made no progress (the backoff doubles with each)."""
    publish_credits: int = 0
    """PUBLISH credits this post holds: reserved before its first platform call, settled
    to the price of the platforms that accepted it when it ends (ADR 0015)."""
    created_at: datetime
    updated_at: datetime

    @classmethod
    def generated(
        cls,
        *,
        id: str,
        organization_id: str,
        brand_profile_id: str,
        material_id: str,
        schedule_id: str | None,
        platforms: tuple[SocialPlatform, ...],
        content: str,
        hashtags: tuple[str, ...],
        media_urls: tuple[str, ...],
        angle: ContentAngle,
        angle_reason: str,
        is_exploration: bool,
        mode: GenerationMode,
        scheduled_for: datetime | None,
        embedding_id: str | None,
        auto_approve: bool,
        approval_timeout_hours: int,
        now: datetime,
    ) -> PendingPost:
        """A post the models just wrote: AUTO_APPROVED when ``auto_approve``
        (:func:`~rabbit.domain.policies.approval.auto_approves`), else PENDING until its
        review expires; scheduled for ``now`` unless a slot is given."""
        return cls(
            id=id,
            organization_id=organization_id,
            brand_profile_id=brand_profile_id,
            material_id=material_id,
            schedule_id=schedule_id,
            platforms=platforms,
            content=content,
            hashtags=hashtags,
            media_urls=media_urls,
            angle=angle,
            angle_reason=angle_reason,
            is_exploration=is_exploration,
            generation_mode=mode,
            scheduled_for=scheduled_for or now,
            embedding_id=embedding_id,
            status=PendingPostStatus.AUTO_APPROVED if auto_approve else PendingPostStatus.PENDING,
            expires_at=None if auto_approve else approval_expires_at(now, approval_timeout_hours),
            created_at=now,
            updated_at=now,
        )

    def check_move(self, target: PendingPostStatus) -> None:
        """Raise InvalidTransitionError unless the lifecycle table allows ``target`` now."""
        check_pending_post_transition(self.id, self.status, target)

    def move_to(self, target: PendingPostStatus, now: datetime) -> None:
        """Change status as the lifecycle table allows, or raise InvalidTransitionError."""
        self.check_move(target)
        self.status = target
        self.updated_at = now

    def approve(
        self,
        now: datetime,
        *,
        content: str | None = None,
        embedding_id: str | None = None,
        hashtags: tuple[str, ...] | None = None,
        review_notes: str | None = None,
    ) -> None:
        """PENDING → APPROVED, with the reviewer's edits (None leaves a field as it is;
        edited ``content`` comes with the ``embedding_id`` of its new embedding)."""
        self.move_to(PendingPostStatus.APPROVED, now)
        if content is not None:
            self.content = content
            self.embedding_id = embedding_id
        if hashtags is not None:
            self.hashtags = hashtags
        if review_notes is not None:
            self.review_notes = review_notes

    def reject(self, review_notes: str | None, now: datetime) -> None:
        """PENDING → REJECTED, with the reviewer's notes."""
        self.move_to(PendingPostStatus.REJECTED, now)
        self.review_notes = review_notes

    def is_due(self, now: datetime) -> bool:
        """Approved (by review or automatically) and its slot has come."""
        return (
            self.status in PUBLISHABLE_STATUSES
            and self.scheduled_for is not None
            and self.scheduled_for <= now
        )

    def give_up(self, reason: str, now: datetime) -> None:
        """→ FAILED: a platform cannot take it (ADR 0015); ``reason`` says which and why."""
        self.move_to(PendingPostStatus.FAILED, now)
        self.review_notes = reason

    def hold_publish_credits(self, amount: int, now: datetime) -> None:
        """The PUBLISH credits the post holds from now on (reserved, then settled)."""
        self.publish_credits = amount
        self.updated_at = now

    def note(self, review_notes: str, now: datetime) -> None:
        """Leave a note for the reviewers (a charge that could not be made)."""
        self.review_notes = review_notes
        self.updated_at = now

    def extend_review(self, by: timedelta, now: datetime) -> None:
        """Give back review time (a restored organisation's post gets the time it had left
        when deleted, ADR 0014): ``expires_at`` moves on by ``by``; none stays none."""
        if self.expires_at is not None:
            self.expires_at += by
        self.updated_at = now

    def back_off(self, run_at: datetime, base: timedelta, cap: timedelta, now: datetime) -> None:
        """One more publishing run (the one at ``run_at``) without progress: not due again
        before the backoff (:func:`~rabbit.domain.policies.backoff.backoff_delay`) has
        passed."""
        self.publish_failures += 1
        self.publish_after = run_at + backoff_delay(self.publish_failures, base, cap)
        self.updated_at = now

    def clear_backoff(self, now: datetime) -> None:
        """A run made progress: due again at once."""
        self.publish_failures = 0
        self.publish_after = None
        self.updated_at = now


@dataclass(kw_only=True, slots=True)
class Post:
    """A post published to one platform through one account."""

    id: str
    organization_id: str
    brand_profile_id: str
    social_account_id: str
    material_id: str | None = None
    schedule_id: str | None = None
    pending_post_id: str | None = None
    content: str
    hashtags: tuple[str, ...] = ()
    media_urls: tuple[str, ...] = ()
    platform: SocialPlatform
    external_id: str | None = None
    external_url: str | None = None
    published_at: datetime | None = None
    angle: ContentAngle
    angle_reason: str | None = None
    is_exploration: bool = False
    likes: int = 0
    comments: int = 0
    shares: int = 0
    impressions: int = 0
    reach: int = 0
    clicks: int = 0
    engagement_rate: float | None = None
    metrics_updated_at: datetime | None = None
    deleted_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def published(
        cls,
        *,
        id: str,
        pending: PendingPost,
        attempt: PublishAttempt,
        external_id: str | None,
        external_url: str | None,
        now: datetime,
    ) -> Post:
        """The post a platform accepted for ``attempt`` of ``pending``: its content, angle
        and origin are the pending post's."""
        return cls(
            id=id,
            organization_id=pending.organization_id,
            brand_profile_id=pending.brand_profile_id,
            social_account_id=attempt.social_account_id,
            material_id=pending.material_id,
            schedule_id=pending.schedule_id,
            pending_post_id=pending.id,
            content=pending.content,
            hashtags=pending.hashtags,
            media_urls=pending.media_urls,
            platform=attempt.platform,
            external_id=external_id,
            external_url=external_url,
            published_at=now,
            angle=pending.angle,
            angle_reason=pending.angle_reason,
            is_exploration=pending.is_exploration,
            created_at=now,
            updated_at=now,
        )

    @property
    def engagement(self) -> int:
        """Likes + comments + shares: the interactions the learning loop counts."""
        return self.likes + self.comments + self.shares

    def record_metrics(self, reading: PostMetric) -> None:
        """Keep the latest counters and engagement rate of a reading of this post."""
        self.likes = reading.likes
        self.comments = reading.comments
        self.shares = reading.shares
        self.impressions = reading.impressions
        self.reach = reading.reach
        self.clicks = reading.clicks
        self.engagement_rate = reading.engagement_rate
        self.metrics_updated_at = self.updated_at = reading.collected_at


@dataclass(kw_only=True, slots=True)
class PostMetric:
    """One reading of a post's counters (the metrics history)."""

    id: str
    organization_id: str
    post_id: str
    collected_at: datetime
    likes: int = 0
    comments: int = 0
    shares: int = 0
    impressions: int = 0
    reach: int = 0
    clicks: int = 0
    engagement_rate: float | None = None

    @classmethod
    def reading(
        cls,
        *,
        id: str,
        organization_id: str,
        post_id: str,
        collected_at: datetime,
        likes: int,
        comments: int,
        shares: int,
        impressions: int,
        reach: int,
        clicks: int,
    ) -> PostMetric:
        """The counters a platform reported, with their engagement rate
        (:func:`~rabbit.domain.policies.engagement.engagement_rate`)."""
        return cls(
            id=id,
            organization_id=organization_id,
            post_id=post_id,
            collected_at=collected_at,
            likes=likes,
            comments=comments,
            shares=shares,
            impressions=impressions,
            reach=reach,
            clicks=clicks,
            engagement_rate=engagement_rate(likes, comments, shares, clicks, impressions),
        )


@dataclass(kw_only=True, slots=True)
class PublishAttempt:
    """One try to publish a pending post to one platform, written before the platform call.

    The idempotency key is the same for every try of the same (pending post, platform), so
    the publisher can recognise a repeat and a lookup can settle an UNKNOWN outcome.
    """

    id: str
    organization_id: str
    pending_post_id: str
    platform: SocialPlatform
    social_account_id: str
    attempt_number: int
    idempotency_key: str
    status: PublishAttemptStatus = PublishAttemptStatus.STARTED
    external_id: str | None = None
    error: str | None = None
    started_at: datetime
    finished_at: datetime | None = None

    def succeed(self, external_id: str | None, now: datetime) -> None:
        """The platform holds the post (whatever this attempt was settled as before: a
        success is always recorded, ADR 0015)."""
        self._finish(PublishAttemptStatus.SUCCEEDED, None, now)
        self.external_id = external_id

    def fail(self, error: str, now: datetime) -> None:
        """The platform refused, or a lookup found nothing: a new attempt may start."""
        self._finish(PublishAttemptStatus.FAILED, error, now)

    def mark_unknown(self, error: str, now: datetime) -> None:
        """No answer: only a lookup by the idempotency key may settle it."""
        self._finish(PublishAttemptStatus.UNKNOWN, error, now)

    def _finish(self, status: PublishAttemptStatus, error: str | None, now: datetime) -> None:
        self.status = status
        self.error = error
        self.finished_at = now


@dataclass(kw_only=True, slots=True)
class ContentEmbedding:
    """The vector of a material, pending post or post (one per content), and its text hash."""

    id: str
    organization_id: str
    content_type: ContentType
    content_id: str
    embedding: tuple[float, ...] = field(repr=False)
    content_hash: str
    created_at: datetime

    @classmethod
    def embedded(
        cls,
        *,
        id: str,
        organization_id: str,
        content_type: ContentType,
        content_id: str,
        text: str,
        vector: Sequence[float],
        now: datetime,
    ) -> ContentEmbedding:
        """The ``vector`` of ``text``, with the hash that finds exact repeats of it
        (:func:`~rabbit.domain.policies.similarity.content_hash`)."""
        return cls(
            id=id,
            organization_id=organization_id,
            content_type=content_type,
            content_id=content_id,
            embedding=tuple(vector),
            content_hash=content_hash(text),
            created_at=now,
        )


@dataclass(frozen=True, slots=True)
class SimilarContent:
    """A search hit: which content, and how similar (1 - cosine distance)."""

    content_type: ContentType
    content_id: str
    similarity: float
    content_hash: str
    created_at: datetime
