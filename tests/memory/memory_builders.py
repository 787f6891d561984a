"""Small builders of valid entities for the memory adapter's smoke tests."""

from __future__ import annotations

from datetime import UTC, datetime

from rabbit.domain.enums import ContentAngle, MaterialType, SocialPlatform
from rabbit.domain.model import (
    BrandProfile,
    Material,
    Organization,
    PendingPost,
    SocialAccount,
    User,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def organization(org_id: str = "org1", slug: str | None = None) -> Organization:
    return Organization(id=org_id, name=org_id, slug=slug or org_id, created_at=T0, updated_at=T0)


def user(user_id: str = "u1", email: str = "ada@example.com") -> User:
    return User(id=user_id, email=email, created_at=T0, updated_at=T0)


def brand(brand_id: str = "b1", org_id: str = "org1") -> BrandProfile:
    return BrandProfile(
        id=brand_id, organization_id=org_id, name="Brand", created_at=T0, updated_at=T0
    )


def material(
    material_id: str = "m1", org_id: str = "org1", brand_id: str | None = "b1"
) -> Material:
    return Material(
        id=material_id,
        organization_id=org_id,
        brand_profile_id=brand_id,
        type=MaterialType.TEXT,
        original_content="text",
        created_at=T0,
        updated_at=T0,
    )


def account(
    account_id: str = "a1",
    org_id: str = "org1",
    platform_account: str = "tw-1",
    deleted_at: datetime | None = None,
) -> SocialAccount:
    return SocialAccount(
        id=account_id,
        organization_id=org_id,
        platform=SocialPlatform.TWITTER,
        account_id=platform_account,
        account_name="acct",
        access_token="v1:k1:cipher",
        deleted_at=deleted_at,
        created_at=T0,
        updated_at=T0,
    )


def pending_post(
    pending_id: str = "p1", org_id: str = "org1", brand_id: str = "b1", material_id: str = "m1"
) -> PendingPost:
    return PendingPost(
        id=pending_id,
        organization_id=org_id,
        brand_profile_id=brand_id,
        material_id=material_id,
        platforms=(SocialPlatform.TWITTER,),
        content="hello",
        angle=ContentAngle.EDUCATIONAL,
        created_at=T0,
        updated_at=T0,
    )
