"""Users, organisations and members."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rabbit.application.use_cases.organizations import (
    ChangeRole,
    CreateOrganization,
    InviteMember,
    RegisterUser,
)
from rabbit.domain.enums import CreditAction, MemberRole, SubscriptionStatus, SubscriptionTier
from rabbit.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

from .app import App


async def test_registering_stores_the_email_lower_cased(app: App) -> None:
    user = await app.organizations.register_user(RegisterUser(email="Ann@Example.COM"))
    assert user.email == "ann@example.com"


async def test_registering_an_email_twice_in_another_case_is_a_conflict(app: App) -> None:
    await app.organizations.register_user(RegisterUser(email="ann@example.com"))
    with pytest.raises(ConflictError) as error:
        await app.organizations.register_user(RegisterUser(email="ANN@example.com"))
    assert error.value.field == "email"


def test_an_unknown_key_in_a_command_is_a_validation_error_naming_it() -> None:
    with pytest.raises(ValidationError) as error:
        RegisterUser.parse({"email": "a@b.co", "admin": True})
    assert error.value.field == "admin"


async def test_creating_an_organisation_opens_a_free_trial_with_the_bonus(app: App) -> None:
    org_id, owner = await app.organization()
    balance = await app.billing.balance(owner, org_id)
    assert (balance.tier, balance.status) == (SubscriptionTier.FREE, SubscriptionStatus.TRIALING)
    assert (balance.credits_total, balance.credits_used) == (30, 0)
    assert balance.current_period_start == app.clock.now()
    assert balance.current_period_end == app.clock.now() + timedelta(days=30)
    ledger = await app.billing.ledger(owner, org_id)
    assert [(row.amount, row.action) for row in ledger] == [(30, CreditAction.SUBSCRIPTION)]


async def test_the_creator_is_a_joined_owner(app: App) -> None:
    org_id, owner = await app.organization()
    [member] = await app.organizations.list_members(owner, org_id)
    assert (member.user_id, member.role, member.joined_at) == (
        owner,
        MemberRole.OWNER,
        app.clock.now(),
    )


@pytest.mark.parametrize("slug", ["Acme", "acme corp", "acme_corp", "-acme", "acme-", "ä", ""])
async def test_a_slug_must_be_lower_case_letters_digits_and_hyphens(app: App, slug: str) -> None:
    owner = await app.user()
    with pytest.raises(ValidationError) as error:
        await app.organizations.create_organization(
            owner, CreateOrganization(name="Acme", slug=slug)
        )
    assert error.value.field == "slug"


async def test_a_taken_slug_is_a_conflict_and_writes_nothing(app: App) -> None:
    await app.organization("acme")
    other = await app.user()
    with pytest.raises(ConflictError) as error:
        await app.organizations.create_organization(
            other, CreateOrganization(name="Acme 2", slug="acme")
        )
    assert error.value.field == "slug"


async def test_an_invitation_is_open_until_the_invited_user_accepts(app: App) -> None:
    org_id, owner = await app.organization()
    guest = await app.user("guest")
    invited = await app.organizations.invite_member(
        owner, org_id, InviteMember(user_id=guest, role=MemberRole.MEMBER)
    )
    assert (invited.invited_at, invited.joined_at) == (app.clock.now(), None)
    with pytest.raises(NotFoundError):  # not joined yet: the organisation is invisible
        await app.billing.balance(guest, org_id)
    app.tick()
    joined = await app.organizations.accept_invitation(guest, org_id)
    assert joined.joined_at == app.clock.now()
    assert (await app.billing.balance(guest, org_id)).credits_total == 30


async def test_only_the_invited_user_can_accept(app: App) -> None:
    org_id, owner = await app.organization()
    guest = await app.user("guest")
    stranger = await app.user("stranger")
    await app.organizations.invite_member(owner, org_id, InviteMember(user_id=guest))
    with pytest.raises(NotFoundError):
        await app.organizations.accept_invitation(stranger, org_id)


async def test_an_admin_cannot_grant_owner(app: App) -> None:
    org_id, owner = await app.organization()
    admin = await app.member(org_id, owner, MemberRole.ADMIN)
    member = await app.member(org_id, owner, MemberRole.MEMBER)
    with pytest.raises(PermissionDeniedError):
        await app.organizations.change_role(
            admin, org_id, member, ChangeRole(role=MemberRole.OWNER)
        )
    with pytest.raises(PermissionDeniedError):
        await app.organizations.invite_member(
            admin, org_id, InviteMember(user_id=await app.user(), role=MemberRole.OWNER)
        )


async def test_an_owner_grants_owner_and_the_last_owner_cannot_leave(app: App) -> None:
    org_id, owner = await app.organization()
    with pytest.raises(ValidationError):
        await app.organizations.change_role(owner, org_id, owner, ChangeRole(role=MemberRole.ADMIN))
    with pytest.raises(ValidationError):
        await app.organizations.remove_member(owner, org_id, owner)
    second = await app.member(org_id, owner, MemberRole.MEMBER)
    await app.organizations.change_role(owner, org_id, second, ChangeRole(role=MemberRole.OWNER))
    await app.organizations.remove_member(second, org_id, owner)
    members = await app.organizations.list_members(second, org_id)
    assert [(m.user_id, m.role) for m in members] == [(second, MemberRole.OWNER)]


async def test_an_open_owner_invitation_does_not_keep_the_organisation_owned(app: App) -> None:
    org_id, owner = await app.organization()
    invitee = await app.user()
    await app.organizations.invite_member(
        owner, org_id, InviteMember(user_id=invitee, role=MemberRole.OWNER)
    )
    with pytest.raises(ValidationError):
        await app.organizations.remove_member(owner, org_id, owner)
    await app.organizations.remove_member(owner, org_id, invitee)  # withdrawing is fine
    assert [m.user_id for m in await app.organizations.list_members(owner, org_id)] == [owner]


async def test_a_removed_member_no_longer_sees_the_organisation(app: App) -> None:
    org_id, owner = await app.organization()
    member = await app.member(org_id, owner, MemberRole.MEMBER)
    await app.organizations.remove_member(owner, org_id, member)
    with pytest.raises(NotFoundError):
        await app.billing.balance(member, org_id)


async def test_a_deleted_organisation_is_hidden_until_restored(app: App) -> None:
    org_id, owner = await app.organization()
    await app.organizations.delete_organization(owner, org_id)
    with pytest.raises(NotFoundError):
        await app.billing.balance(owner, org_id)
    await app.organizations.restore_organization(owner, org_id)
    assert (await app.billing.balance(owner, org_id)).credits_total == 30
