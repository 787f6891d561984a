"""Every closed set of the domain (docs/domain.md#enumerations).

The PostgreSQL enum types and the text-valued closed sets are both ``StrEnum`` here, so a
value compares equal to its stored string and serialises as itself.
"""

from __future__ import annotations

from enum import StrEnum


class MemberRole(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"
    VIEWER = "VIEWER"


class SubscriptionTier(StrEnum):
    FREE = "FREE"
    STARTER = "STARTER"
    GROWTH = "GROWTH"
    BUSINESS = "BUSINESS"
    ENTERPRISE = "ENTERPRISE"


class SubscriptionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"
    PAST_DUE = "PAST_DUE"
    TRIALING = "TRIALING"
    PAUSED = "PAUSED"


class BillingEventKind(StrEnum):
    """What a billing change reported by the payment provider did (ADR 0019)."""

    RENEWAL = "RENEWAL"
    TOP_UP = "TOP_UP"
    TIER_CHANGE = "TIER_CHANGE"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PAYMENT_RECOVERED = "PAYMENT_RECOVERED"
    CANCELLATION = "CANCELLATION"


class CreditAction(StrEnum):
    GENERATE = "GENERATE"
    GENERATE_TRENDING = "GENERATE_TRENDING"
    REWRITE = "REWRITE"
    PUBLISH = "PUBLISH"
    ANALYTICS = "ANALYTICS"
    TOPUP = "TOPUP"
    SUBSCRIPTION = "SUBSCRIPTION"


class SocialPlatform(StrEnum):
    FACEBOOK = "FACEBOOK"
    TWITTER = "TWITTER"
    LINKEDIN = "LINKEDIN"
    INSTAGRAM = "INSTAGRAM"
    YOUTUBE = "YOUTUBE"
    REDDIT = "REDDIT"
    TIKTOK = "TIKTOK"
    THREADS = "THREADS"


class VisualStyle(StrEnum):
    MINIMAL = "MINIMAL"
    BOLD = "BOLD"
    PLAYFUL = "PLAYFUL"
    CORPORATE = "CORPORATE"
    LUXURY = "LUXURY"
    TECH = "TECH"


class FontPreference(StrEnum):
    MODERN = "MODERN"
    CLASSIC = "CLASSIC"
    HANDWRITTEN = "HANDWRITTEN"
    MONOSPACE = "MONOSPACE"


class ContentAngle(StrEnum):
    PRODUCT_FOCUS = "PRODUCT_FOCUS"
    USER_BENEFIT = "USER_BENEFIT"
    STORYTELLING = "STORYTELLING"
    EDUCATIONAL = "EDUCATIONAL"
    SOCIAL_PROOF = "SOCIAL_PROOF"
    PROMOTIONAL = "PROMOTIONAL"


class MaterialType(StrEnum):
    TEXT = "TEXT"
    URL = "URL"
    FILE = "FILE"
    IMAGE = "IMAGE"
    VIDEO = "VIDEO"


class MaterialStatus(StrEnum):
    UPLOADED = "UPLOADED"
    PROCESSING = "PROCESSING"
    ANALYZED = "ANALYZED"
    READY = "READY"
    USED = "USED"
    ARCHIVED = "ARCHIVED"
    FAILED = "FAILED"


#: The states from which a material may be selected, generated from, and counted as used
#: (a post published from it moves it to USED).
SELECTABLE_MATERIAL_STATUSES: tuple[MaterialStatus, ...] = (
    MaterialStatus.READY,
    MaterialStatus.USED,
)


class PendingPostStatus(StrEnum):
    PENDING = "PENDING"
    AUTO_APPROVED = "AUTO_APPROVED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    PUBLISHED = "PUBLISHED"
    FAILED = "FAILED"


#: The states from which a pending post is published when it is due.
PUBLISHABLE_STATUSES: frozenset[PendingPostStatus] = frozenset(
    {PendingPostStatus.AUTO_APPROVED, PendingPostStatus.APPROVED}
)


class ContentType(StrEnum):
    MATERIAL = "MATERIAL"
    PENDING_POST = "PENDING_POST"
    POST = "POST"


class PublishAttemptStatus(StrEnum):
    STARTED = "STARTED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


# Text-valued closed sets (stored as text, validated here).


class ScheduleFrequency(StrEnum):
    ONE_PER_DAY = "1_per_day"
    TWO_PER_DAY = "2_per_day"
    THREE_PER_DAY = "3_per_day"
    WEEKLY = "weekly"
    CUSTOM = "custom"


class MaterialStrategy(StrEnum):
    ROUND_ROBIN = "round_robin"
    RANDOM = "random"
    WEIGHTED = "weighted"
    PILLAR_BALANCED = "pillar_balanced"


class GenerationMode(StrEnum):
    AUTOPILOT = "autopilot"
    MANUAL = "manual"


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class SocialAccountType(StrEnum):
    PERSONAL = "personal"
    PAGE = "page"
    BUSINESS = "business"


class ExternalSourceType(StrEnum):
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    CUSTOM = "custom"
