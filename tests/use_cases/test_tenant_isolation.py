"""Tenant isolation: no use case returns, changes or reveals another organisation's data.

Random operations by members of several organisations, aimed at their own records or at
another organisation's (through their own organisation id or the other one). Whatever is
aimed at another organisation fails as "not found", its message reveals nothing of that
organisation, and that organisation's data is unchanged afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rabbit.application.use_cases.brands import UpdateBrand
from rabbit.application.use_cases.links import LinkAccount
from rabbit.domain.enums import SocialPlatform
from rabbit.domain.errors import NotFoundError

from .app import App

ORGS = 3
OPERATIONS = (
    "get_brand",
    "update_brand",
    "delete_brand",
    "restore_brand",
    "link",
    "unlink",
    "brand_accounts",
    "account_brands",
    "disconnect",
    "balance",
    "list_brands",
    "publishing_account",
)


@dataclass
class Tenant:
    org: str
    owner: str
    brand: str
    account: str
    secrets: tuple[str, ...]  # name, slug, brand name: what must never leak


async def tenants(app: App) -> list[Tenant]:
    result = []
    for i in range(ORGS):
        org, owner = await app.organization(f"tenant-{i}")
        brand = await app.brand(org, owner, f"Brand of tenant {i}")
        account = await app.account(org, owner, SocialPlatform.TWITTER, f"acct-{i}")
        secrets = (f"Tenant-{i}", f"tenant-{i}", f"Brand of tenant {i}", f"@acct-{i}")
        result.append(Tenant(org, owner, brand, account.id, secrets))
    return result


async def snapshot(app: App, t: Tenant) -> object:
    return (
        await app.brands.list_brands(t.owner, t.org, include_deleted=True),
        await app.accounts.list_accounts(t.owner, t.org, include_deleted=True),
        [
            (e.account.id, e.is_default)
            for e in await app.links.brand_accounts(t.owner, t.org, t.brand)
        ]
        if any(b.id == t.brand for b in await app.brands.list_brands(t.owner, t.org))
        else None,
        await app.billing.balance(t.owner, t.org),
        await app.billing.ledger(t.owner, t.org),
        await app.organizations.list_members(t.owner, t.org),
    )


async def run(app: App, op: str, actor: Tenant, org: str, target: Tenant) -> object:
    a, b, acc = actor.owner, target.brand, target.account
    match op:
        case "get_brand":
            return await app.brands.get_brand(a, org, b)
        case "update_brand":
            return await app.brands.update_brand(a, org, b, UpdateBrand(personality="x"))
        case "delete_brand":
            return await app.brands.delete_brand(a, org, b)
        case "restore_brand":
            return await app.brands.restore_brand(a, org, b)
        case "link":
            return await app.links.link_account(a, org, b, acc, LinkAccount(is_default=True))
        case "unlink":
            return await app.links.unlink_account(a, org, b, acc)
        case "brand_accounts":
            return await app.links.brand_accounts(a, org, b)
        case "account_brands":
            return await app.links.account_brands(a, org, acc)
        case "disconnect":
            return await app.accounts.disconnect_account(a, org, acc)
        case "balance":
            return await app.billing.balance(a, org)
        case "list_brands":
            return await app.brands.list_brands(a, org, include_deleted=True)
        case _:
            return await app.links.publishing_account(a, org, b, SocialPlatform.TWITTER)


steps = st.lists(
    st.tuples(
        st.sampled_from(OPERATIONS),
        st.integers(0, ORGS - 1),  # actor's tenant
        st.booleans(),  # through the target's organisation id instead of the actor's
        st.integers(0, ORGS - 1),  # the tenant whose records are aimed at
    ),
    min_size=1,
    max_size=15,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
async def test_no_use_case_crosses_an_organisation(
    make_app: Callable[[], App], steps: list[tuple[str, int, bool, int]]
) -> None:
    app = make_app()
    all_tenants = await tenants(app)
    for op, actor_index, through_target, target_index in steps:
        actor, target = all_tenants[actor_index], all_tenants[target_index]
        org = target.org if through_target else actor.org
        others = [t for t in all_tenants if t is not actor]
        before = [await snapshot(app, t) for t in others]
        try:
            result = await run(app, op, actor, org, target)
        except NotFoundError as error:
            message = str(error)
        else:
            assert target is actor or (op in {"balance", "list_brands"} and org == actor.org)
            message = repr(result)
        assert [await snapshot(app, t) for t in others] == before
        for other in others:
            assert other.org not in message or org == other.org
            assert not any(secret in message for secret in other.secrets)
            assert other.brand not in message or target is other
            assert other.account not in message or target is other
