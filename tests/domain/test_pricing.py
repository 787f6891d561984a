"""Credit prices, tier allowances and account limits (docs/behaviour.md#credits-and-pricing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabbit.domain.enums import CreditAction, SubscriptionTier
from rabbit.domain.errors import ConflictError, LimitExceededError, ValidationError
from rabbit.domain.model import Subscription
from rabbit.domain.policies.periods import renew
from rabbit.domain.policies.pricing import (
    REGISTRATION_BONUS,
    TOPUP_CREDITS,
    TRIAL_PERIOD,
    check_account_limit,
    price,
    publish_price,
    tier_allowance,
)

T = SubscriptionTier


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=1, max_value=10_000))
def test_publishing_costs_one_per_platform_but_two_for_three_or_more(n: int) -> None:
    assert publish_price(n) == (n if n < 3 else 2)


@pytest.mark.parametrize("n", [0, -1, -100])
def test_publishing_to_no_platform_is_refused(n: int) -> None:
    with pytest.raises(ValidationError) as error:
        publish_price(n)
    assert error.value.field == "platforms"


@pytest.mark.parametrize(
    ("action", "credits"),
    [
        (CreditAction.GENERATE, 1),
        (CreditAction.GENERATE_TRENDING, 2),
        (CreditAction.REWRITE, 1),
        (CreditAction.ANALYTICS, 1),
    ],
)
def test_flat_prices_follow_the_table(action: CreditAction, credits: int) -> None:
    assert price(action) == credits


@pytest.mark.parametrize(
    "action", [CreditAction.PUBLISH, CreditAction.TOPUP, CreditAction.SUBSCRIPTION]
)
def test_actions_without_a_flat_price_are_refused(action: CreditAction) -> None:
    with pytest.raises(ValidationError):
        price(action)


def test_registration_and_topup_grants() -> None:
    assert (REGISTRATION_BONUS, TRIAL_PERIOD.days, TOPUP_CREDITS) == (30, 30, 100)


@pytest.mark.parametrize(
    ("tier", "allowance"),
    [(T.FREE, 30), (T.STARTER, 300), (T.GROWTH, 1000), (T.BUSINESS, 3000)],
)
def test_tier_allowances_follow_the_table(tier: SubscriptionTier, allowance: int) -> None:
    assert tier_allowance(tier) == allowance


def test_enterprise_allowance_is_the_contract_value() -> None:
    assert tier_allowance(T.ENTERPRISE, enterprise_allowance=12_345) == 12_345


def test_enterprise_allowance_must_be_given() -> None:
    with pytest.raises(ValidationError) as error:
        tier_allowance(T.ENTERPRISE)
    assert error.value.field == "enterprise_allowance"


LIMITS = {T.FREE: 1, T.STARTER: 1, T.GROWTH: 3, T.BUSINESS: None, T.ENTERPRISE: None}


@settings(max_examples=200, deadline=None)
@given(tier=st.sampled_from(T), live=st.integers(min_value=0, max_value=1000))
def test_one_more_account_fits_exactly_while_below_the_tier_limit(
    tier: SubscriptionTier, live: int
) -> None:
    limit = LIMITS[tier]
    if limit is None or live < limit:
        check_account_limit(tier, live)
    else:
        with pytest.raises(LimitExceededError) as error:
            check_account_limit(tier, live)
        assert (error.value.field, error.value.limit) == ("social_accounts", limit)


def test_a_renewal_at_the_instant_the_period_started_is_refused() -> None:
    start = datetime(2026, 3, 2, tzinfo=UTC)
    subscription = Subscription(id="s", organization_id="o", created_at=start, updated_at=start)
    renew(subscription, start, 30)
    with pytest.raises(ConflictError) as raised:
        renew(subscription, start, 300)
    assert raised.value.field == "current_period_start"
    assert subscription.credits_total == 30
    renew(subscription, start + timedelta(microseconds=1), 300)
    assert subscription.credits_total == 300
