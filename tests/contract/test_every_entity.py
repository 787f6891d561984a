"""The contracts every stored entity keeps, one test per contract, one case per entity:
``update`` stores every field, and a row pointing at another organisation's row is refused
(the composite tenant foreign keys of rabbit_postgres.schema, the same-tenant check of the
memory session).

A case builds what it needs from the builders; adding an entity is adding a case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from rabbit.domain.enums import (
    MemberRole,
    PendingPostStatus,
    PublishAttemptStatus,
    SocialPlatform,
    SubscriptionTier,
)
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import Organization

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


def _schedule_of_a_brand(org: Organization, other: Organization) -> tuple[Rows, object]:
    foreign = a_brand(other)
    return (foreign,), a_schedule(org, foreign)


def _material_of_a_brand(org: Organization, other: Organization) -> tuple[Rows, object]:
    foreign = a_brand(other)
    return (foreign,), a_material(org, foreign)


def _external_source_of_a_brand(org: Organization, other: Organization) -> tuple[Rows, object]:
    foreign = a_brand(other)
    return (foreign,), an_external_source(org, foreign)


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
    "schedule-brand": _schedule_of_a_brand,
    "material-brand": _material_of_a_brand,
    "external_source-brand": _external_source_of_a_brand,
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
