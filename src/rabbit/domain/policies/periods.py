"""Billing periods: their length and what a renewal does to a subscription.

A period lasts 30 days (the trial included). Renewal opens the next period from the moment
it runs, not from the end of the previous one: the ledger invariant counts the rows
created at or after ``current_period_start``, so starting the period at the renewal itself
keeps the last debits of the old period out of the new one. Unused credits do not roll
over. A trial that is renewed becomes an ACTIVE subscription; a PAST_DUE, CANCELLED or
PAUSED one cannot be renewed (InvalidTransitionError): a PAST_DUE subscription owes a
payment, and only the provider's word that it was recovered makes it ACTIVE again
(ADR 0019).

A renewal must start strictly after the current period's start: at the same instant the
old period's opening grant would count in the new period too, and the ledger invariant
would break (a fake clock that does not move makes this easy to hit).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from rabbit.domain.enums import SubscriptionStatus
from rabbit.domain.errors import ConflictError, InvalidTransitionError
from rabbit.domain.model import Subscription

BILLING_PERIOD: Final = timedelta(days=30)

_RENEWABLE: Final = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING})


def renew(subscription: Subscription, now: datetime, allowance: int) -> None:
    """Open the next period at ``now`` with ``allowance`` credits (no rollover)."""
    if subscription.status not in _RENEWABLE:
        raise InvalidTransitionError(
            "subscription", subscription.id, subscription.status, SubscriptionStatus.ACTIVE
        )
    start = subscription.current_period_start
    if start is not None and now <= start:
        raise ConflictError(
            "subscription", "current_period_start", "a period already starts at or after now"
        )
    subscription.start_period(now, now + BILLING_PERIOD, allowance)
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.updated_at = now


_STATUS_CHANGES: Final[dict[SubscriptionStatus, frozenset[SubscriptionStatus]]] = {
    SubscriptionStatus.PAST_DUE: frozenset(
        {SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE}
    ),
    SubscriptionStatus.ACTIVE: frozenset({SubscriptionStatus.PAST_DUE}),
    SubscriptionStatus.CANCELLED: frozenset(
        {
            SubscriptionStatus.ACTIVE,
            SubscriptionStatus.TRIALING,
            SubscriptionStatus.PAST_DUE,
            SubscriptionStatus.PAUSED,
        }
    ),
}
"""Target status -> the statuses a payment provider's report may move from: a payment fails
(-> PAST_DUE, again while still past due), is recovered (PAST_DUE -> ACTIVE), the
subscription is cancelled (from anything but CANCELLED)."""


def change_status(subscription: Subscription, target: SubscriptionStatus, now: datetime) -> None:
    """Move to ``target`` as the payment provider reported, or InvalidTransitionError."""
    if subscription.status not in _STATUS_CHANGES.get(target, frozenset()):
        raise InvalidTransitionError("subscription", subscription.id, subscription.status, target)
    subscription.status = target
    subscription.updated_at = now
