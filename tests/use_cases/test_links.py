"""Brand-account links, the default per platform, and the publishing account."""

from __future__ import annotations

import pytest

from rabbit.application.use_cases.links import LinkAccount
from rabbit.domain.enums import SocialPlatform, SubscriptionTier
from rabbit.domain.errors import NotFoundError

from .app import App

X = SocialPlatform.TWITTER
LI = SocialPlatform.LINKEDIN


async def setup(app: App) -> tuple[str, str, str]:
    org_id, owner = await app.organization()
    await app.set_tier(org_id, SubscriptionTier.BUSINESS)
    return org_id, owner, await app.brand(org_id, owner)


async def link(app: App, org: str, actor: str, brand: str, account: str, default: bool) -> None:
    app.tick()
    await app.links.link_account(actor, org, brand, account, LinkAccount(is_default=default))


async def connect_and_link(
    app: App, org: str, actor: str, brand: str, *accounts: tuple[SocialPlatform, str, bool]
) -> dict[str, str]:
    """Connect each ``(platform, handle, default)`` account and link it to ``brand``, in
    order; their ids by handle."""
    ids: dict[str, str] = {}
    for platform, handle, default in accounts:
        ids[handle] = (await app.account(org, actor, platform, handle)).id
        await link(app, org, actor, brand, ids[handle], default)
    return ids


async def defaults(app: App, org: str, actor: str, brand: str) -> dict[str, bool]:
    linked = await app.links.brand_accounts(actor, org, brand)
    return {entry.account.account_id: entry.is_default for entry in linked}


async def test_making_a_default_clears_the_previous_default_of_that_platform(app: App) -> None:
    org, owner, brand = await setup(app)
    await connect_and_link(app, org, owner, brand, (X, "x-a", True), (LI, "li-c", True))
    await connect_and_link(app, org, owner, brand, (X, "x-b", True))
    assert await defaults(app, org, owner, brand) == {"x-a": False, "li-c": True, "x-b": True}


async def test_linking_again_updates_is_default(app: App) -> None:
    org, owner, brand = await setup(app)
    a = await app.account(org, owner, X, "x-a")
    await link(app, org, owner, brand, a.id, True)
    await link(app, org, owner, brand, a.id, False)
    assert await defaults(app, org, owner, brand) == {"x-a": False}


async def test_an_account_serves_several_brands_and_unlinking_removes_only_the_link(
    app: App,
) -> None:
    org, owner, brand = await setup(app)
    other = await app.brand(org, owner, "Other")
    a = await app.account(org, owner, X, "x-a")
    await link(app, org, owner, brand, a.id, True)
    await link(app, org, owner, other, a.id, False)
    served = await app.links.account_brands(owner, org, a.id)
    assert [(e.brand.id, e.is_default) for e in served] == [(brand, True), (other, False)]
    await app.links.unlink_account(owner, org, brand, a.id)
    assert [e.brand.id for e in await app.links.account_brands(owner, org, a.id)] == [other]
    assert len(await app.social_accounts.list_accounts(owner, org)) == 1
    with pytest.raises(NotFoundError):
        await app.links.unlink_account(owner, org, brand, a.id)


async def test_queries_skip_deleted_accounts_and_brands(app: App) -> None:
    org, owner, brand = await setup(app)
    other = await app.brand(org, owner, "Other")
    a = await app.account(org, owner, X, "x-a")
    b = await app.account(org, owner, X, "x-b")
    await link(app, org, owner, brand, a.id, False)
    await link(app, org, owner, brand, b.id, False)
    await link(app, org, owner, other, b.id, False)
    await app.social_accounts.disconnect_account(owner, org, a.id)
    await app.brands.delete_brand(owner, org, other)
    assert await defaults(app, org, owner, brand) == {"x-b": False}
    assert [e.brand.id for e in await app.links.account_brands(owner, org, b.id)] == [brand]


async def test_the_default_account_publishes(app: App) -> None:
    org, owner, brand = await setup(app)
    ids = await connect_and_link(app, org, owner, brand, (X, "x-a", False), (X, "x-b", True))
    chosen = await app.links.publishing_account(owner, org, brand, X)
    assert chosen is not None
    assert chosen.id == ids["x-b"]


async def test_an_unusable_default_falls_back_to_the_earliest_usable_link(app: App) -> None:
    org, owner, brand = await setup(app)
    ids = await connect_and_link(
        app, org, owner, brand, (X, "x-a", False), (X, "x-b", False), (X, "x-c", True)
    )
    await app.account_tokens.record_refresh_rejected(org, ids["x-c"])  # default inactive
    await app.social_accounts.disconnect_account(owner, org, ids["x-a"])  # earliest deleted
    chosen = await app.links.publishing_account(owner, org, brand, X)
    assert chosen is not None
    assert chosen.id == ids["x-b"]


async def test_no_usable_account_of_the_platform_means_none(app: App) -> None:
    org, owner, brand = await setup(app)
    ids = await connect_and_link(app, org, owner, brand, (X, "x-a", True), (LI, "li-a", True))
    await app.account_tokens.record_refresh_rejected(org, ids["x-a"])
    assert await app.links.publishing_account(owner, org, brand, X) is None
    assert await app.links.publishing_account(owner, org, brand, SocialPlatform.REDDIT) is None
