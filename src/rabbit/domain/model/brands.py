"""Brand profiles, their links to social accounts, and external sources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rabbit.domain.enums import ExternalSourceType, FontPreference, SocialPlatform, VisualStyle
from rabbit.domain.errors import ValidationError
from rabbit.domain.model.social import SocialAccount
from rabbit.domain.policies.approval import DEFAULT_APPROVAL_TIMEOUT_HOURS
from rabbit.domain.policies.cron import validate_cron
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

    @classmethod
    def created(
        cls, *, id: str, organization_id: str, settings: Mapping[str, Any], now: datetime
    ) -> BrandProfile:
        """A new brand with its ``settings`` (name → value: ``name`` and any editable field;
        a field left out takes its default)."""
        _check_editable(settings)
        return cls(
            id=id, organization_id=organization_id, created_at=now, updated_at=now, **settings
        )

    def edit(self, changes: Mapping[str, Any], now: datetime) -> None:
        """Take the edited fields (name → value; a field left out stays as it is). Only the
        brand's own settings may change this way, never its identity or timestamps."""
        _check_editable(changes)
        for name, value in changes.items():
            setattr(self, name, value)
        self.updated_at = now

    def delete(self, now: datetime) -> None:
        """Soft delete: hidden from every ordinary query until restored or purged."""
        self.deleted_at = self.updated_at = now

    def restore(self, now: datetime) -> None:
        """Undo a soft delete."""
        self.deleted_at = None
        self.updated_at = now


_FIXED_BRAND_FIELDS = frozenset({"id", "organization_id", "deleted_at", "created_at", "updated_at"})


def _check_editable(settings: Mapping[str, Any]) -> None:
    """ValidationError naming a field of ``settings`` that is the brand's identity
    or a timestamp, which only the brand itself sets."""
    for name in _FIXED_BRAND_FIELDS.intersection(settings):
        raise ValidationError(name, "is not an editable field of a brand")


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

    @classmethod
    def linked(
        cls,
        *,
        id: str,
        brand_profile_id: str,
        account: SocialAccount,
        is_default: bool,
        now: datetime,
    ) -> BrandProfileAccount:
        """A new link of the brand to ``account``, on the account's platform."""
        return cls(
            id=id,
            organization_id=account.organization_id,
            brand_profile_id=brand_profile_id,
            social_account_id=account.id,
            platform=account.platform,
            is_default=is_default,
            created_at=now,
        )

    def set_default(self, is_default: bool) -> None:
        """Whether the brand publishes to this platform through this account by default;
        the one-default-per-platform rule is the caller's (it spans the brand's links)."""
        self.is_default = is_default


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

    @classmethod
    def added(
        cls,
        *,
        id: str,
        organization_id: str,
        brand_profile_id: str,
        type: ExternalSourceType,
        name: str,
        store_url: str | None,
        connection_config: ExternalSourceConfig,
        crawl_frequency: str,
        now: datetime,
    ) -> ExternalSource:
        """A new active source, never crawled yet; its secrets already in their stored form.
        The crawl frequency is kept normalised, or ValidationError(crawl_frequency)
        (:func:`~rabbit.domain.policies.cron.validate_cron`)."""
        return cls(
            id=id,
            organization_id=organization_id,
            brand_profile_id=brand_profile_id,
            type=type,
            name=name,
            store_url=store_url,
            connection_config=connection_config,
            crawl_frequency=validate_cron(crawl_frequency, "crawl_frequency"),
            created_at=now,
            updated_at=now,
        )

    def replace_secrets(self, secrets: Mapping[str, str], now: datetime) -> None:
        """New stored forms of some secrets of its configuration (path → ciphertext), as a
        key rotation writes them; the other fields of the configuration stay."""
        self.connection_config = self.connection_config.with_secrets(secrets)
        self.updated_at = now
