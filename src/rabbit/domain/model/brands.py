"""Brand profiles, their links to social accounts, and external sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rabbit.domain.enums import ExternalSourceType, FontPreference, SocialPlatform, VisualStyle
from rabbit.domain.policies.approval import DEFAULT_APPROVAL_TIMEOUT_HOURS
from rabbit.domain.values import (
    BrandColors,
    ContentPillars,
    ExamplePost,
    ExternalSourceConfig,
    LanguageRules,
    PlatformSettings,
)


@dataclass(kw_only=True, slots=True)
class BrandProfile:
    """A brand's identity, voice and context: what the generator writes from."""

    id: str
    organization_id: str
    name: str
    logo: str | None = None
    icon: str | None = None
    colors: BrandColors = field(default_factory=BrandColors)
    visual_style: VisualStyle = VisualStyle.MINIMAL
    font_preference: FontPreference = FontPreference.MODERN
    tone: tuple[str, ...] = ()
    personality: str | None = None
    language_rules: LanguageRules = field(default_factory=LanguageRules)
    example_posts: tuple[ExamplePost, ...] = ()
    custom_context: str | None = None
    target_audience: str | None = None
    content_pillars: ContentPillars = field(default_factory=ContentPillars)
    platform_settings: PlatformSettings = field(default_factory=PlatformSettings)
    auto_approve: bool = True
    notify_email: str | None = field(default=None, repr=False)
    """Personal data: left out of the repr (ADR 0021)."""
    notify_webhook: str | None = field(default=None, repr=False)
    """Left out of the repr: a webhook URL is often its own credential (ADR 0021)."""
    approval_timeout: int = DEFAULT_APPROVAL_TIMEOUT_HOURS
    deleted_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


@dataclass(kw_only=True, slots=True)
class BrandProfileAccount:
    """An N:M link between a brand and a social account; at most one default per platform.

    ``platform`` repeats the account's platform so that the one-default-per-(brand, platform)
    rule can be a unique constraint.
    """

    id: str
    organization_id: str
    brand_profile_id: str
    social_account_id: str
    platform: SocialPlatform
    is_default: bool = False
    created_at: datetime


@dataclass(kw_only=True, slots=True)
class ExternalSource:
    """A shop or feed the agent reads materials from; its secrets are stored encrypted."""

    id: str
    organization_id: str
    brand_profile_id: str
    type: ExternalSourceType
    name: str
    store_url: str | None = None
    connection_config: ExternalSourceConfig
    """The subclass of ``type`` (:data:`~rabbit.domain.values.SOURCE_CONFIGS`)."""
    last_crawl_at: datetime | None = None
    crawl_frequency: str = "0 0 * * *"
    is_active: bool = True
    created_at: datetime
    updated_at: datetime
