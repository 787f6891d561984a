"""The contracts every stored entity keeps, one test per contract, one case per entity:
``update`` stores every field, and a row pointing at another organisation's row is refused
(the composite tenant foreign keys of rabbit_postgres.schema, the same-tenant check of the
memory session).

A case builds what it needs from the builders; adding an entity is adding a case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from rabbit.application.ports.unit_of_work import UnitOfWork
from rabbit.domain.enums import (
    MemberRole,
    PendingPostStatus,
    PublishAttemptStatus,
    SocialPlatform,
    SubscriptionTier,
)
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import BrandProfile, Organization, PendingPost

from .builders import (
    a_brand,
    a_credit_transaction,
    a_link,
    a_material,
    a_member,
    a_pending_post,
    a_post,
    a_post_metric,
    a_publish_attempt,
    a_rich_brand,
    a_rich_external_source,
    a_rich_material,
    a_rich_schedule,
    a_rich_social_account,
    a_schedule,
    a_social_account,
    a_subscription,
    a_user,
    an_external_source,
    at,
    sorted_ids,
)
from .conftest import ContractBackend, load, store, update

Rows = tuple[object, ...]

# update stores every field ---------------------------------------------------------------

UpdateCase = Callable[[Organization], tuple[Rows, object, object]]
"""(the rows it needs, the row as stored, the same row with every field it may change)."""


def _user(org: Organization) -> tuple[Rows, object, object]:
    user = a_user()
    changed = dataclasses.replace(
        user, name="Renamed", email_verified=True, deleted_at=at(10), updated_at=at(10)
    )
    return (), user, changed


def _member(org: Organization) -> tuple[Rows, object, object]:
    user = a_user()
    member = a_member(org, user)
    return (user,), member, dataclasses.replace(member, role=MemberRole.OWNER, joined_at=at(7))


def _subscription(org: Organization) -> tuple[Rows, object, object]:
    subscription = a_subscription(org, credits_total=30)
    changed = dataclasses.replace(
        subscription,
        credits_used=7,
        tier=SubscriptionTier.STARTER,
        current_period_end=at(days=60),
    )
    return (), subscription, changed


def _brand(org: Organization) -> tuple[Rows, object, object]:
    brand = a_brand(org)
    return (), brand, a_rich_brand(org, id=brand.id, deleted_at=at(20))


def _social_account(org: Organization) -> tuple[Rows, object, object]:
    account = a_social_account(org)
    changed = a_rich_social_account(
        org, id=account.id, platform=account.platform, account_id=account.account_id
    )
    return (), account, changed


def _schedule(org: Organization) -> tuple[Rows, object, object]:
    brand = a_brand(org)
    schedule = a_schedule(org, brand)
    return (brand,), schedule, a_rich_schedule(org, brand, id=schedule.id)


def _material(org: Organization) -> tuple[Rows, object, object]:
    brand = a_brand(org)
    material = a_material(org, brand)
    return (brand,), material, a_rich_material(org, brand, id=material.id, deleted_at=at(50))


def _external_source(org: Organization) -> tuple[Rows, object, object]:
    brand = a_brand(org)
    source = an_external_source(org, brand)
    return (brand,), source, a_rich_external_source(org, brand, id=source.id)


def _pending_post(org: Organization) -> tuple[Rows, object, object]:
    brand = a_brand(org)
    material = a_material(org, brand)
    pending = a_pending_post(org, brand, material)
    changed = dataclasses.replace(
        pending,
        status=PendingPostStatus.APPROVED,
        content="Edited by a reviewer",
        review_notes="tightened the copy",
        updated_at=at(30),
    )
    return (brand, material), pending, changed


def _post(org: Organization) -> tuple[Rows, object, object]:
    brand, account = a_brand(org), a_social_account(org, platform=SocialPlatform.LINKEDIN)
    post = a_post(org, brand, account)
    changed = dataclasses.replace(
        post,
        likes=5,
        comments=1,
        shares=2,
        impressions=100,
        reach=90,
        clicks=2,
        engagement_rate=0.125,  # exact in float4
        metrics_updated_at=at(60),
    )
    return (brand, account), post, changed


def _publish_attempt(org: Organization) -> tuple[Rows, object, object]:
    brand, account = a_brand(org), a_social_account(org, platform=SocialPlatform.LINKEDIN)
    material = a_material(org, brand)
    pending = a_pending_post(org, brand, material)
    attempt = a_publish_attempt(org, pending, account, started_at=at(1))
    changed = dataclasses.replace(
        attempt,
        status=PublishAttemptStatus.UNKNOWN,
        error="timeout",
        external_id="li-9",
        finished_at=at(2),
    )
    return (brand, account, material, pending), attempt, changed


UPDATES: dict[str, UpdateCase] = {
    "user": _user,
    "member": _member,
    "subscription": _subscription,
    "brand": _brand,
    "social_account": _social_account,
    "schedule": _schedule,
    "material": _material,
    "external_source": _external_source,
    "pending_post": _pending_post,
    "post": _post,
    "publish_attempt": _publish_attempt,
}


@pytest.mark.parametrize("case", UPDATES.values(), ids=UPDATES.keys())
async def test_update_stores_every_field(
    backend: ContractBackend, org: Organization, case: UpdateCase
) -> None:
    needed, stored, changed = case(org)
    await backend.seed(*needed, stored)

    await backend.write(lambda uow: update(uow, changed))

    assert await backend.read(lambda uow: load(uow, changed)) == changed


# a row pointing at another organisation's row is refused ----------------------------------

ForeignCase = Callable[[Organization, Organization], tuple[Rows, object]]
"""(the rows it needs, some of the other organisation; a new row of the first organisation,
or of the other, that points across)."""


def _ledger_row_to_a_subscription(org: Organization, other: Organization) -> tuple[Rows, object]:
    foreign = a_subscription(other)
    return (foreign,), a_credit_transaction(org, foreign)


def _link_to_an_account(org: Organization, other: Organization) -> tuple[Rows, object]:
    brand, foreign = a_brand(org), a_social_account(other)
    return (brand, foreign), a_link(org, brand, foreign)


def _link_to_a_brand(org: Organization, other: Organization) -> tuple[Rows, object]:
    account, foreign = a_social_account(org, platform=SocialPlatform.LINKEDIN), a_brand(other)
    return (account, foreign), a_link(org, foreign, account)


def _of_a_brand(make: Callable[..., object]) -> ForeignCase:
    """A new row, built by ``make(org, brand)``, of the other organisation's brand."""

    def case(org: Organization, other: Organization) -> tuple[Rows, object]:
        foreign = a_brand(other)
        return (foreign,), make(org, foreign)

    return case


def _pending_post_of_a_material(org: Organization, other: Organization) -> tuple[Rows, object]:
    brand, foreign = a_brand(org), a_material(other)
    return (brand, foreign), a_pending_post(org, brand, foreign)


def _post_through_an_account(org: Organization, other: Organization) -> tuple[Rows, object]:
    brand, foreign = a_brand(org), a_social_account(other)
    return (brand, foreign), a_post(org, brand, foreign)


def _attempt_through_an_account(org: Organization, other: Organization) -> tuple[Rows, object]:
    brand, foreign = a_brand(org), a_social_account(other)
    material = a_material(org, brand)
    pending = a_pending_post(org, brand, material)
    return (brand, foreign, material, pending), a_publish_attempt(org, pending, foreign)


def _metric_of_a_post(org: Organization, other: Organization) -> tuple[Rows, object]:
    brand, account = a_brand(org), a_social_account(org, platform=SocialPlatform.LINKEDIN)
    post = a_post(org, brand, account)
    return (brand, account, post), a_post_metric(other, post)


FOREIGN_REFERENCES: dict[str, ForeignCase] = {
    "credit_transaction-subscription": _ledger_row_to_a_subscription,
    "link-social_account": _link_to_an_account,
    "link-brand": _link_to_a_brand,
    "schedule-brand": _of_a_brand(a_schedule),
    "material-brand": _of_a_brand(a_material),
    "external_source-brand": _of_a_brand(an_external_source),
    "pending_post-material": _pending_post_of_a_material,
    "post-social_account": _post_through_an_account,
    "publish_attempt-social_account": _attempt_through_an_account,
    "post_metric-post": _metric_of_a_post,
}


@pytest.mark.parametrize("case", FOREIGN_REFERENCES.values(), ids=FOREIGN_REFERENCES.keys())
async def test_a_row_pointing_into_another_organisation_is_refused(
    backend: ContractBackend, org: Organization, other_org: Organization, case: ForeignCase
) -> None:
    needed, row = case(org, other_org)
    await backend.seed(*needed)

    with pytest.raises(NotFoundError):
        await backend.write(lambda uow: store(uow, row))


# a row is read in its organisation and not through another --------------------------------

Read = Callable[[UnitOfWork, str], Awaitable[object]]
"""A read of one row through an organisation id."""
ReadCase = Callable[[Organization], tuple[Rows, object, Read]]
"""(the rows it needs, the row, its read)."""


def _read_brand(org: Organization) -> tuple[Rows, object, Read]:
    brand = a_brand(org)
    return (), brand, lambda uow, org_id: uow.brands.get(org_id, brand.id)


def _read_social_account(org: Organization) -> tuple[Rows, object, Read]:
    account = a_social_account(org)
    return (), account, lambda uow, org_id: uow.social_accounts.get(org_id, account.id)


def _read_link(org: Organization) -> tuple[Rows, object, Read]:
    brand, account = a_brand(org), a_social_account(org)
    link = a_link(org, brand, account)
    return (
        (brand, account),
        link,
        lambda uow, org_id: uow.brand_accounts.get(org_id, brand.id, account.id),
    )


def _read_external_source(org: Organization) -> tuple[Rows, object, Read]:
    brand = a_brand(org)
    source = an_external_source(org, brand)
    return (brand,), source, lambda uow, org_id: uow.external_sources.get(org_id, source.id)


def _read_schedule(org: Organization) -> tuple[Rows, object, Read]:
    brand = a_brand(org)
    schedule = a_schedule(org, brand)
    return (brand,), schedule, lambda uow, org_id: uow.schedules.get(org_id, schedule.id)


def _read_material(org: Organization) -> tuple[Rows, object, Read]:
    material = a_material(org)
    return (), material, lambda uow, org_id: uow.materials.get(org_id, material.id)


def _pending(org: Organization) -> tuple[Rows, PendingPost]:
    brand = a_brand(org)
    material = a_material(org, brand)
    return (brand, material), a_pending_post(org, brand, material)


def _read_pending_post(org: Organization) -> tuple[Rows, object, Read]:
    needed, pending = _pending(org)
    return needed, pending, lambda uow, org_id: uow.pending_posts.get(org_id, pending.id)


def _lock_pending_post(org: Organization) -> tuple[Rows, object, Read]:
    needed, pending = _pending(org)
    return (
        needed,
        pending,
        lambda uow, org_id: uow.pending_posts.get(org_id, pending.id, for_update=True),
    )


def _read_post(org: Organization) -> tuple[Rows, object, Read]:
    brand, account = a_brand(org), a_social_account(org)
    post = a_post(org, brand, account)
    return (brand, account), post, lambda uow, org_id: uow.posts.get(org_id, post.id)


def _read_post_of_a_pending_post(org: Organization) -> tuple[Rows, object, Read]:
    brand, account = a_brand(org), a_social_account(org)
    material = a_material(org, brand)
    pending = a_pending_post(org, brand, material)
    post = a_post(org, brand, account, pending_post_id=pending.id)
    return (
        (brand, account, material, pending),
        post,
        lambda uow, org_id: uow.posts.get_for_pending(org_id, pending.id, account.platform),
    )


def _read_member(org: Organization) -> tuple[Rows, object, Read]:
    user = a_user()
    return (user,), a_member(org, user), lambda uow, org_id: uow.members.get(org_id, user.id)


def _read_subscription(org: Organization) -> tuple[Rows, object, Read]:
    return (), a_subscription(org), lambda uow, org_id: uow.subscriptions.get(org_id)


READS: dict[str, ReadCase] = {
    "brand": _read_brand,
    "social_account": _read_social_account,
    "link": _read_link,
    "external_source": _read_external_source,
    "schedule": _read_schedule,
    "material": _read_material,
    "pending_post": _read_pending_post,
    "pending_post-for_update": _lock_pending_post,
    "post": _read_post,
    "post-for_pending": _read_post_of_a_pending_post,
    "member": _read_member,
    "subscription": _read_subscription,
}


@pytest.mark.parametrize("case", READS.values(), ids=READS.keys())
async def test_a_row_is_read_in_its_organisation_and_is_none_through_another(
    backend: ContractBackend, org: Organization, other_org: Organization, case: ReadCase
) -> None:
    needed, row, read = case(org)
    await backend.seed(*needed, row)

    assert await backend.read(lambda uow: read(uow, other_org.id)) is None
    assert await backend.read(lambda uow: read(uow, org.id)) == row


# rows of a brand are listed by created_at then id, and filtered by brand -------------------

Make = Callable[..., Any]
"""A builder of a new row of an organisation for a brand: ``make(org, brand, **fields)``."""
Find = Callable[[UnitOfWork, str, str | None], Awaitable[list[Any]]]
"""The listing of an organisation's rows, of one brand or (None) of every brand."""

BRAND_ROWS: dict[str, tuple[Make, Find]] = {
    "schedule": (
        a_schedule,
        lambda uow, org_id, brand_id: uow.schedules.find(org_id, brand_id=brand_id),
    ),
    "external_source": (
        an_external_source,
        lambda uow, org_id, brand_id: uow.external_sources.find(org_id, brand_id=brand_id),
    ),
}


@pytest.mark.parametrize(("make", "find"), BRAND_ROWS.values(), ids=BRAND_ROWS.keys())
async def test_rows_of_a_brand_are_listed_by_created_at_then_id_and_filtered_by_brand(
    backend: ContractBackend, org: Organization, brand: BrandProfile, make: Make, find: Find
) -> None:
    other_brand = a_brand(org)
    low, high = sorted_ids(2)
    late = make(org, brand, created_at=at(3))
    tie_high, tie_low = make(org, other_brand, id=high), make(org, brand, id=low)
    await backend.seed(other_brand, late, tie_high, tie_low)

    everything = await backend.read(lambda uow: find(uow, org.id, None))
    of_brand = await backend.read(lambda uow: find(uow, org.id, brand.id))

    assert [row.id for row in everything] == [low, high, late.id]
    assert [row.id for row in of_brand] == [low, late.id]


# a soft-deleted row is hidden unless included --------------------------------------------

SoftDeleteCase = Callable[[Organization], tuple[Rows, str, Any, Any, list[Any]]]
"""(the rows it needs, the repository, a live row, a soft-deleted one, both in the order
``find(include_deleted=True)`` lists them)."""


def _soft_deleted_brand(org: Organization) -> tuple[Rows, str, Any, Any, list[Any]]:
    live, deleted = a_brand(org, created_at=at(1)), a_brand(org, deleted_at=at(3))
    return (), "brands", live, deleted, [deleted, live]


def _soft_deleted_account(org: Organization) -> tuple[Rows, str, Any, Any, list[Any]]:
    live = a_social_account(org)
    deleted = a_social_account(org, deleted_at=at(4), created_at=at(1))
    return (), "social_accounts", live, deleted, [live, deleted]


def _soft_deleted_material(org: Organization) -> tuple[Rows, str, Any, Any, list[Any]]:
    live, deleted = a_material(org), a_material(org, deleted_at=at(2), created_at=at(1))
    return (), "materials", live, deleted, [live, deleted]


def _soft_deleted_post(org: Organization) -> tuple[Rows, str, Any, Any, list[Any]]:
    brand, account = a_brand(org), a_social_account(org)
    live = a_post(org, brand, account, published_at=at(2))
    deleted = a_post(org, brand, account, published_at=at(1), deleted_at=at(3))
    return (brand, account), "posts", live, deleted, [live, deleted]


SOFT_DELETES: dict[str, SoftDeleteCase] = {
    "brand": _soft_deleted_brand,
    "social_account": _soft_deleted_account,
    "material": _soft_deleted_material,
    "post": _soft_deleted_post,
}


@pytest.mark.parametrize("case", SOFT_DELETES.values(), ids=SOFT_DELETES.keys())
async def test_a_soft_deleted_row_is_hidden_unless_included(
    backend: ContractBackend, org: Organization, case: SoftDeleteCase
) -> None:
    needed, repository, live, deleted, everything = case(org)
    await backend.seed(*needed, live, deleted)

    def rows(uow: UnitOfWork) -> Any:
        return getattr(uow, repository)

    assert await backend.read(lambda uow: rows(uow).get(org.id, deleted.id)) is None
    assert (
        await backend.read(lambda uow: rows(uow).get(org.id, deleted.id, include_deleted=True))
        == deleted
    )
    assert await backend.read(lambda uow: rows(uow).find(org.id)) == [live]
    assert await backend.read(lambda uow: rows(uow).find(org.id, include_deleted=True)) == (
        everything
    )
