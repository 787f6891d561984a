"""The brand, social account, material, pending post or subscription a use case works on,
or NotFoundError naming it.

A row of another organisation, or a soft-deleted one (unless ``include_deleted``), is not
found either: the repositories scope every read by organisation. ``for_update`` locks the
row until the unit of work ends.
"""

from __future__ import annotations

from rabbit.application.ports import UnitOfWork
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import BrandProfile, Material, PendingPost, SocialAccount, Subscription


async def existing_brand(
    uow: UnitOfWork,
    organization_id: str,
    brand_id: str,
    *,
    include_deleted: bool = False,
    for_update: bool = False,
) -> BrandProfile:
    brand = await uow.brands.get(
        organization_id, brand_id, include_deleted=include_deleted, for_update=for_update
    )
    if brand is None:
        raise NotFoundError("brand_profile", brand_id)
    return brand


async def existing_account(
    uow: UnitOfWork,
    organization_id: str,
    account_id: str,
    *,
    include_deleted: bool = False,
    for_update: bool = False,
) -> SocialAccount:
    account = await uow.social_accounts.get(
        organization_id, account_id, include_deleted=include_deleted, for_update=for_update
    )
    if account is None:
        raise NotFoundError("social_account", account_id)
    return account


async def existing_material(
    uow: UnitOfWork, organization_id: str, material_id: str, *, for_update: bool = False
) -> Material:
    material = await uow.materials.get(organization_id, material_id, for_update=for_update)
    if material is None:
        raise NotFoundError("material", material_id)
    return material


async def existing_pending_post(
    uow: UnitOfWork, organization_id: str, pending_post_id: str, *, for_update: bool = False
) -> PendingPost:
    pending = await uow.pending_posts.get(organization_id, pending_post_id, for_update=for_update)
    if pending is None:
        raise NotFoundError("pending_post", pending_post_id)
    return pending


async def existing_subscription(
    uow: UnitOfWork, organization_id: str, *, for_update: bool = False
) -> Subscription:
    subscription = await uow.subscriptions.get(organization_id, for_update=for_update)
    if subscription is None:
        raise NotFoundError("subscription", organization_id)
    return subscription
