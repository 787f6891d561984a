"""Subscriptions, the append-only credit ledger and the billing events."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from rabbit.domain.model import BillingEvent, CreditTransaction, Subscription
from rabbit_postgres.mapping import BILLING_EVENTS, CREDIT_TRANSACTIONS, SUBSCRIPTIONS
from rabbit_postgres.schema import billing_events, credit_transactions, subscriptions
from rabbit_postgres.session import Condition, PostgresSession, ascending, at_least, eq
from rabbit_postgres.statements import CompiledStatement, prepare


class PostgresSubscriptionRepository:
    """``for_update`` is ``SELECT … FOR UPDATE``: concurrent deductions serialise."""

    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, subscription: Subscription) -> None:
        await self._session.insert(SUBSCRIPTIONS, subscription)

    async def get(self, organization_id: str, *, for_update: bool = False) -> Subscription | None:
        return await self._session.one_where(
            SUBSCRIPTIONS,
            eq(subscriptions.c.organization_id, organization_id),
            for_update=for_update,
        )

    async def update(self, subscription: Subscription) -> None:
        await self._session.replace(SUBSCRIPTIONS, subscription)


class PostgresCreditLedger:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def append(self, transaction: CreditTransaction) -> None:
        await self._session.insert(CREDIT_TRANSACTIONS, transaction)

    async def find(
        self, organization_id: str, *, since: datetime | None = None
    ) -> list[CreditTransaction]:
        where: list[Condition] = [eq(credit_transactions.c.organization_id, organization_id)]
        if since is not None:
            where.append(at_least(credit_transactions.c.created_at, since))
        return await self._session.many_where(
            CREDIT_TRANSACTIONS, *where, order_by=(ascending(credit_transactions.c.created_at),)
        )

    async def total(self, organization_id: str, *, since: datetime | None = None) -> int:
        statement = _TOTAL if since is None else _TOTAL_SINCE
        parameters = {"organization_id": organization_id, "since": since}
        return int(await self._session.scalar(statement, parameters))


class PostgresBillingEventRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, event: BillingEvent) -> None:
        await self._session.insert(BILLING_EVENTS, event)

    async def get(self, reference: str) -> BillingEvent | None:
        return await self._session.one_where(
            BILLING_EVENTS, eq(billing_events.c.reference, reference)
        )

    async def find(self, organization_id: str) -> list[BillingEvent]:
        return await self._session.many_where(
            BILLING_EVENTS,
            eq(billing_events.c.organization_id, organization_id),
            order_by=(ascending(billing_events.c.created_at),),
        )


def _total(*, since: bool) -> CompiledStatement:
    where = [credit_transactions.c.organization_id == sa.bindparam("organization_id")]
    if since:
        where.append(credit_transactions.c.created_at >= sa.bindparam("since"))
    return prepare(
        sa.select(sa.func.coalesce(sa.func.sum(credit_transactions.c.amount), 0)).where(*where)
    )


_TOTAL = _total(since=False)
_TOTAL_SINCE = _total(since=True)
