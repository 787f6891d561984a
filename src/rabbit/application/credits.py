"""Credit bookkeeping inside a caller's unit of work: every change is a ledger row.

Used by the billing use cases and by every use case that costs credits (generation,
publishing, analytics): they call :meth:`Credits.charge` inside their own unit of work, so
the deduction commits or rolls back together with the work it pays for.

Ledger invariant (docs/behaviour.md#credits-and-pricing): within the current period
``credits_total - credits_used == sum of the period's ledger amounts``. It holds because a
period opens with ``credits_total = allowance, credits_used = 0`` and one ``+allowance``
row, a grant raises ``credits_total`` and appends ``+amount``, and a deduction raises
``credits_used`` and appends ``-amount``, and a refund (publishing's unused reservation,
ADR 0015) lowers ``credits_used`` (or, for a charge of an earlier period, raises
``credits_total``) and appends ``+amount``. Rows are stamped by the clock, so the period's
rows are those created at or after ``current_period_start``.
"""

from __future__ import annotations

from rabbit.application.ports import Clock, IdGenerator, UnitOfWork
from rabbit.application.use_cases._lookups import existing_subscription
from rabbit.domain.enums import CreditAction
from rabbit.domain.model import CreditTransaction, Subscription


class Credits:
    """Charges and grants credits, keeping the counters and the ledger in step."""

    def __init__(self, *, clock: Clock, ids: IdGenerator) -> None:
        self._clock = clock
        self._ids = ids

    async def charge(
        self,
        uow: UnitOfWork,
        organization_id: str,
        amount: int,
        action: CreditAction,
        description: str | None = None,
        related_post_id: str | None = None,
    ) -> CreditTransaction:
        """Deduct ``amount`` credits (the subscription row locked until ``uow`` ends).

        Raises InsufficientCreditsError, having changed nothing, when too few remain.
        """
        subscription = await self.locked(uow, organization_id)
        return await self.debit(uow, subscription, amount, action, description, related_post_id)

    async def debit(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        amount: int,
        action: CreditAction,
        description: str | None = None,
        related_post_id: str | None = None,
    ) -> CreditTransaction:
        """As :meth:`charge`, on a subscription the caller already holds locked."""
        subscription.consume(amount, self._clock.now())
        return await self._book(uow, subscription, -amount, action, description, related_post_id)

    async def refund(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        amount: int,
        action: CreditAction,
        description: str | None = None,
        related_post_id: str | None = None,
    ) -> CreditTransaction:
        """Give back ``amount`` credits charged earlier (the subscription held locked): a
        ``+amount`` ledger row, so the ledger invariant holds."""
        subscription.refund(amount, self._clock.now())
        return await self._book(uow, subscription, amount, action, description, related_post_id)

    async def grant(
        self,
        uow: UnitOfWork,
        organization_id: str,
        amount: int,
        action: CreditAction,
        description: str | None = None,
    ) -> CreditTransaction:
        """Add ``amount`` credits to the current period (a top-up)."""
        subscription = await self.locked(uow, organization_id)
        return await self.credit(uow, subscription, amount, action, description)

    async def credit(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        amount: int,
        action: CreditAction,
        description: str | None = None,
    ) -> CreditTransaction:
        """As :meth:`grant`, on a subscription the caller already holds locked."""
        subscription.grant(amount, self._clock.now())
        return await self._book(uow, subscription, amount, action, description, None)

    async def open_period(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        allowance: int,
        description: str,
    ) -> CreditTransaction:
        """The ledger row of a period that ``subscription.start_period`` just opened.

        The caller stores the subscription itself (``add`` for a new one, ``update``
        otherwise); only the ledger row is appended here.
        """
        return await self._append(
            uow, subscription, allowance, CreditAction.SUBSCRIPTION, description, None
        )

    async def locked(self, uow: UnitOfWork, organization_id: str) -> Subscription:
        """The organisation's subscription, locked until ``uow`` ends (NotFoundError when
        it has none)."""
        return await existing_subscription(uow, organization_id, for_update=True)

    async def _book(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        amount: int,
        action: CreditAction,
        description: str | None,
        related_post_id: str | None,
    ) -> CreditTransaction:
        await uow.subscriptions.update(subscription)
        return await self._append(uow, subscription, amount, action, description, related_post_id)

    async def _append(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        amount: int,
        action: CreditAction,
        description: str | None,
        related_post_id: str | None,
    ) -> CreditTransaction:
        transaction = CreditTransaction.booked(
            id=self._ids.new_id(),
            subscription=subscription,
            amount=amount,
            action=action,
            description=description,
            related_post_id=related_post_id,
            now=self._clock.now(),
        )
        await uow.ledger.append(transaction)
        return transaction
