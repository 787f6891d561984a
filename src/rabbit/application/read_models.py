"""What the read side returns (ADR 0028): frozen views of the rows a dashboard lists.

Each view names its fields; none is a token, a secret or a ciphertext, and the views of a
user keep personal data out of their repr (ADR 0021). A view is built from its row by
:func:`view_of`, which copies the fields the view declares and nothing else, so a column
added to a table reaches no caller until a view names it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from rabbit.domain.enums import (
    ContentAngle,
    MaterialStatus,
    MaterialType,
    MemberRole,
    PublishAttemptStatus,
    SocialPlatform,
)
from rabbit.domain.model import Organization, OrganizationMember

V = TypeVar("V")


def view_of(view: type[V], row: object) -> V:
    """``view`` with each of its fields taken from ``row``'s attribute of the same name."""
    fields = dataclasses.fields(view)  # type: ignore[arg-type]
    values: dict[str, Any] = {f.name: getattr(row, f.name) for f in fields}
    return view(**values)


@dataclass(frozen=True, slots=True)
class MaterialSummary:
    """A material in a listing: everything but its original text (up to 200,000
    characters: read it with the material itself)."""

    id: str
    brand_profile_id: str | None
    type: MaterialType
    name: str | None
    status: MaterialStatus
    summary: str | None
    content_pillar: str | None
    url: str | None
    usage_count: int
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PublishedPostView:
    """A post a platform accepted, with its latest metrics; ``id`` is what a metrics
    collector reports against (``RabbitSystem.metrics.record_metrics``)."""

    id: str
    brand_profile_id: str
    social_account_id: str
    pending_post_id: str | None
    material_id: str | None
    platform: SocialPlatform
    content: str
    hashtags: tuple[str, ...]
    external_id: str | None
    external_url: str | None
    published_at: datetime
    angle: ContentAngle
    likes: int
    comments: int
    shares: int
    impressions: int
    reach: int
    clicks: int
    engagement_rate: float | None
    metrics_updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class PublishAttemptView:
    """One try to publish a pending post to a platform (ADR 0006, 0015)."""

    id: str
    pending_post_id: str
    platform: SocialPlatform
    social_account_id: str
    attempt_number: int
    idempotency_key: str
    status: PublishAttemptStatus
    external_id: str | None
    error: str | None
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class UserView:
    """The acting user's own account; personal data out of the repr (ADR 0021)."""

    id: str
    email: str = field(repr=False)
    email_verified: bool
    name: str | None = field(repr=False)
    image: str | None = field(repr=False)
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MembershipView:
    """An organisation the user belongs to or is invited to (``joined_at`` None), with the
    user's role; ``deleted_at`` set while a deleted organisation can still be restored."""

    organization_id: str
    name: str
    slug: str
    logo: str | None
    role: MemberRole
    invited_at: datetime | None
    joined_at: datetime | None
    deleted_at: datetime | None

    @classmethod
    def of(cls, member: OrganizationMember, organization: Organization) -> MembershipView:
        return cls(
            organization_id=organization.id,
            name=organization.name,
            slug=organization.slug,
            logo=organization.logo,
            role=member.role,
            invited_at=member.invited_at,
            joined_at=member.joined_at,
            deleted_at=organization.deleted_at,
        )
