"""Builders of valid entities with sensible defaults and fixed aware-UTC timestamps.

Every builder takes keyword overrides for any field. Ids are fresh cuid2 strings, so rows
never collide between tests; pass ``id=`` where a test needs a known order.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from cuid2 import Cuid

from rabbit.domain.enums import (
    BillingEventKind,
    ContentAngle,
    ContentType,
    CreditAction,
    ExternalSourceType,
    FontPreference,
    MaterialStatus,
    MaterialStrategy,
    MaterialType,
    MemberRole,
    PendingPostStatus,
    PublishAttemptStatus,
    ScheduleFrequency,
    Sentiment,
    SocialAccountType,
    SocialPlatform,
    SubscriptionStatus,
    SubscriptionTier,
    VisualStyle,
)
from rabbit.domain.model import (
    EMBEDDING_DIMENSIONS,
    BillingEvent,
    BrandProfile,
    BrandProfileAccount,
    ContentEmbedding,
    CreditTransaction,
    ExternalSource,
    Material,
    Organization,
    OrganizationMember,
    PendingPost,
    Post,
    PostMetric,
    PublishAttempt,
    Schedule,
    SocialAccount,
    Subscription,
    User,
)
from rabbit.domain.values import (
    BrandColors,
    ContentPillar,
    ContentPillars,
    ExamplePost,
    LanguageRules,
    PlatformSetting,
    PlatformSettings,
    ShopifySourceConfig,
    WooCommerceSourceConfig,
)

#: The fixed "now" of the suite; every default timestamp is derived from it.
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

_cuid = Cuid(length=24)
E = TypeVar("E")


def new_id() -> str:
    return _cuid.generate()


def at(minutes: float = 0, *, days: float = 0) -> datetime:
    """An instant relative to :data:`T0`."""
    return T0 + timedelta(days=days, minutes=minutes)


def sorted_ids(count: int) -> list[str]:
    """``count`` fresh ids in ascending order (for tie-breaking tests)."""
    return sorted(new_id() for _ in range(count))


def _build(cls: type[Any], defaults: dict[str, Any], overrides: dict[str, Any]) -> Any:
    return cls(**{**defaults, **overrides})


def _owned(cls: type[E], org: Organization, own: dict[str, Any], overrides: dict[str, Any]) -> E:
    """A new row of ``org`` with a fresh id, stamped :data:`T0` (``created_at`` and
    ``updated_at``, where the entity has them), its own defaults and the overrides."""
    names = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    stamps = {name: T0 for name in ("created_at", "updated_at") if name in names}
    return _build(cls, {"id": new_id(), "organization_id": org.id, **stamps, **own}, overrides)  # type: ignore[no-any-return]


def a_user(**fields: Any) -> User:
    user_id = fields.pop("id", new_id())
    defaults = {
        "id": user_id,
        "email": f"user-{user_id}@example.com",
        "name": "Ada Lovelace",
        "created_at": T0,
        "updated_at": T0,
    }
    return _build(User, defaults, fields)  # type: ignore[no-any-return]


def an_organization(**fields: Any) -> Organization:
    org_id = fields.pop("id", new_id())
    defaults = {
        "id": org_id,
        "name": "Acme",
        "slug": f"acme-{org_id}",
        "created_at": T0,
        "updated_at": T0,
    }
    return _build(Organization, defaults, fields)  # type: ignore[no-any-return]


def a_member(org: Organization, user: User, **fields: Any) -> OrganizationMember:
    own = {
        "user_id": user.id,
        "role": MemberRole.MEMBER,
        "invited_at": T0,
        "joined_at": None,
    }
    return _owned(OrganizationMember, org, own, fields)


def a_subscription(org: Organization, **fields: Any) -> Subscription:
    own = {
        "tier": SubscriptionTier.FREE,
        "status": SubscriptionStatus.TRIALING,
        "credits_total": 30,
        "credits_used": 0,
        "current_period_start": T0,
        "current_period_end": at(days=30),
    }
    return _owned(Subscription, org, own, fields)


def a_credit_transaction(
    org: Organization, subscription: Subscription, **fields: Any
) -> CreditTransaction:
    own = {
        "subscription_id": subscription.id,
        "amount": -1,
        "action": CreditAction.GENERATE,
        "description": "generate a post",
    }
    return _owned(CreditTransaction, org, own, fields)


def a_billing_event(org: Organization, **fields: Any) -> BillingEvent:
    own = {
        "reference": f"evt_{new_id()}",
        "kind": BillingEventKind.RENEWAL,
    }
    return _owned(BillingEvent, org, own, fields)


def a_brand(org: Organization, **fields: Any) -> BrandProfile:
    own = {
        "name": "Acme Coffee",
    }
    return _owned(BrandProfile, org, own, fields)


def a_rich_brand(org: Organization, **fields: Any) -> BrandProfile:
    """A brand with every field set to a non-default value."""
    defaults = {
        "logo": "logos/acme.png",
        "icon": "icons/acme.png",
        "colors": BrandColors(primary="#112233", secondary="#445566", accent="#778899"),
        "visual_style": VisualStyle.LUXURY,
        "font_preference": FontPreference.HANDWRITTEN,
        "tone": ("warm", "witty"),
        "personality": "a friendly barista",
        "language_rules": LanguageRules(
            words_to_use=("fresh", "roast"),
            words_to_avoid=("cheap",),
            emoji_usage="heavy",
            hashtag_style="none",
            cta_style="direct",
        ),
        "example_posts": (
            ExamplePost(platform=SocialPlatform.LINKEDIN, content="Our beans, your morning."),
            ExamplePost(platform=SocialPlatform.TWITTER, content="Espresso o'clock ☕"),
        ),
        "custom_context": "Roastery in Lisbon since 2012.",
        "target_audience": "commuters",
        "content_pillars": ContentPillars(
            pillars=(
                ContentPillar(name="Origins", percentage=60),
                ContentPillar(name="Recipes", percentage=40),
            )
        ),
        "platform_settings": PlatformSettings(
            platforms={
                SocialPlatform.LINKEDIN: PlatformSetting(
                    enabled=True,
                    tone_override=("formal",),
                    custom_context_override="B2B wholesale",
                    hashtags_default=("#coffee", "#b2b"),
                ),
                SocialPlatform.TIKTOK: PlatformSetting(enabled=False),
            }
        ),
        "auto_approve": False,
        "notify_email": "review@acme.example",
        "notify_webhook": "https://hooks.acme.example/review",
        "approval_timeout": 48,
        "created_at": at(1),
        "updated_at": at(2),
    }
    return a_brand(org, **{**defaults, **fields})


def a_social_account(org: Organization, **fields: Any) -> SocialAccount:
    own = {
        "platform": SocialPlatform.LINKEDIN,
        "account_id": f"ext-{new_id()}",
        "account_name": "Acme on LinkedIn",
        "access_token": "v2:key1:ciphertext-access",
    }
    return _owned(SocialAccount, org, own, fields)


def a_rich_social_account(org: Organization, **fields: Any) -> SocialAccount:
    defaults = {
        "platform": SocialPlatform.INSTAGRAM,
        "account_type": SocialAccountType.BUSINESS,
        "profile_url": "https://instagram.example/acme",
        "avatar_url": "https://cdn.example/acme.png",
        "refresh_token": "v2:key1:ciphertext-refresh",
        "token_expires_at": at(days=60),
        "token_version": 3,
        "is_active": False,
        "created_at": at(1),
        "updated_at": at(2),
    }
    return a_social_account(org, **{**defaults, **fields})


def a_link(
    org: Organization, brand: BrandProfile, account: SocialAccount, **fields: Any
) -> BrandProfileAccount:
    own = {
        "brand_profile_id": brand.id,
        "social_account_id": account.id,
        "platform": account.platform,
        "is_default": False,
    }
    return _owned(BrandProfileAccount, org, own, fields)


def a_schedule(org: Organization, brand: BrandProfile, **fields: Any) -> Schedule:
    own = {
        "brand_profile_id": brand.id,
        "name": "Weekday mornings",
        "platforms": (SocialPlatform.LINKEDIN,),
        "frequency": ScheduleFrequency.ONE_PER_DAY,
        "times": ("09:00",),
        "timezone": "Europe/Lisbon",
        "next_run_at": at(days=1),
    }
    return _owned(Schedule, org, own, fields)


def a_rich_schedule(org: Organization, brand: BrandProfile, **fields: Any) -> Schedule:
    defaults = {
        "name": "Twice a day",
        "platforms": (SocialPlatform.TWITTER, SocialPlatform.FACEBOOK),
        "frequency": ScheduleFrequency.TWO_PER_DAY,
        "times": ("08:15", "18:45"),
        "timezone": "America/New_York",
        "days_of_week": (0, 6),
        "material_strategy": MaterialStrategy.PILLAR_BALANCED,
        "auto_approve": False,
        "unique_per_platform": True,
        "is_active": False,
        "next_run_at": at(days=2, minutes=15),
        "created_at": at(1),
        "updated_at": at(2),
    }
    return a_schedule(org, brand, **{**defaults, **fields})


def a_material(org: Organization, brand: BrandProfile | None = None, **fields: Any) -> Material:
    own = {
        "brand_profile_id": brand.id if brand is not None else None,
        "type": MaterialType.TEXT,
        "name": "Spring blend",
        "original_content": "Our spring blend has notes of cherry and cocoa.",
    }
    return _owned(Material, org, own, fields)


def a_rich_material(org: Organization, brand: BrandProfile, **fields: Any) -> Material:
    defaults = {
        "type": MaterialType.IMAGE,
        "original_content": None,
        "file_key": "uploads/spring.png",
        "file_size": 123_456,
        "mime_type": "image/png",
        "url": "https://cdn.example/spring.png",
        "summary": "A bag of the spring blend.",
        "key_points": ("cherry", "cocoa"),
        "keywords": ("coffee", "spring"),
        "suggested_angles": (ContentAngle.STORYTELLING, ContentAngle.PROMOTIONAL),
        "sentiment": Sentiment.POSITIVE,
        "content_pillar": "Origins",
        "status": MaterialStatus.USED,
        "usage_count": 4,
        "last_used_at": at(30),
        "created_at": at(1),
        "updated_at": at(2),
    }
    return a_material(org, brand, **{**defaults, **fields})


def an_external_source(org: Organization, brand: BrandProfile, **fields: Any) -> ExternalSource:
    own = {
        "brand_profile_id": brand.id,
        "type": ExternalSourceType.SHOPIFY,
        "name": "Acme shop",
        "connection_config": ShopifySourceConfig(),
    }
    return _owned(ExternalSource, org, own, fields)


def a_rich_external_source(org: Organization, brand: BrandProfile, **fields: Any) -> ExternalSource:
    defaults = {
        "type": ExternalSourceType.WOOCOMMERCE,
        "store_url": "https://shop.acme.example",
        "connection_config": WooCommerceSourceConfig.from_json(
            {
                "consumer_key": "v2:key1:enc-consumer-key",
                "consumer_secret": "v2:key1:enc-consumer-secret",
                "store_url": "https://shop.acme.example",
                "api_version": "wc/v3",
                "legacy": {"region": "v2:key1:enc-region"},
            }
        ),
        "last_crawl_at": at(-60),
        "crawl_frequency": "30 2 * * 1",
        "is_active": False,
        "created_at": at(1),
        "updated_at": at(2),
    }
    return an_external_source(org, brand, **{**defaults, **fields})


def a_pending_post(
    org: Organization, brand: BrandProfile, material: Material, **fields: Any
) -> PendingPost:
    own = {
        "brand_profile_id": brand.id,
        "material_id": material.id,
        "platforms": (SocialPlatform.LINKEDIN,),
        "content": "Meet the spring blend.",
        "angle": ContentAngle.PRODUCT_FOCUS,
        "status": PendingPostStatus.PENDING,
    }
    return _owned(PendingPost, org, own, fields)


def a_post(org: Organization, brand: BrandProfile, account: SocialAccount, **fields: Any) -> Post:
    own = {
        "brand_profile_id": brand.id,
        "social_account_id": account.id,
        "content": "Meet the spring blend.",
        "platform": account.platform,
        "angle": ContentAngle.PRODUCT_FOCUS,
        "published_at": T0,
    }
    return _owned(Post, org, own, fields)


def a_post_metric(org: Organization, post: Post, **fields: Any) -> PostMetric:
    own = {
        "post_id": post.id,
        "collected_at": T0,
    }
    return _owned(PostMetric, org, own, fields)


def a_publish_attempt(
    org: Organization,
    pending_post: PendingPost,
    account: SocialAccount,
    **fields: Any,
) -> PublishAttempt:
    own = {
        "pending_post_id": pending_post.id,
        "platform": account.platform,
        "social_account_id": account.id,
        "attempt_number": 1,
        "idempotency_key": f"{pending_post.id}:{account.platform}",
        "status": PublishAttemptStatus.STARTED,
        "started_at": T0,
    }
    return _owned(PublishAttempt, org, own, fields)


def an_embedding(
    org: Organization,
    *,
    vector: Sequence[float] | None = None,
    **fields: Any,
) -> ContentEmbedding:
    own = {
        "content_type": ContentType.MATERIAL,
        "content_id": new_id(),
        "embedding": tuple(vector) if vector is not None else basis(0),
        "content_hash": "0123456789abcdef",
    }
    return _owned(ContentEmbedding, org, own, fields)


# Vectors ---------------------------------------------------------------------------------


def basis(index: int) -> tuple[float, ...]:
    """The unit vector along one axis."""
    values = [0.0] * EMBEDDING_DIMENSIONS
    values[index] = 1.0
    return tuple(values)


def at_similarity(similarity: float, axis: int) -> tuple[float, ...]:
    """A unit vector whose cosine similarity with ``basis(0)`` is ``similarity``; ``axis``
    (>= 1) picks the orthogonal direction, so vectors on different axes differ."""
    values = [0.0] * EMBEDDING_DIMENSIONS
    values[0] = similarity
    values[axis] = math.sqrt(max(0.0, 1.0 - similarity * similarity))
    return tuple(values)


def cosine_similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """1 - cosine distance, computed by hand: the brute-force reference."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm_a = math.sqrt(sum(x * x for x in a))
    norm_b = math.sqrt(sum(y * y for y in b))
    return dot / (norm_a * norm_b)
