"""Tiers, renewals, top-ups, deductions and the ledger invariant."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rabbit.application.credits import Credits
from rabbit.application.use_cases.billing import ChangeTier
from rabbit.domain.enums import CreditAction, SubscriptionStatus, SubscriptionTier
from rabbit.domain.errors import InsufficientCreditsError, NotFoundError, ValidationError

from .app import App


async def charge(app: App, organization_id: str, amount: int) -> None:
    """What a later use case does: deduct inside its own unit of work, then commit."""
    async with app.ports.uow() as uow:
        await Credits(app.ports).charge(
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
    row = await app.billing.top_up(owner, org_id)
    assert (row.amount, row.action) == (100, CreditAction.TOPUP)
    assert (await app.billing.balance(owner, org_id)).credits_total == 130


async def test_renewal_grants_the_tier_allowance_without_rollover(app: App) -> None:
    org_id, owner = await app.organization()
    await app.billing.change_tier(owner, org_id, ChangeTier(tier=SubscriptionTier.GROWTH))
    app.tick()
    await charge(app, org_id, 5)
    app.tick(30 * 24 * 3600)
    renewed = await app.payments.renew_period(org_id)
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
            await app.billing.top_up(owner, org_id)
        elif kind == "renew":
            await app.payments.renew_period(org_id)
        else:
            assert isinstance(value, SubscriptionTier)
            await app.billing.change_tier(owner, org_id, ChangeTier(tier=value))
        await assert_ledger_invariant(app, org_id, owner)
