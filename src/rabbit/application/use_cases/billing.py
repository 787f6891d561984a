"""Subscriptions and the credit ledger (docs/behaviour.md#billing-periods-and-payments).

Members only read (:class:`Billing`: balance and ledger, VIEW_ANALYTICS). Every change comes
from the payment provider through :class:`Payments` on the system facade (ADR 0018), each
under the provider's reference, its idempotency key (ADR 0019); a stand-alone deduction is
the service's own charge and takes none (work of this service charges inside its own unit
of work: :mod:`rabbit.application.credits`). Periods and statuses follow
:mod:`rabbit.domain.policies.periods`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rabbit.application.authorization import authorize
from rabbit.application.credits import Credits
from rabbit.application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases._lookups import existing_subscription
from rabbit.domain.enums import BillingEventKind, CreditAction, SubscriptionStatus, SubscriptionTier
from rabbit.domain.errors import ConflictError
from rabbit.domain.model import BillingEvent, CreditTransaction, Subscription
from rabbit.domain.policies.periods import change_status, renew
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.policies.pricing import TOPUP_CREDITS, tier_allowance


class ChangeTier(Command):
    tier: SubscriptionTier


@dataclass(frozen=True, slots=True)
class CreditBalance:
    """The current period's credits, as members see them."""

    tier: SubscriptionTier
    status: SubscriptionStatus
    credits_total: int
    credits_used: int
    credits_remaining: int
    current_period_start: datetime | None
    current_period_end: datetime | None


class Billing(UseCases):
    """The balance and ledger queries (members; every change is :class:`Payments`')."""

    def __init__(self, *, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def balance(self, actor_id: str, organization_id: str) -> CreditBalance:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            s = await existing_subscription(uow, organization_id)
        return CreditBalance(
            tier=s.tier,
            status=s.status,
            credits_total=s.credits_total,
            credits_used=s.credits_used,
            credits_remaining=s.credits_remaining,
            current_period_start=s.current_period_start,
            current_period_end=s.current_period_end,
        )

    async def ledger(
        self, actor_id: str, organization_id: str, *, current_period_only: bool = False
    ) -> list[CreditTransaction]:
        """Ledger rows by created_at (only the current period's when asked)."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            since = None
            if current_period_only:
                since = (await existing_subscription(uow, organization_id)).current_period_start
            return await uow.ledger.find(organization_id, since=since)


class Payments(UseCases):
    """What the billing system reports (system calls, no actor: on the system facade).

    Each change but a deduction takes the payment provider's ``reference``
    (:func:`~rabbit.domain.limits.check_reference`) and returns the subscription as it
    stands after it, or as it stood when the same reference was delivered before."""

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        credits: Credits,
        enterprise_allowance: int,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._credits = credits
        self._enterprise_allowance = enterprise_allowance

    async def renew_period(self, organization_id: str, reference: str) -> Subscription:
        """Open the next period with the tier's allowance (unused credits are lost): the
        provider was paid under ``reference``. InvalidTransitionError unless the subscription
        is ACTIVE or TRIALING."""
        async with self._uow() as uow:
            subscription = await existing_subscription(uow, organization_id, for_update=True)
            if await self._applied(uow, subscription, reference, BillingEventKind.RENEWAL):
                return subscription
            allowance = tier_allowance(subscription.tier, self._enterprise_allowance)
            renew(subscription, self._clock.now(), allowance)
            await uow.subscriptions.update(subscription)
            await self._credits.open_period(uow, subscription, allowance, "period renewal")
            await self._record(uow, subscription, reference, BillingEventKind.RENEWAL)
            await uow.commit()
        return subscription

    async def top_up(self, organization_id: str, reference: str) -> Subscription:
        """A top-up purchase paid under ``reference``: +100 credits to the current period."""
        async with self._uow() as uow:
            subscription = await existing_subscription(uow, organization_id, for_update=True)
            if await self._applied(uow, subscription, reference, BillingEventKind.TOP_UP):
                return subscription
            await self._credits.credit(
                uow, subscription, TOPUP_CREDITS, CreditAction.TOPUP, "top-up purchase"
            )
            await self._record(uow, subscription, reference, BillingEventKind.TOP_UP)
            await uow.commit()
        return subscription

    async def change_tier(
        self, organization_id: str, command: ChangeTier, reference: str
    ) -> Subscription:
        """The tier the customer bought (or moved down to) under ``reference``."""
        async with self._uow() as uow:
            subscription = await existing_subscription(uow, organization_id, for_update=True)
            if await self._applied(uow, subscription, reference, BillingEventKind.TIER_CHANGE):
                return subscription
            subscription.change_tier(command.tier, self._clock.now())
            await uow.subscriptions.update(subscription)
            await self._record(uow, subscription, reference, BillingEventKind.TIER_CHANGE)
            await uow.commit()
        return subscription

    async def payment_failed(self, organization_id: str, reference: str) -> Subscription:
        """A payment failed: ACTIVE, TRIALING (or still PAST_DUE) -> PAST_DUE, which no
        renewal opens a period for until the payment is recovered."""
        return await self._status(
            organization_id, reference, BillingEventKind.PAYMENT_FAILED, SubscriptionStatus.PAST_DUE
        )

    async def payment_recovered(self, organization_id: str, reference: str) -> Subscription:
        """The overdue payment came in: PAST_DUE -> ACTIVE."""
        return await self._status(
            organization_id,
            reference,
            BillingEventKind.PAYMENT_RECOVERED,
            SubscriptionStatus.ACTIVE,
        )

    async def cancel(self, organization_id: str, reference: str) -> Subscription:
        """The subscription was cancelled at the provider: anything but CANCELLED ->
        CANCELLED (the credits left stay usable until they run out; no renewal follows)."""
        return await self._status(
            organization_id, reference, BillingEventKind.CANCELLATION, SubscriptionStatus.CANCELLED
        )

    async def deduct_credits(
        self,
        organization_id: str,
        amount: int,
        action: CreditAction,
        description: str | None = None,
        related_post_id: str | None = None,
    ) -> CreditTransaction:
        """Deduct ``amount`` credits in a unit of work of its own (a system call).

        The subscription row is locked until the commit, so concurrent deductions never
        overdraw: InsufficientCreditsError, having changed nothing, when too few remain.
        """
        async with self._uow() as uow:
            transaction = await self._credits.charge(
                uow, organization_id, amount, action, description, related_post_id
            )
            await uow.commit()
        return transaction

    async def _status(
        self,
        organization_id: str,
        reference: str,
        kind: BillingEventKind,
        target: SubscriptionStatus,
    ) -> Subscription:
        async with self._uow() as uow:
            subscription = await existing_subscription(uow, organization_id, for_update=True)
            if await self._applied(uow, subscription, reference, kind):
                return subscription
            change_status(subscription, target, self._clock.now())
            await uow.subscriptions.update(subscription)
            await self._record(uow, subscription, reference, kind)
            await uow.commit()
        return subscription

    async def _applied(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        reference: str,
        kind: BillingEventKind,
    ) -> bool:
        """Whether this change was applied under ``reference`` already (the subscription,
        locked by the caller, serialises two deliveries of one reference).

        ConflictError(reference) when the reference stands for another organisation's
        change or another kind of change; the message names neither.
        """
        event = await uow.billing_events.get(reference)
        if event is None:
            return False
        if event.organization_id != subscription.organization_id or event.kind is not kind:
            raise ConflictError(
                "billing_event", "reference", "this reference was used for another change"
            )
        return True

    async def _record(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        reference: str,
        kind: BillingEventKind,
    ) -> None:
        await uow.billing_events.add(
            BillingEvent.recorded(
                id=self._ids.new_id(),
                organization_id=subscription.organization_id,
                reference=reference,
                kind=kind,
                now=self._clock.now(),
            )
        )
