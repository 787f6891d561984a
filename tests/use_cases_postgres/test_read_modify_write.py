"""No committed change is lost when two use cases change the same rows at once (ADR 0012).

One test per kind of row the use cases read and then write. Each forces the interleaving
that loses an update when the read takes no lock (:mod:`.overlap`): the first call has
written the row and waits at its commit while the second reads it to change it. Each was
seen to fail with the reads unlocked, and passes with "lock before you write".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.use_cases.brands import UpdateBrand
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.organizations import ChangeRole, CreateOrganization
from rabbit.application.use_cases.schedules import CreateSchedule, UpdateSchedule
from rabbit.application.use_cases.social_accounts import RefreshedTokens, token_context
from rabbit.domain.enums import (
    CreditAction,
    MaterialStatus,
    MemberRole,
    SocialPlatform,
    SubscriptionTier,
)
from rabbit.domain.errors import ConflictError, DomainError
from rabbit.domain.model import Material, OrganizationMember
from use_cases.app import App
from use_cases.content_support import TOPICS, World, world

from .overlap import overlap, pausing

pytestmark = pytest.mark.postgres


async def owners(app: App, org: str, actor: str) -> list[OrganizationMember]:
    members = await app.organizations.list_members(actor, org)
    return [m for m in members if m.role is MemberRole.OWNER and m.has_joined]


async def test_a_tier_change_racing_a_debit_keeps_the_debit(
    pg_app: App, wide_engine: AsyncEngine
) -> None:
    app = pausing(pg_app)
    org, owner = await app.organization()

    await overlap(
        wide_engine,
        lambda: app.payments.deduct_credits(org, 3, CreditAction.GENERATE),
        lambda: app.set_tier(org, SubscriptionTier.GROWTH),
        table="subscriptions",
    )

    balance = await app.billing.balance(owner, org)
    ledger = await app.billing.ledger(owner, org, current_period_only=True)
    assert (balance.tier, balance.credits_used) == (SubscriptionTier.GROWTH, 3)
    assert balance.credits_total - balance.credits_used == sum(t.amount for t in ledger)


async def test_a_rejected_refresh_racing_a_token_refresh_keeps_the_new_token(
    pg_app: App, wide_engine: AsyncEngine
) -> None:
    app = pausing(pg_app)
    org, owner = await app.organization()
    account = await app.account(org, owner, access_token="initial")

    def refreshed(token: str, expected_version: int) -> RefreshedTokens:
        return RefreshedTokens(access_token=token, expected_version=expected_version)

    await overlap(
        wide_engine,
        lambda: app.account_tokens.record_token_refresh(org, account.id, refreshed("second", 1)),
        lambda: app.account_tokens.record_refresh_rejected(org, account.id),
        table="social_accounts",
    )

    [stored] = await app.social_accounts.list_accounts(owner, org)
    assert stored.token_version == 2
    context = token_context(org, account.id, "access_token")
    assert app.ports.cipher.decrypt(stored.access_token, context) == "second"
    assert stored.is_active is False
    with pytest.raises(ConflictError):  # a stale refresh from version 1 is still refused
        await app.account_tokens.record_token_refresh(org, account.id, refreshed("stale", 1))


async def test_archiving_a_material_while_its_post_is_published_keeps_both(
    pg_app: App, wide_engine: AsyncEngine
) -> None:
    app = pausing(pg_app)
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    await w.generate(material)  # auto-approved, due now

    published, archived = await overlap(
        wide_engine,
        lambda: w.content.publishing.publish_due(app.clock.now()),
        lambda: w.content.materials.archive_material(w.owner, w.org, material.id),
        table="materials",
    )

    assert published.published == 1
    assert not isinstance(archived, BaseException)
    stored = await app_material(w, material.id)
    assert (stored.status, stored.usage_count) == (MaterialStatus.ARCHIVED, 1)


async def test_publishing_while_a_material_is_archived_keeps_the_archive(
    pg_app: App, wide_engine: AsyncEngine
) -> None:
    app = pausing(pg_app)
    w = await world(app)
    material = await w.ready_material(TOPICS[1])
    await w.generate(material)

    archived, published = await overlap(
        wide_engine,
        lambda: w.content.materials.archive_material(w.owner, w.org, material.id),
        lambda: w.content.publishing.publish_due(app.clock.now()),
        table="materials",
    )

    assert not isinstance(archived, BaseException)
    assert published.published == 1
    stored = await app_material(w, material.id)
    assert (stored.status, stored.usage_count) == (MaterialStatus.ARCHIVED, 1)


@pytest.mark.parametrize("action", ["demote", "remove"])
async def test_two_owners_demoting_or_removing_each_other_leave_an_owner(
    pg_app: App, wide_engine: AsyncEngine, action: str
) -> None:
    app = pausing(pg_app)
    org, alice = await app.organization()
    bob = await app.member(org, alice, MemberRole.OWNER)

    def against(actor: str, target: str) -> Callable[[], Awaitable[object]]:
        if action == "demote":
            return lambda: app.organizations.change_role(
                actor, org, target, ChangeRole(role=MemberRole.ADMIN)
            )
        return lambda: app.organizations.remove_member(actor, org, target)

    first, second = await overlap(
        wide_engine, against(alice, bob), against(bob, alice), table="members"
    )

    assert not isinstance(first, BaseException)
    assert isinstance(second, DomainError)  # bob is no OWNER any more when his turn comes
    assert [m.user_id for m in await owners(app, org, alice)] == [alice]


async def test_a_brand_deleted_while_it_is_renamed_keeps_the_rename_and_the_delete(
    pg_app: App, wide_engine: AsyncEngine
) -> None:
    app = pausing(pg_app)
    org, owner = await app.organization()
    brand = await app.brand(org, owner, "Before")

    await overlap(
        wide_engine,
        lambda: app.brands.update_brand(owner, org, brand, UpdateBrand(name="After")),
        lambda: app.brands.delete_brand(owner, org, brand),
        table="brands",
    )

    [stored] = await app.brands.list_brands(owner, org, include_deleted=True)
    assert stored.name == "After"
    assert stored.deleted_at is not None


async def test_a_schedule_paused_while_it_is_edited_stays_paused_with_the_edit(
    pg_app: App, wide_engine: AsyncEngine
) -> None:
    app = pausing(pg_app)
    w = await world(app)
    schedules = w.content.schedules
    schedule = await schedules.create_schedule(
        w.owner,
        w.org,
        w.brand,
        CreateSchedule(platforms=(SocialPlatform.TWITTER,), times=("09:00",)),
    )

    await overlap(
        wide_engine,
        lambda: schedules.update_schedule(
            w.owner, w.org, schedule.id, UpdateSchedule(times=("17:30",))
        ),
        lambda: schedules.pause_schedule(w.owner, w.org, schedule.id),
        table="schedules",
    )

    [stored] = await schedules.list_schedules(w.owner, w.org)
    assert stored.times == ("17:30",)
    assert stored.is_active is False


async def test_two_accounts_made_default_at_once_both_succeed_and_one_stays_default(
    pg_app: App, wide_engine: AsyncEngine
) -> None:
    app = pausing(pg_app)
    org, owner = await app.organization()
    await app.set_tier(org, SubscriptionTier.BUSINESS)
    brand = await app.brand(org, owner)
    first = await app.account(org, owner, SocialPlatform.TWITTER, "first")
    second = await app.account(org, owner, SocialPlatform.TWITTER, "second")

    results = await overlap(
        wide_engine,
        lambda: app.links.link_account(owner, org, brand, first.id, LinkAccount(is_default=True)),
        lambda: app.links.link_account(owner, org, brand, second.id, LinkAccount(is_default=True)),
        table="brand_accounts",
    )

    assert not any(isinstance(result, BaseException) for result in results)
    linked = await app.links.brand_accounts(owner, org, brand)
    assert {(link.account.id, link.is_default) for link in linked} == {
        (first.id, False),
        (second.id, True),
    }


async def test_an_owner_cannot_delete_their_account_while_creating_an_organisation(
    pg_app: App, wide_engine: AsyncEngine
) -> None:
    app = pausing(pg_app)
    alice = await app.user("alice")

    created, deleted = await overlap(
        wide_engine,
        lambda: app.organizations.create_organization(
            alice, CreateOrganization(name="Fresh", slug="fresh")
        ),
        lambda: app.organizations.delete_user(alice),
        table="organizations",
    )

    assert not isinstance(created, BaseException)
    assert isinstance(deleted, ConflictError)  # the last OWNER of a live organisation
    assert [m.user_id for m in await owners(app, created.id, alice)] == [alice]


async def app_material(w: World, material_id: str) -> Material:
    async with w.app.ports.uow() as uow:
        material = await uow.materials.get(w.org, material_id, include_deleted=True)
    assert material is not None
    return material
