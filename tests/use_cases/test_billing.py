"""Tiers, renewals, top-ups, deductions and the ledger invariant; every billing change is the
payment provider's (the system facade), applied once per reference (ADR 0019)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rabbit.application.facade import Rabbit
from rabbit.application.shared_services import credits_of
from rabbit.application.use_cases.billing import ChangeTier
from rabbit.domain import limits
from rabbit.domain.enums import CreditAction, SubscriptionStatus, SubscriptionTier
from rabbit.domain.errors import (
    ConflictError,
    InsufficientCreditsError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
)

from .app import App
from .facade_support import facade_methods, unwired


async def charge(app: App, organization_id: str, amount: int) -> None:
    """What a later use case does: deduct inside its own unit of work, then commit."""
    async with app.ports.uow() as uow:
        await credits_of(app.ports).charge(
            uow, organization_id, amount, CreditAction.GENERATE, "a post", "post-1"
        )
        await uow.commit()


async def assert_ledger_invariant(app: App, organization_id: str, owner: str) -> None:
    balance = await app.billing.balance(owner, organization_id)
    period = await app.billing.ledger(owner, organization_id, current_period_only=True)
    assert balance.credits_total - balance.credits_used == sum(row.amount for row in period)
    assert 0 <= balance.credits_used <= balance.credits_total


async def test_a_deduction_writes_a_negative_ledger_row(app: App) -> None:
    org_id, owner = await app.organization()
    app.tick()
    await charge(app, org_id, 3)
    balance = await app.billing.balance(owner, org_id)
    assert (balance.credits_used, balance.credits_remaining) == (3, 27)
    last = (await app.billing.ledger(owner, org_id))[-1]
    assert (last.amount, last.action, last.related_post_id) == (-3, CreditAction.GENERATE, "post-1")


async def test_an_overdraft_raises_and_changes_nothing(app: App) -> None:
    org_id, owner = await app.organization()
    app.tick()
    with pytest.raises(InsufficientCreditsError):
        await charge(app, org_id, 31)
    assert (await app.billing.balance(owner, org_id)).credits_used == 0
    assert len(await app.billing.ledger(owner, org_id)) == 1


async def test_deduct_credits_charges_in_a_unit_of_work_of_its_own(app: App) -> None:
    org_id, owner = await app.organization()
    app.tick()

    row = await app.payments.deduct_credits(org_id, 4, CreditAction.ANALYTICS, "a report")

    assert (row.amount, row.action, row.description) == (-4, CreditAction.ANALYTICS, "a report")
    assert (await app.billing.balance(owner, org_id)).credits_used == 4
    assert (await app.billing.ledger(owner, org_id))[-1] == row
    await assert_ledger_invariant(app, org_id, owner)


async def test_deduct_credits_refuses_an_overdraft_and_changes_nothing(app: App) -> None:
    org_id, owner = await app.organization()
    app.tick()

    with pytest.raises(InsufficientCreditsError):
        await app.payments.deduct_credits(org_id, 31, CreditAction.GENERATE)

    assert (await app.billing.balance(owner, org_id)).credits_used == 0
    assert len(await app.billing.ledger(owner, org_id)) == 1


async def test_deduct_credits_of_an_unknown_organization_is_not_found(app: App) -> None:
    with pytest.raises(NotFoundError):
        await app.payments.deduct_credits("no-such-org", 1, CreditAction.GENERATE)


async def test_a_top_up_grants_one_hundred_credits(app: App) -> None:
    org_id, owner = await app.organization()
    app.tick()
    subscription = await app.top_up(org_id)
    assert subscription.credits_total == 130
    row = (await app.billing.ledger(owner, org_id))[-1]
    assert (row.amount, row.action) == (100, CreditAction.TOPUP)
    assert (await app.billing.balance(owner, org_id)).credits_total == 130


async def test_renewal_grants_the_tier_allowance_without_rollover(app: App) -> None:
    org_id, owner = await app.organization()
    await app.set_tier(org_id, SubscriptionTier.GROWTH)
    app.tick()
    await charge(app, org_id, 5)
    app.tick(30 * 24 * 3600)
    renewed = await app.renew(org_id)
    assert (renewed.credits_total, renewed.credits_used) == (1000, 0)
    assert renewed.status is SubscriptionStatus.ACTIVE
    assert renewed.current_period_start == app.clock.now()
    period = await app.billing.ledger(owner, org_id, current_period_only=True)
    assert [(r.amount, r.action) for r in period] == [(1000, CreditAction.SUBSCRIPTION)]
    await assert_ledger_invariant(app, org_id, owner)


async def test_an_unknown_tier_is_a_validation_error_naming_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        ChangeTier.parse({"tier": "PLATINUM"})
    assert error.value.field == "tier"


operations = st.lists(
    st.one_of(
        st.tuples(st.just("charge"), st.integers(min_value=1, max_value=40)),
        st.tuples(st.just("top_up"), st.just(0)),
        st.tuples(st.just("renew"), st.just(0)),
        st.tuples(st.just("tier"), st.sampled_from(list(SubscriptionTier))),
    ),
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    # make_app is a factory: each example builds its own empty application.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
async def test_the_ledger_matches_the_counters_after_any_sequence(
    make_app: Callable[[], App], steps: list[tuple[str, object]]
) -> None:
    app = make_app()
    org_id, owner = await app.organization()
    for kind, value in steps:
        app.tick(3600)
        if kind == "charge":
            assert isinstance(value, int)
            with contextlib.suppress(InsufficientCreditsError):
                await charge(app, org_id, value)
        elif kind == "top_up":
            await app.top_up(org_id)
        elif kind == "renew":
            await app.renew(org_id)
        else:
            assert isinstance(value, SubscriptionTier)
            await app.set_tier(org_id, value)
        await assert_ledger_invariant(app, org_id, owner)


# --- idempotent billing changes (ADR 0019) ---------------------------------------------------


async def test_renewing_twice_with_the_same_reference_keeps_the_credits_used(app: App) -> None:
    """A payment webhook delivered twice: the second delivery changes nothing."""
    org_id, owner = await app.organization()
    app.tick()
    await app.payments.renew_period(org_id, "in_0001")
    await charge(app, org_id, 7)
    app.tick()
    again = await app.payments.renew_period(org_id, "in_0001")
    assert (again.credits_total, again.credits_used) == (30, 7)
    balance = await app.billing.balance(owner, org_id)
    assert (balance.credits_total, balance.credits_used) == (30, 7)
    renewals = [
        row
        for row in await app.billing.ledger(owner, org_id)
        if row.description == "period renewal"
    ]
    assert len(renewals) == 1
    await assert_ledger_invariant(app, org_id, owner)


async def test_a_top_up_delivered_twice_adds_one_hundred_once(app: App) -> None:
    org_id, owner = await app.organization()
    app.tick()
    first = await app.payments.top_up(org_id, "pi_3NxTopUp")
    app.tick()
    second = await app.payments.top_up(org_id, "pi_3NxTopUp")
    assert first.credits_total == second.credits_total == 130
    assert (await app.billing.balance(owner, org_id)).credits_total == 130
    topups = [r for r in await app.billing.ledger(owner, org_id) if r.action is CreditAction.TOPUP]
    assert len(topups) == 1
    await assert_ledger_invariant(app, org_id, owner)


async def test_a_tier_change_delivered_twice_is_applied_once(app: App) -> None:
    org_id, owner = await app.organization()
    growth = ChangeTier(tier=SubscriptionTier.GROWTH)
    await app.payments.change_tier(org_id, growth, "evt_upgrade")
    await app.payments.change_tier(org_id, ChangeTier(tier=SubscriptionTier.BUSINESS), "evt_other")
    again = await app.payments.change_tier(org_id, growth, "evt_upgrade")
    assert again.tier is SubscriptionTier.BUSINESS  # the current state, not the replayed change
    assert (await app.billing.balance(owner, org_id)).tier is SubscriptionTier.BUSINESS


async def test_a_reference_of_another_organisation_is_a_conflict_that_names_neither(
    app: App,
) -> None:
    org_a, owner_a = await app.organization("alpha")
    org_b, owner_b = await app.organization("bravo")
    app.tick()
    await app.payments.top_up(org_a, "pi_shared")
    with pytest.raises(ConflictError) as refused:
        await app.payments.top_up(org_b, "pi_shared")
    assert refused.value.field == "reference"
    assert org_a not in str(refused.value)
    assert "alpha" not in str(refused.value).lower()
    assert (await app.billing.balance(owner_b, org_b)).credits_total == 30
    assert (await app.billing.balance(owner_a, org_a)).credits_total == 130


async def test_a_reference_used_for_another_kind_of_change_is_a_conflict(app: App) -> None:
    org_id, owner = await app.organization()
    app.tick()
    await app.payments.top_up(org_id, "evt_1")
    app.tick()
    with pytest.raises(ConflictError) as refused:
        await app.payments.renew_period(org_id, "evt_1")
    assert refused.value.field == "reference"
    with pytest.raises(ConflictError):
        await app.payments.cancel(org_id, "evt_1")
    balance = await app.billing.balance(owner, org_id)
    assert (balance.credits_total, balance.status) == (130, SubscriptionStatus.TRIALING)


async def test_a_past_due_subscription_is_not_renewed(app: App) -> None:
    org_id, owner = await app.organization()
    app.tick()
    await app.payments.renew_period(org_id, "in_paid")
    await charge(app, org_id, 4)
    failed = await app.payments.payment_failed(org_id, "evt_failed")
    assert failed.status is SubscriptionStatus.PAST_DUE
    app.tick()
    with pytest.raises(InvalidTransitionError) as refused:
        await app.payments.renew_period(org_id, "in_unpaid")
    assert (refused.value.current, refused.value.target) == ("PAST_DUE", "ACTIVE")
    balance = await app.billing.balance(owner, org_id)
    assert (balance.status, balance.credits_used) == (SubscriptionStatus.PAST_DUE, 4)
    # recovered: ACTIVE again, and the next paid invoice renews
    recovered = await app.payments.payment_recovered(org_id, "evt_recovered")
    assert recovered.status is SubscriptionStatus.ACTIVE
    app.tick()
    renewed = await app.payments.renew_period(org_id, "in_unpaid")
    assert (renewed.status, renewed.credits_used) == (SubscriptionStatus.ACTIVE, 0)


async def test_a_cancelled_subscription_is_neither_renewed_nor_cancelled_again(app: App) -> None:
    org_id, owner = await app.organization()
    cancelled = await app.payments.cancel(org_id, "evt_cancel")
    assert cancelled.status is SubscriptionStatus.CANCELLED
    assert (await app.payments.cancel(org_id, "evt_cancel")).status is SubscriptionStatus.CANCELLED
    app.tick()
    with pytest.raises(InvalidTransitionError):
        await app.payments.renew_period(org_id, "in_after_cancel")
    with pytest.raises(InvalidTransitionError):
        await app.payments.cancel(org_id, "evt_cancel_again")
    with pytest.raises(InvalidTransitionError):
        await app.payments.payment_recovered(org_id, "evt_recovered")
    assert (await app.billing.balance(owner, org_id)).status is SubscriptionStatus.CANCELLED


async def test_a_refused_change_stores_no_reference(app: App) -> None:
    """A change refused by its rule can be delivered again under the same reference once the
    rule allows it (nothing was recorded)."""
    org_id, _ = await app.organization()
    with pytest.raises(InvalidTransitionError):
        await app.payments.payment_recovered(org_id, "evt_early")  # TRIALING: nothing owed
    await app.payments.payment_failed(org_id, "evt_failed")
    assert (await app.payments.payment_recovered(org_id, "evt_early")).status is (
        SubscriptionStatus.ACTIVE
    )


@pytest.mark.parametrize(
    "reference",
    ["", " in_1", "in 1", "in_1;drop", "ïn_1", "-in_1", "r" * (limits.MAX_REFERENCE + 1), None],
    ids=["empty", "leading-space", "space", "semicolon", "non-ascii", "dash-first", "long", "none"],
)
async def test_a_malformed_reference_is_refused_before_anything_changes(
    app: App, reference: str | None
) -> None:
    org_id, owner = await app.organization()
    app.tick()
    with pytest.raises(ValidationError) as refused:
        await app.payments.top_up(org_id, reference)  # type: ignore[arg-type]
    assert refused.value.field == "reference"
    assert (await app.billing.balance(owner, org_id)).credits_total == 30


async def test_a_reference_of_the_longest_length_and_every_allowed_character_is_accepted(
    app: App,
) -> None:
    org_id, _ = await app.organization()
    app.tick()
    longest = ("Az09_.:/-" * 40)[: limits.MAX_REFERENCE]
    assert (await app.payments.top_up(org_id, longest)).credits_total == 130


def test_no_member_use_case_changes_a_tier_or_adds_credits() -> None:
    """Tier and top-up changes come from the payment provider only: the member facade offers
    no method that could change either (its billing area only reads)."""
    member = unwired(Rabbit)
    names = {name for _, name, _ in facade_methods(member)}
    assert not names & {"change_tier", "top_up", "renew_period", "deduct_credits", "cancel"}
    assert {name for area, name, _ in facade_methods(member) if area == "billing"} == {
        "balance",
        "ledger",
    }
    for area, name, signature in facade_methods(member):
        assert not any("Tier" in str(p.annotation) for p in signature.parameters.values()), (
            area,
            name,
        )
