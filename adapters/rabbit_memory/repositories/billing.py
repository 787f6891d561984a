"""Subscriptions, the append-only credit ledger and the billing events."""

from __future__ import annotations

from datetime import datetime

from rabbit.domain.model import BillingEvent, CreditTransaction, Subscription
from rabbit_memory.repositories._ordering import by_created
from rabbit_memory.session import Session, Table


class MemorySubscriptionRepository:
    """``for_update`` waits for nothing here (units of work are serialised, ADR 0005); it
    records the row as held, which ``update`` requires (ADR 0012)."""

    def __init__(self, session: Session) -> None:
        self._subscriptions: Table[Subscription] = Table(session, "subscriptions")

    async def add(self, subscription: Subscription) -> None:
        self._subscriptions.insert(subscription)

    async def get(self, organization_id: str, *, for_update: bool = False) -> Subscription | None:
        subscription = self._subscriptions.first(lambda s: s.organization_id == organization_id)
        return self._subscriptions.locked(subscription, for_update)

    async def update(self, subscription: Subscription) -> None:
        self._subscriptions.replace(subscription)


class MemoryCreditLedger:
    def __init__(self, session: Session) -> None:
        self._rows: Table[CreditTransaction] = Table(session, "credit_transactions")

    async def append(self, transaction: CreditTransaction) -> None:
        self._rows.insert(transaction)

    async def find(
        self, organization_id: str, *, since: datetime | None = None
    ) -> list[CreditTransaction]:
        return self._rows.select(
            lambda t: (
                t.organization_id == organization_id and (since is None or t.created_at >= since)
            ),
            order=by_created,
        )

    async def total(self, organization_id: str, *, since: datetime | None = None) -> int:
        return sum(t.amount for t in await self.find(organization_id, since=since))


class MemoryBillingEventRepository:
    def __init__(self, session: Session) -> None:
        self._events: Table[BillingEvent] = Table(session, "billing_events")

    async def add(self, event: BillingEvent) -> None:
        self._events.insert(event)

    async def get(self, reference: str) -> BillingEvent | None:
        return self._events.first(lambda e: e.reference == reference)

    async def find(self, organization_id: str) -> list[BillingEvent]:
        return self._events.select(lambda e: e.organization_id == organization_id, order=by_created)
