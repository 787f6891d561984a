"""Subscriptions, the append-only credit ledger and the billing events."""

from __future__ import annotations

import pytest

from rabbit.domain.enums import (
    BillingEventKind,
    CreditAction,
    SubscriptionStatus,
    SubscriptionTier,
)
from rabbit.domain.errors import ConflictError
from rabbit.domain.model import Organization

from .builders import a_billing_event, a_credit_transaction, a_subscription, at, sorted_ids
from .conftest import ContractBackend


async def test_subscription_round_trip_preserves_every_field(
    backend: ContractBackend, org: Organization
) -> None:
    subscription = a_subscription(
        org,
        tier=SubscriptionTier.GROWTH,
        status=SubscriptionStatus.PAST_DUE,
        credits_total=1000,
        credits_used=250,
        stripe_subscription_id="sub_42",
        created_at=at(1),
        updated_at=at(2),
    )
    await backend.seed(subscription)

    assert await backend.read(lambda uow: uow.subscriptions.get(org.id)) == subscription


async def test_get_subscription_for_update_returns_the_same_row(
    backend: ContractBackend, org: Organization
) -> None:
    subscription = a_subscription(org)
    await backend.seed(subscription)

    found = await backend.read(lambda uow: uow.subscriptions.get(org.id, for_update=True))

    assert found == subscription


async def test_a_second_subscription_for_an_organization_conflicts(
    backend: ContractBackend, org: Organization
) -> None:
    await backend.seed(a_subscription(org))

    with pytest.raises(ConflictError) as error:
        await backend.write(lambda uow: uow.subscriptions.add(a_subscription(org)))

    assert error.value.field == "organization_id"


async def test_ledger_round_trip_preserves_every_field(
    backend: ContractBackend, org: Organization
) -> None:
    subscription = a_subscription(org)
    row = a_credit_transaction(
        org,
        subscription,
        amount=100,
        action=CreditAction.TOPUP,
        description="top-up",
        related_post_id="post-1",
        created_at=at(3),
    )
    await backend.seed(subscription, row)

    assert await backend.read(lambda uow: uow.ledger.find(org.id)) == [row]


async def test_ledger_lists_by_created_at_then_id_and_filters_by_since(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    subscription, elsewhere = a_subscription(org), a_subscription(other_org)
    low, high = sorted_ids(2)
    before = a_credit_transaction(org, subscription, amount=30, created_at=at(-10))
    tie_high = a_credit_transaction(org, subscription, id=high, amount=-1, created_at=at(5))
    tie_low = a_credit_transaction(org, subscription, id=low, amount=-2, created_at=at(5))
    boundary = a_credit_transaction(org, subscription, amount=-4, created_at=at(0))
    foreign = a_credit_transaction(other_org, elsewhere, amount=-8, created_at=at(1))
    await backend.seed(subscription, elsewhere, tie_high, before, tie_low, boundary, foreign)

    everything = await backend.read(lambda uow: uow.ledger.find(org.id))
    recent = await backend.read(lambda uow: uow.ledger.find(org.id, since=at(0)))

    assert [t.id for t in everything] == [before.id, boundary.id, low, high]
    assert [t.id for t in recent] == [boundary.id, low, high]


async def test_ledger_total_sums_amounts_since_an_instant(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    subscription, elsewhere = a_subscription(org), a_subscription(other_org)
    await backend.seed(
        subscription,
        elsewhere,
        a_credit_transaction(org, subscription, amount=30, created_at=at(-10)),
        a_credit_transaction(org, subscription, amount=-1, created_at=at(0)),
        a_credit_transaction(org, subscription, amount=-2, created_at=at(5)),
        a_credit_transaction(other_org, elsewhere, amount=-100, created_at=at(5)),
    )

    assert await backend.read(lambda uow: uow.ledger.total(org.id)) == 27
    assert await backend.read(lambda uow: uow.ledger.total(org.id, since=at(0))) == -3


async def test_ledger_total_is_zero_without_rows(
    backend: ContractBackend, org: Organization
) -> None:
    assert await backend.read(lambda uow: uow.ledger.total(org.id)) == 0


async def test_billing_event_round_trip_preserves_every_field(
    backend: ContractBackend, org: Organization
) -> None:
    event = a_billing_event(
        org, reference="in_1NxYz:2026/01.a-b", kind=BillingEventKind.TOP_UP, created_at=at(3)
    )
    await backend.seed(event)

    assert await backend.read(lambda uow: uow.billing_events.get(event.reference)) == event


async def test_a_billing_event_is_found_by_reference_whatever_its_organisation(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    """The one cross-organisation read: a reference identifies one change of one
    organisation, so the use case must see another organisation's use of it."""
    event = a_billing_event(other_org)
    await backend.seed(event)

    found = await backend.read(lambda uow: uow.billing_events.get(event.reference))

    assert found == event
    assert await backend.read(lambda uow: uow.billing_events.get("evt_unknown")) is None


async def test_a_reference_is_unique_across_organisations(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    await backend.seed(a_billing_event(org, reference="evt_once"))

    for owner, kind in ((org, BillingEventKind.RENEWAL), (other_org, BillingEventKind.TOP_UP)):
        again = a_billing_event(owner, reference="evt_once", kind=kind)
        with pytest.raises(ConflictError) as error:
            await backend.write(lambda uow, again=again: uow.billing_events.add(again))
        assert (error.value.entity, error.value.field) == ("billing_event", "reference")


async def test_billing_events_are_listed_per_organisation_by_creation(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    later = a_billing_event(org, created_at=at(5))
    earlier = a_billing_event(org, created_at=at(1), kind=BillingEventKind.CANCELLATION)
    await backend.seed(later, earlier, a_billing_event(other_org, created_at=at(2)))

    assert await backend.read(lambda uow: uow.billing_events.find(org.id)) == [earlier, later]


async def test_billing_events_go_with_their_organisation(
    backend: ContractBackend, org: Organization
) -> None:
    event = a_billing_event(org)
    await backend.seed(event)

    await backend.write(lambda uow: uow.organizations.delete(org.id))

    assert await backend.read(lambda uow: uow.billing_events.get(event.reference)) is None
