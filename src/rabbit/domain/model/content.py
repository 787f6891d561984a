"""Generated and published content, its metrics, publish attempts and embeddings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rabbit.domain.enums import (
    ContentAngle,
    ContentType,
    GenerationMode,
    PendingPostStatus,
    PublishAttemptStatus,
    SocialPlatform,
)
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

    def move_to(self, target: PendingPostStatus) -> None:
        """Change status as the lifecycle table allows, or raise InvalidTransitionError."""
        check_pending_post_transition(self.id, self.status, target)
        self.status = target


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

    @property
    def engagement(self) -> int:
        """Likes + comments + shares: the interactions the learning loop counts."""
        return self.likes + self.comments + self.shares


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


@dataclass(frozen=True, slots=True)
class SimilarContent:
    """A search hit: which content, and how similar (1 - cosine distance)."""

    content_type: ContentType
    content_id: str
    similarity: float
    content_hash: str
    created_at: datetime
