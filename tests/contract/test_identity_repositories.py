"""Users, organisations and members."""

from __future__ import annotations

import pytest

from rabbit.domain.enums import MemberRole
from rabbit.domain.errors import ConflictError, NotFoundError
from rabbit.domain.model import Organization

from .builders import a_member, a_user, an_organization, at, sorted_ids
from .conftest import ContractBackend

# Users ---------------------------------------------------------------------------------


async def test_user_round_trip_preserves_every_field(backend: ContractBackend) -> None:
    user = a_user(
        email="grace@example.com",
        email_verified=True,
        name="Grace Hopper",
        image="https://cdn.example/grace.png",
        created_at=at(1),
        updated_at=at(2),
    )
    await backend.seed(user)

    assert await backend.read(lambda uow: uow.users.get(user.id)) == user


async def test_get_user_returns_none_for_an_unknown_id(backend: ContractBackend) -> None:
    assert await backend.read(lambda uow: uow.users.get("no-such-user")) is None


async def test_get_user_by_email_ignores_case(backend: ContractBackend) -> None:
    user = a_user(email="grace@example.com")
    await backend.seed(user)

    assert await backend.read(lambda uow: uow.users.get_by_email("Grace@EXAMPLE.com")) == user


async def test_get_user_by_email_skips_deleted_users(backend: ContractBackend) -> None:
    await backend.seed(a_user(email="gone@example.com", deleted_at=at(5)))

    assert await backend.read(lambda uow: uow.users.get_by_email("gone@example.com")) is None


async def test_soft_deleted_user_is_hidden_unless_included(backend: ContractBackend) -> None:
    user = a_user(deleted_at=at(5))
    await backend.seed(user)

    assert await backend.read(lambda uow: uow.users.get(user.id)) is None
    assert await backend.read(lambda uow: uow.users.get(user.id, include_deleted=True)) == user


async def test_a_second_user_with_the_same_email_in_another_case_conflicts(
    backend: ContractBackend,
) -> None:
    await backend.seed(a_user(email="grace@example.com"))

    with pytest.raises(ConflictError) as error:
        await backend.write(lambda uow: uow.users.add(a_user(email="GRACE@example.com")))

    assert error.value.field == "email"


async def test_a_user_email_is_stored_lower_cased(backend: ContractBackend) -> None:
    user = a_user(email="Grace.Hopper@Example.COM")
    await backend.seed(user)

    found = await backend.read(lambda uow: uow.users.get(user.id))

    assert found is not None
    assert found.email == "grace.hopper@example.com"


async def test_delete_purged_users_removes_only_those_deleted_before_the_cutoff(
    backend: ContractBackend,
) -> None:
    old = a_user(deleted_at=at(days=-40))
    recent = a_user(deleted_at=at(days=-5))
    live = a_user()
    await backend.seed(old, recent, live)

    removed = await backend.write(lambda uow: uow.users.delete_purged(at(days=-30)))

    assert removed == 1
    assert await backend.read(lambda uow: uow.users.get(old.id, include_deleted=True)) is None
    assert await backend.read(lambda uow: uow.users.get(recent.id, include_deleted=True))
    assert await backend.read(lambda uow: uow.users.get(live.id)) == live


# Organisations -------------------------------------------------------------------------


async def test_organization_round_trip_preserves_every_field(backend: ContractBackend) -> None:
    organization = an_organization(
        name="Initech",
        slug="initech-2026",
        logo="logos/initech.png",
        stripe_customer_id="cus_123",
        created_at=at(1),
        updated_at=at(2),
    )
    await backend.seed(organization)

    found = await backend.read(lambda uow: uow.organizations.get(organization.id))
    assert found == organization
    assert found.created_at.utcoffset() is not None


async def test_get_organization_by_slug(backend: ContractBackend) -> None:
    organization = an_organization(slug="initech")
    await backend.seed(organization)

    assert await backend.read(lambda uow: uow.organizations.get_by_slug("initech")) == organization
    assert await backend.read(lambda uow: uow.organizations.get_by_slug("other")) is None


async def test_a_taken_slug_conflicts(backend: ContractBackend) -> None:
    await backend.seed(an_organization(slug="initech"))

    with pytest.raises(ConflictError) as error:
        await backend.write(lambda uow: uow.organizations.add(an_organization(slug="initech")))

    assert error.value.field == "slug"


async def test_soft_deleted_organization_is_hidden_unless_included(
    backend: ContractBackend,
) -> None:
    organization = an_organization(deleted_at=at(3))
    await backend.seed(organization)

    assert await backend.read(lambda uow: uow.organizations.get(organization.id)) is None
    found = await backend.read(
        lambda uow: uow.organizations.get(organization.id, include_deleted=True)
    )
    assert found == organization


async def test_list_ids_returns_live_organization_ids_in_byte_order(
    backend: ContractBackend,
) -> None:
    low, mid, high = sorted_ids(3)
    await backend.seed(
        an_organization(id=high),
        an_organization(id=low, deleted_at=at(days=-1)),
        an_organization(id=mid),
    )

    live_ids = await backend.read(lambda uow: uow.organizations.list_ids())
    every_id = await backend.read(lambda uow: uow.organizations.list_ids(include_deleted=True))

    assert live_ids == [mid, high]
    assert every_id == [low, mid, high]


async def test_list_ids_orders_ids_byte_wise_not_by_locale(backend: ContractBackend) -> None:
    ids = ["b-org", "B-org", "a_org", "A-org"]
    await backend.seed(*(an_organization(id=i, slug=f"org-{n}") for n, i in enumerate(ids)))

    assert await backend.read(lambda uow: uow.organizations.list_ids()) == sorted(ids)


async def test_list_ids_of_an_empty_store_is_empty(backend: ContractBackend) -> None:
    assert await backend.read(lambda uow: uow.organizations.list_ids(include_deleted=True)) == []


async def test_list_purgeable_returns_organizations_deleted_before_the_cutoff_by_id(
    backend: ContractBackend,
) -> None:
    first_id, second_id = sorted_ids(2)
    second = an_organization(id=second_id, deleted_at=at(days=-50))
    first = an_organization(id=first_id, deleted_at=at(days=-40))
    recent = an_organization(deleted_at=at(days=-1))
    await backend.seed(second, first, recent, an_organization())

    purgeable = await backend.read(lambda uow: uow.organizations.list_purgeable(at(days=-30)))

    assert [o.id for o in purgeable] == [first_id, second_id]


async def test_deleting_an_organization_cascades_to_its_members(
    backend: ContractBackend,
) -> None:
    organization = an_organization()
    user = a_user()
    await backend.seed(organization, user, a_member(organization, user))

    await backend.write(lambda uow: uow.organizations.delete(organization.id))

    assert (
        await backend.read(lambda uow: uow.organizations.get(organization.id, include_deleted=True))
        is None
    )
    assert await backend.read(lambda uow: uow.members.list_for_user(user.id)) == []
    assert await backend.read(lambda uow: uow.users.get(user.id)) == user


# Members -------------------------------------------------------------------------------


async def test_member_round_trip_preserves_every_field(
    backend: ContractBackend, org: Organization
) -> None:
    user = a_user()
    member = a_member(
        org, user, role=MemberRole.ADMIN, invited_at=at(1), joined_at=at(2), created_at=at(1)
    )
    await backend.seed(user, member)

    assert await backend.read(lambda uow: uow.members.get(org.id, user.id)) == member


async def test_a_user_can_be_a_member_only_once_per_organization(
    backend: ContractBackend, org: Organization
) -> None:
    user = a_user()
    await backend.seed(user, a_member(org, user))

    with pytest.raises(ConflictError) as error:
        await backend.write(lambda uow: uow.members.add(a_member(org, user)))

    assert error.value.field == "user_id"


async def test_a_member_of_an_unknown_user_is_refused(
    backend: ContractBackend, org: Organization
) -> None:
    with pytest.raises(NotFoundError):
        await backend.write(lambda uow: uow.members.add(a_member(org, a_user())))


async def test_members_are_listed_by_created_at_then_id(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    users = [a_user() for _ in range(4)]
    low, high = sorted_ids(2)
    late = a_member(org, users[0], created_at=at(10))
    tie_high = a_member(org, users[1], id=high, created_at=at(5))
    tie_low = a_member(org, users[2], id=low, created_at=at(5))
    elsewhere = a_member(other_org, users[3], created_at=at(1))
    await backend.seed(*users, late, tie_high, tie_low, elsewhere)

    members = await backend.read(lambda uow: uow.members.find(org.id))

    assert [m.id for m in members] == [tie_low.id, tie_high.id, late.id]


async def test_memberships_of_a_user_span_organizations(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    user, someone_else = a_user(), a_user()
    second = a_member(other_org, user, created_at=at(2))
    first = a_member(org, user, created_at=at(1))
    await backend.seed(user, someone_else, second, first, a_member(org, someone_else))

    memberships = await backend.read(lambda uow: uow.members.list_for_user(user.id))

    assert [m.id for m in memberships] == [first.id, second.id]


async def test_updating_a_missing_member_raises_not_found(
    backend: ContractBackend, org: Organization
) -> None:
    user = a_user()
    await backend.seed(user)

    with pytest.raises(NotFoundError):
        await backend.write(lambda uow: uow.members.update(a_member(org, user)))


async def test_remove_member_deletes_the_membership(
    backend: ContractBackend, org: Organization
) -> None:
    user = a_user()
    await backend.seed(user, a_member(org, user))

    await backend.write(lambda uow: uow.members.remove(org.id, user.id))

    assert await backend.read(lambda uow: uow.members.get(org.id, user.id)) is None


async def test_removing_a_missing_membership_raises_not_found(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    user = a_user()
    await backend.seed(user, a_member(org, user))

    with pytest.raises(NotFoundError):
        await backend.write(lambda uow: uow.members.remove(other_org.id, user.id))
    assert await backend.read(lambda uow: uow.members.get(org.id, user.id)) is not None
