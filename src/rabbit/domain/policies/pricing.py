"""What operations cost in credits, what each tier grants, and how many accounts it allows.

The numbers are the tables of docs/behaviour.md#credits-and-pricing. Debits are positive prices
here; the ledger stores
them negated (a debit is a negative amount), grants positive.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from rabbit.domain.enums import CreditAction, SubscriptionStatus, SubscriptionTier
from rabbit.domain.errors import LimitExceededError, ValidationError

GENERATE_PRICE: Final = 1
GENERATE_TRENDING_PRICE: Final = 2
REWRITE_PRICE: Final = 1
PUBLISH_PRICE_PER_PLATFORM: Final = 1
PUBLISH_BUNDLE_PRICE: Final = 2
"""Publishing one post to PUBLISH_BUNDLE_MIN_PLATFORMS or more platforms at once costs this
in total."""
PUBLISH_BUNDLE_MIN_PLATFORMS: Final = 3
ANALYTICS_PRICE: Final = 1
TOPUP_CREDITS: Final = 100

FLAT_PRICES: Mapping[CreditAction, int] = {
    CreditAction.GENERATE: GENERATE_PRICE,
    CreditAction.GENERATE_TRENDING: GENERATE_TRENDING_PRICE,
    CreditAction.REWRITE: REWRITE_PRICE,
    CreditAction.ANALYTICS: ANALYTICS_PRICE,
}
"""The debits whose price does not depend on anything (PUBLISH does: see publish_price)."""

REGISTRATION_BONUS: Final = 30
TRIAL_PERIOD: Final = timedelta(days=30)
TRIAL_STATUS: Final = SubscriptionStatus.TRIALING
TRIAL_TIER: Final = SubscriptionTier.FREE

TIER_ALLOWANCES: Mapping[SubscriptionTier, int] = {
    SubscriptionTier.FREE: 30,
    SubscriptionTier.STARTER: 300,
    SubscriptionTier.GROWTH: 1000,
    SubscriptionTier.BUSINESS: 3000,
}
"""Credits granted per period; ENTERPRISE is absent because it is set per contract."""

DEFAULT_ENTERPRISE_ALLOWANCE: Final = 10_000
"""ENTERPRISE credits per period when the deployment sets no contract's figure
(``CoreConfig.enterprise_allowance``)."""

ACCOUNT_LIMITS: Mapping[SubscriptionTier, int | None] = {
    SubscriptionTier.FREE: 1,
    SubscriptionTier.STARTER: 1,
    SubscriptionTier.GROWTH: 3,
    SubscriptionTier.BUSINESS: None,
    SubscriptionTier.ENTERPRISE: None,
}
"""Connected social accounts per organisation; None means unlimited."""


def price(action: CreditAction) -> int:
    """The flat price of a debit action; PUBLISH needs publish_price, grants have no price."""
    if action not in FLAT_PRICES:
        raise ValidationError("action", f"{action} has no flat price")
    return FLAT_PRICES[action]


def publish_price(n_platforms: int) -> int:
    """Credits to publish one post to ``n_platforms`` at once: 1 each, 2 in total for 3+."""
    if n_platforms < 1:
        raise ValidationError("platforms", "publishing needs at least one platform")
    if n_platforms >= PUBLISH_BUNDLE_MIN_PLATFORMS:
        return PUBLISH_BUNDLE_PRICE
    return n_platforms * PUBLISH_PRICE_PER_PLATFORM


def tier_allowance(tier: SubscriptionTier, enterprise_allowance: int | None = None) -> int:
    """Credits granted per period for ``tier``.

    ENTERPRISE is set per contract, so its allowance must be passed in
    (ValidationError("enterprise_allowance") when missing or negative).
    """
    if tier is SubscriptionTier.ENTERPRISE:
        if enterprise_allowance is None or enterprise_allowance < 0:
            raise ValidationError(
                "enterprise_allowance", "the ENTERPRISE allowance is set per contract"
            )
        return enterprise_allowance
    return TIER_ALLOWANCES[tier]


def account_limit(tier: SubscriptionTier) -> int | None:
    """How many social accounts ``tier`` may connect; None means unlimited."""
    return ACCOUNT_LIMITS[tier]


def check_account_limit(tier: SubscriptionTier, live_count: int) -> None:
    """Raise LimitExceededError("social_accounts") unless one more account fits the tier.

    ``live_count`` is the number of connected, not deleted accounts before the new one.
    """
    limit = account_limit(tier)
    if limit is not None and live_count >= limit:
        raise LimitExceededError("social_accounts", limit)
