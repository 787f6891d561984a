"""Entities are born through named factories that set their id, timestamps and defaults
and keep what they decide (docs/architecture.md#where-each-rule-lives): a use case builds
no row field by field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rabbit.domain.enums import (
    ContentType,
    CreditAction,
    ExternalSourceType,
    MemberRole,
    SocialPlatform,
    SubscriptionStatus,
    SubscriptionTier,
    VisualStyle,
)
from rabbit.domain.errors import ValidationError
from rabbit.domain.model import (
    BrandProfile,
    BrandProfileAccount,
    ContentEmbedding,
    CreditTransaction,
    ExternalSource,
    OrganizationMember,
    Schedule,
    SocialAccount,
    Subscription,
    User,
)
from rabbit.domain.policies.similarity import content_hash
from rabbit.domain.values import source_config_input

NOW = datetime(2025, 1, 6, 8, 30, tzinfo=UTC)  # a Monday


def test_a_registered_user_keeps_the_stored_form_of_the_email() -> None:
    user = User.registered(id="u", email="  Ada@Example.COM ", name=None, image=None, now=NOW)
    assert (user.email, user.email_verified, user.created_at, user.updated_at) == (
        "ada@example.com",
        False,
        NOW,
        NOW,
    )
    with pytest.raises(ValidationError) as refused:
        User.registered(id="u", email="not an address", name=None, image=None, now=NOW)
    assert refused.value.field == "email"


def test_an_invited_member_has_not_joined_and_a_founder_owns_at_once() -> None:
    invited = OrganizationMember.invited(
        id="m", organization_id="o", user_id="u", role=MemberRole.ADMIN, now=NOW
    )
    assert (invited.role, invited.invited_at, invited.has_joined) == (MemberRole.ADMIN, NOW, False)
    founder = OrganizationMember.founder(id="f", organization_id="o", user_id="u", now=NOW)
    assert (founder.role, founder.joined_at, founder.invited_at) == (MemberRole.OWNER, NOW, None)


def test_a_created_brand_takes_its_settings_and_defaults_but_not_an_identity() -> None:
    brand = BrandProfile.created(
        id="b", organization_id="o", settings={"name": "B", "auto_approve": False}, now=NOW
    )
    assert (brand.name, brand.auto_approve, brand.visual_style) == ("B", False, VisualStyle.MINIMAL)
    assert (brand.created_at, brand.updated_at, brand.deleted_at) == (NOW, NOW, None)
    for fixed in ("id", "organization_id", "deleted_at", "created_at", "updated_at"):
        with pytest.raises(ValidationError) as refused:
            BrandProfile.created(
                id="b", organization_id="o", settings={"name": "B", fixed: NOW}, now=NOW
            )
        assert refused.value.field == fixed


def test_a_planned_schedule_is_checked_and_due_at_its_first_slot_after_now() -> None:
    schedule = Schedule.planned(
        id="s",
        organization_id="o",
        brand_profile_id="b",
        settings={"platforms": (SocialPlatform.LINKEDIN,), "times": ("09:00",)},
        now=NOW,
    )
    assert (schedule.is_active, schedule.timezone) == (True, "UTC")
    assert schedule.next_run_at == NOW.replace(hour=9, minute=0)
    with pytest.raises(ValidationError):
        Schedule.planned(
            id="s",
            organization_id="o",
            brand_profile_id="b",
            settings={"platforms": (SocialPlatform.LINKEDIN,), "times": ("25:00",)},
            now=NOW,
        )
    with pytest.raises(ValidationError) as refused:
        Schedule.planned(
            id="s",
            organization_id="o",
            brand_profile_id="b",
            settings={"times": ("09:00",), "next_run_at": NOW - timedelta(days=1)},
            now=NOW,
        )
    assert refused.value.field == "next_run_at"


def test_an_added_source_keeps_its_crawl_frequency_normalised() -> None:
    def added(crawl_frequency: str) -> ExternalSource:
        return ExternalSource.added(
            id="x",
            organization_id="o",
            brand_profile_id="b",
            type=ExternalSourceType.CUSTOM,
            name="feed",
            store_url=None,
            connection_config=source_config_input(ExternalSourceType.CUSTOM, {}),
            crawl_frequency=crawl_frequency,
            now=NOW,
        )

    source = added("  0   6 * * 1 ")
    assert (source.crawl_frequency, source.is_active, source.last_crawl_at) == (
        "0 6 * * 1",
        True,
        None,
    )
    with pytest.raises(ValidationError) as refused:
        added("every day")
    assert refused.value.field == "crawl_frequency"


def test_a_connected_account_starts_active_at_its_first_token_version() -> None:
    account = SocialAccount.connected(
        id="a",
        organization_id="o",
        platform=SocialPlatform.LINKEDIN,
        account_id="li-1",
        account_name="Ada",
        account_type=None,
        profile_url=None,
        avatar_url=None,
        access_token="v1:k:stored",
        refresh_token=None,
        token_expires_at=None,
        now=NOW,
    )
    assert (account.token_version, account.is_usable, account.updated_at) == (1, True, NOW)
    link = BrandProfileAccount.linked(
        id="l", brand_profile_id="b", account=account, is_default=True, now=NOW
    )
    assert (link.organization_id, link.social_account_id, link.platform) == (
        "o",
        "a",
        SocialPlatform.LINKEDIN,
    )


def test_an_embedding_carries_the_hash_of_its_text() -> None:
    embedding = ContentEmbedding.embedded(
        id="e",
        organization_id="o",
        content_type=ContentType.MATERIAL,
        content_id="m",
        text="Hello, world",
        vector=[0.5, 0.25],
        now=NOW,
    )
    assert (embedding.embedding, embedding.content_hash) == (
        (0.5, 0.25),
        content_hash("Hello, world"),
    )


def test_a_ledger_row_belongs_to_its_subscription() -> None:
    subscription = Subscription.opened(
        id="s",
        organization_id="o",
        tier=SubscriptionTier.GROWTH,
        status=SubscriptionStatus.ACTIVE,
        now=NOW,
    )
    assert (subscription.credits_total, subscription.current_period_start) == (0, None)
    row = CreditTransaction.booked(
        id="t",
        subscription=subscription,
        amount=-2,
        action=CreditAction.PUBLISH,
        description=None,
        related_post_id="p",
        now=NOW,
    )
    assert (row.organization_id, row.subscription_id, row.amount, row.created_at) == (
        "o",
        "s",
        -2,
        NOW,
    )
