"""Entities change their own state and stamp ``updated_at`` with the ``now`` they are given
(docs/architecture.md#where-each-rule-lives): no use case sets a field by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rabbit.domain.enums import (
    ContentAngle,
    MaterialType,
    MemberRole,
    PendingPostStatus,
    SocialPlatform,
    SubscriptionTier,
)
from rabbit.domain.errors import ValidationError
from rabbit.domain.model import (
    BrandProfile,
    Material,
    Organization,
    OrganizationMember,
    PendingPost,
    Post,
    PostMetric,
    Schedule,
    SocialAccount,
    Subscription,
    User,
)

T0 = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)  # a Monday
NOW = T0 + timedelta(hours=1)


def test_a_user_and_an_organisation_are_soft_deleted_and_restored() -> None:
    user = User(id="u", email="a@b.c", created_at=T0, updated_at=T0)
    user.delete(NOW)
    assert (user.deleted_at, user.updated_at) == (NOW, NOW)
    organization = Organization(id="o", name="O", slug="o", created_at=T0, updated_at=T0)
    organization.delete(T0)
    assert organization.restore(NOW) == T0
    assert (organization.deleted_at, organization.updated_at) == (None, NOW)
    assert organization.restore(NOW) is None


def test_a_member_joins_and_changes_role() -> None:
    member = OrganizationMember(id="m", organization_id="o", user_id="u", created_at=T0)
    member.join(NOW)
    member.change_role(MemberRole.ADMIN)
    assert (member.joined_at, member.role) == (NOW, MemberRole.ADMIN)


def test_a_brand_takes_its_edits_but_not_its_identity() -> None:
    brand = BrandProfile(id="b", organization_id="o", name="B", created_at=T0, updated_at=T0)
    brand.edit({"name": "New", "personality": None}, NOW)
    assert (brand.name, brand.personality, brand.updated_at) == ("New", None, NOW)
    with pytest.raises(ValidationError) as refused:
        brand.edit({"organization_id": "other"}, NOW)
    assert refused.value.field == "organization_id"
    brand.delete(NOW)
    assert brand.deleted_at == NOW
    brand.restore(NOW + timedelta(1))
    assert (brand.deleted_at, brand.updated_at) == (None, NOW + timedelta(1))


def _schedule() -> Schedule:
    return Schedule(
        id="s",
        organization_id="o",
        brand_profile_id="b",
        platforms=(SocialPlatform.LINKEDIN,),
        times=("09:00",),
        next_run_at=T0,
        created_at=T0,
        updated_at=T0,
    )


def test_an_edited_schedule_is_checked_and_runs_next_after_now() -> None:
    schedule = _schedule()
    schedule.edit({"times": ("10:00",)}, NOW)
    assert schedule.next_run_at == datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    assert schedule.updated_at == NOW
    with pytest.raises(ValidationError):
        schedule.edit({"times": ("25:00",)}, NOW)
    with pytest.raises(ValidationError):
        _schedule().edit({"next_run_at": None}, NOW)


def test_a_schedule_pauses_resumes_and_parks() -> None:
    schedule = _schedule()
    schedule.pause(NOW)
    assert (schedule.is_active, schedule.next_run_at, schedule.updated_at) == (False, T0, NOW)
    schedule.resume(NOW)
    assert schedule.is_active
    assert schedule.next_run_at == datetime(2025, 1, 7, 9, 0, tzinfo=UTC)
    schedule.park(NOW)
    assert schedule.next_run_at is None


def test_a_subscription_changes_tier_keeping_its_credits() -> None:
    subscription = Subscription(
        id="s", organization_id="o", credits_total=10, created_at=T0, updated_at=T0
    )
    subscription.change_tier(SubscriptionTier.GROWTH, NOW)
    assert (subscription.tier, subscription.credits_total) == (SubscriptionTier.GROWTH, 10)
    assert subscription.updated_at == NOW


def test_a_pending_post_gets_back_review_time() -> None:
    pending = PendingPost(
        id="p",
        organization_id="o",
        brand_profile_id="b",
        material_id="m",
        platforms=(SocialPlatform.LINKEDIN,),
        content="x",
        angle=ContentAngle.EDUCATIONAL,
        status=PendingPostStatus.PENDING,
        expires_at=T0,
        created_at=T0,
        updated_at=T0,
    )
    pending.extend_review(timedelta(hours=3), NOW)
    assert (pending.expires_at, pending.updated_at) == (T0 + timedelta(hours=3), NOW)


def test_a_post_keeps_the_latest_reading() -> None:
    post = Post(
        id="p",
        organization_id="o",
        brand_profile_id="b",
        social_account_id="a",
        content="x",
        platform=SocialPlatform.LINKEDIN,
        angle=ContentAngle.EDUCATIONAL,
        created_at=T0,
        updated_at=T0,
    )
    counters = {"likes": 1, "comments": 2, "shares": 3, "reach": 5, "clicks": 4}
    reading = PostMetric.reading(
        id="r", organization_id="o", post_id="p", collected_at=NOW, impressions=100, **counters
    )
    assert reading.engagement_rate == pytest.approx(0.1)
    post.record_metrics(reading)
    assert (post.likes, post.clicks, post.impressions) == (1, 4, 100)
    assert post.engagement_rate == reading.engagement_rate
    assert post.metrics_updated_at == post.updated_at == NOW


def _account() -> SocialAccount:
    return SocialAccount(
        id="a",
        organization_id="o",
        platform=SocialPlatform.LINKEDIN,
        account_id="x",
        account_name="X",
        access_token="old-access",
        refresh_token="old-refresh",
        token_version=3,
        created_at=T0,
        updated_at=T0,
    )


def test_an_account_takes_refreshed_and_reencrypted_tokens_under_a_new_version() -> None:
    account = _account()
    account.refresh_tokens("access", None, NOW, from_version=3, now=NOW)
    assert (account.access_token, account.refresh_token) == ("access", None)
    assert (account.token_expires_at, account.token_version, account.updated_at) == (NOW, 4, NOW)
    account = _account()
    account.reencrypt_tokens(None, "refresh", NOW)
    assert (account.access_token, account.refresh_token) == ("old-access", "refresh")
    assert account.token_version == 4


def test_an_account_is_deactivated_or_disconnected() -> None:
    account = _account()
    account.deactivate(NOW)
    assert (account.is_active, account.deleted_at, account.updated_at) == (False, None, NOW)
    account = _account()
    account.disconnect(NOW)
    assert (account.is_active, account.deleted_at, account.updated_at) == (False, NOW, NOW)


def test_an_uploaded_material_keeps_its_mime_type_lower_cased() -> None:
    material = Material.uploaded(
        id="m",
        organization_id="o",
        type=MaterialType.FILE,
        brand_profile_id=None,
        name=None,
        original_content=None,
        file_key="k",
        file_size=1,
        mime_type=" Application/PDF ",
        url=None,
        now=NOW,
    )
    assert (material.mime_type, material.created_at, material.updated_at) == (
        "application/pdf",
        NOW,
        NOW,
    )
