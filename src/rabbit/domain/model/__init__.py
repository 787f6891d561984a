"""The entities (docs/domain.md#tables) as plain dataclasses: no SQLAlchemy, no driver.

Entities are mutable and carry the behaviour that keeps their own invariants (a subscription
refuses to overdraw, a material refuses a transition its lifecycle does not allow).
Repositories copy them on load and on save, so a change reaches the store only through an
explicit ``add``/``update``.
"""

from rabbit.domain.model.billing import BillingEvent, CreditTransaction, Subscription
from rabbit.domain.model.brands import BrandProfile, BrandProfileAccount, ExternalSource
from rabbit.domain.model.content import (
    EMBEDDING_DIMENSIONS,
    ContentEmbedding,
    PendingPost,
    Post,
    PostMetric,
    PublishAttempt,
    SimilarContent,
)
from rabbit.domain.model.identity import Organization, OrganizationMember, User
from rabbit.domain.model.keys import TokenKey
from rabbit.domain.model.materials import Material
from rabbit.domain.model.schedules import Schedule
from rabbit.domain.model.social import SocialAccount

__all__ = [
    "EMBEDDING_DIMENSIONS",
    "BillingEvent",
    "BrandProfile",
    "BrandProfileAccount",
    "ContentEmbedding",
    "CreditTransaction",
    "ExternalSource",
    "Material",
    "Organization",
    "OrganizationMember",
    "PendingPost",
    "Post",
    "PostMetric",
    "PublishAttempt",
    "Schedule",
    "SimilarContent",
    "SocialAccount",
    "Subscription",
    "TokenKey",
    "User",
]
