"""The subscription (credit counters), the append-only credit ledger and the billing events
(the payment provider's references of the changes already applied, ADR 0019)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rabbit.domain.enums import (
    BillingEventKind,
    CreditAction,
    SubscriptionStatus,
    SubscriptionTier,
)
from rabbit.domain.errors import InsufficientCreditsError, ValidationError


@dataclass(kw_only=True, slots=True)
class Subscription:
    """One per organisation. Invariant: ``0 <= credits_used <= credits_total``."""

    id: str
    organization_id: str
    tier: SubscriptionTier = SubscriptionTier.FREE
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE
    credits_total: int = 0
    credits_used: int = 0
    current_period_start: datetime | None = None
    current_period_end: datetime | None = None
    stripe_subscription_id: str | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def opened(
        cls,
        *,
        id: str,
        organization_id: str,
        tier: SubscriptionTier,
        status: SubscriptionStatus,
        now: datetime,
    ) -> Subscription:
        """A new subscription with no credits and no period: :meth:`start_period` opens
        its first one."""
        return cls(
            id=id,
            organization_id=organization_id,
            tier=tier,
            status=status,
            created_at=now,
            updated_at=now,
        )

    @property
    def credits_remaining(self) -> int:
        return self.credits_total - self.credits_used

    def consume(self, amount: int, now: datetime) -> None:
        """Use ``amount`` credits, or raise and change nothing."""
        if amount <= 0:
            raise ValidationError("amount", "a deduction must be a positive number of credits")
        if amount > self.credits_remaining:
            raise InsufficientCreditsError(self.organization_id, amount, self.credits_remaining)
        self.credits_used += amount
        self.updated_at = now

    def refund(self, amount: int, now: datetime) -> None:
        """Give back ``amount`` credits charged earlier (a reservation not used). They come
        off ``credits_used``; what exceeds it (a charge of an earlier period, whose counters
        were reset) is added to ``credits_total``, so the ledger invariant holds either way."""
        if amount <= 0:
            raise ValidationError("amount", "a refund must be a positive number of credits")
        back = min(amount, self.credits_used)
        self.credits_used -= back
        self.credits_total += amount - back
        self.updated_at = now

    def grant(self, amount: int, now: datetime) -> None:
        """Add ``amount`` credits to the current period (a top-up)."""
        if amount <= 0:
            raise ValidationError("amount", "a grant must be a positive number of credits")
        self.credits_total += amount
        self.updated_at = now

    def change_tier(self, tier: SubscriptionTier, now: datetime) -> None:
        """The tier the customer bought (or moved down to); the credits of the current
        period stay as they are until the next renewal."""
        self.tier = tier
        self.updated_at = now

    def start_period(self, start: datetime, end: datetime, allowance: int) -> None:
        """Open a new period with ``allowance`` credits; unused credits do not roll over."""
        if end <= start:
            raise ValidationError("current_period_end", "must be after the period start")
        if allowance < 0:
            raise ValidationError("allowance", "must not be negative")
        self.current_period_start = start
        self.current_period_end = end
        self.credits_total = allowance
        self.credits_used = 0


@dataclass(kw_only=True, slots=True)
class CreditTransaction:
    """A ledger row: positive amounts grant credits, negative ones debit. Never changed."""

    id: str
    organization_id: str
    subscription_id: str
    amount: int
    action: CreditAction
    description: str | None = None
    related_post_id: str | None = None
    created_at: datetime

    @classmethod
    def booked(
        cls,
        *,
        id: str,
        subscription: Subscription,
        amount: int,
        action: CreditAction,
        description: str | None,
        related_post_id: str | None,
        now: datetime,
    ) -> CreditTransaction:
        """The ledger row of a change of ``subscription``'s credits (``amount`` signed: a
        grant positive, a debit negative), stamped ``now`` so that it falls in the period."""
        return cls(
            id=id,
            organization_id=subscription.organization_id,
            subscription_id=subscription.id,
            amount=amount,
            action=action,
            description=description,
            related_post_id=related_post_id,
            created_at=now,
        )


@dataclass(kw_only=True, slots=True)
class BillingEvent:
    """A billing change applied on the payment provider's word, under its reference (an
    event, payment or invoice id): the idempotency key of the change. ``reference`` is unique
    across organisations; never changed."""

    id: str
    organization_id: str
    reference: str
    kind: BillingEventKind
    created_at: datetime

    @classmethod
    def recorded(
        cls, *, id: str, organization_id: str, reference: str, kind: BillingEventKind, now: datetime
    ) -> BillingEvent:
        """The provider's ``reference`` of a change applied ``now`` to the organisation."""
        return cls(
            id=id, organization_id=organization_id, reference=reference, kind=kind, created_at=now
        )
