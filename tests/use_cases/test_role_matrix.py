"""Every role tries every member-facing use case: exactly the spec's permissions pass.

domain.md's table: OWNER everything; ADMIN members, brands, analytics; MEMBER brands and
analytics; VIEWER analytics only. A refused call raises PermissionDeniedError.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from rabbit.application.use_cases.billing import ChangeTier
from rabbit.application.use_cases.brands import CreateBrand, UpdateBrand
from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.organizations import ChangeRole, InviteMember
from rabbit.domain.enums import ExternalSourceType, MemberRole, SocialPlatform, SubscriptionTier
from rabbit.domain.errors import PermissionDeniedError
from rabbit.domain.policies.permissions import Permission

from .app import App


@dataclass
class Scene:
    app: App
    org: str
    owner: str
    actor: str
    brand: str
    account: str
    target: str  # a MEMBER the actor may act on


Call = Callable[[Scene], Awaitable[object]]


async def _invite(s: Scene) -> object:
    user = await s.app.user()
    return await s.app.organizations.invite_member(s.actor, s.org, InviteMember(user_id=user))


USE_CASES: dict[str, tuple[Permission, Call]] = {
    "invite_member": (Permission.MANAGE_MEMBERS, _invite),
    "change_role": (
        Permission.MANAGE_MEMBERS,
        lambda s: s.app.organizations.change_role(
            s.actor, s.org, s.target, ChangeRole(role=MemberRole.VIEWER)
        ),
    ),
    "remove_member": (
        Permission.MANAGE_MEMBERS,
        lambda s: s.app.organizations.remove_member(s.actor, s.org, s.target),
    ),
    "change_tier": (
        Permission.MANAGE_BILLING,
        lambda s: s.app.billing.change_tier(
            s.actor, s.org, ChangeTier(tier=SubscriptionTier.GROWTH)
        ),
    ),
    "top_up": (Permission.MANAGE_BILLING, lambda s: s.app.billing.top_up(s.actor, s.org)),
    "delete_organization": (
        Permission.MANAGE_BILLING,
        lambda s: s.app.organizations.delete_organization(s.actor, s.org),
    ),
    "create_brand": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.brands.create_brand(s.actor, s.org, CreateBrand(name="B")),
    ),
    "update_brand": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.brands.update_brand(s.actor, s.org, s.brand, UpdateBrand(name="C")),
    ),
    "delete_brand": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.brands.delete_brand(s.actor, s.org, s.brand),
    ),
    "restore_brand": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.brands.restore_brand(s.actor, s.org, s.brand),
    ),
    "connect_account": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.account(s.org, s.actor, SocialPlatform.REDDIT, "r-1"),
    ),
    "disconnect_account": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.accounts.disconnect_account(s.actor, s.org, s.account),
    ),
    "link_account": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.links.link_account(
            s.actor, s.org, s.brand, s.account, LinkAccount(is_default=True)
        ),
    ),
    "unlink_account": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.links.unlink_account(s.actor, s.org, s.brand, s.account),
    ),
    "add_external_source": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.sources.add_external_source(
            s.actor, s.org, s.brand, AddExternalSource(type=ExternalSourceType.CUSTOM, name="S")
        ),
    ),
    "balance": (Permission.VIEW_ANALYTICS, lambda s: s.app.billing.balance(s.actor, s.org)),
    "ledger": (Permission.VIEW_ANALYTICS, lambda s: s.app.billing.ledger(s.actor, s.org)),
    "list_members": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.organizations.list_members(s.actor, s.org),
    ),
    "list_brands": (Permission.VIEW_ANALYTICS, lambda s: s.app.brands.list_brands(s.actor, s.org)),
    "get_brand": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.brands.get_brand(s.actor, s.org, s.brand),
    ),
    "list_accounts": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.accounts.list_accounts(s.actor, s.org),
    ),
    "brand_accounts": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.links.brand_accounts(s.actor, s.org, s.brand),
    ),
    "account_brands": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.links.account_brands(s.actor, s.org, s.account),
    ),
    "publishing_account": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.links.publishing_account(s.actor, s.org, s.brand, SocialPlatform.TWITTER),
    ),
    "list_external_sources": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.sources.list_external_sources(s.actor, s.org),
    ),
}

SPEC: dict[MemberRole, set[Permission]] = {
    MemberRole.OWNER: set(Permission),
    MemberRole.ADMIN: {
        Permission.MANAGE_MEMBERS,
        Permission.MANAGE_BRANDS,
        Permission.VIEW_ANALYTICS,
        Permission.CREATE_CONTENT,
    },
    MemberRole.MEMBER: {
        Permission.MANAGE_BRANDS,
        Permission.VIEW_ANALYTICS,
        Permission.CREATE_CONTENT,
    },
    MemberRole.VIEWER: {Permission.VIEW_ANALYTICS},
}


async def scene(app: App, role: MemberRole) -> Scene:
    org, owner = await app.organization()
    await app.billing.change_tier(owner, org, ChangeTier(tier=SubscriptionTier.BUSINESS))
    actor = owner if role is MemberRole.OWNER else await app.member(org, owner, role)
    target = await app.member(org, owner, MemberRole.MEMBER)
    brand = await app.brand(org, owner)
    account = await app.account(org, owner)
    await app.links.link_account(owner, org, brand, account.id, LinkAccount())
    return Scene(app, org, owner, actor, brand, account.id, target)


@pytest.mark.parametrize("role", list(MemberRole))
@pytest.mark.parametrize("use_case", list(USE_CASES))
async def test_exactly_the_spec_permissions_pass(app: App, role: MemberRole, use_case: str) -> None:
    permission, call = USE_CASES[use_case]
    s = await scene(app, role)
    if permission in SPEC[role]:
        await call(s)
    else:
        with pytest.raises(PermissionDeniedError):
            await call(s)
