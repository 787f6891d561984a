"""Concurrent deductions on Postgres: the locked subscription row never lets one overdraw."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.domain.enums import CreditAction
from rabbit.domain.errors import InsufficientCreditsError
from rabbit.domain.model import CreditTransaction
from use_cases.app import App

from .conftest import Checkouts

pytestmark = pytest.mark.postgres

CALLS = 100
STARTER_ALLOWANCE = 30

PERIOD_BALANCE = text(
    """
    SELECT s.credits_total - s.credits_used AS remaining,
           (SELECT coalesce(sum(t.amount), 0) FROM credit_transactions t
             WHERE t.organization_id = s.organization_id
               AND t.created_at >= s.current_period_start) AS period_sum,
           (SELECT count(*) FROM credit_transactions t
             WHERE t.organization_id = s.organization_id AND t.amount < 0) AS deductions
      FROM subscriptions s
     WHERE s.organization_id = :org
    """
)


async def test_a_hundred_concurrent_deductions_spend_exactly_the_affordable_credits(
    pg_app: App, wide_engine: AsyncEngine, checkouts: Checkouts
) -> None:
    org, owner = await pg_app.organization()
    other_org, other_owner = await pg_app.organization("globex")
    pg_app.tick()

    results = await asyncio.gather(
        *(
            pg_app.payments.deduct_credits(org, 1, CreditAction.GENERATE, f"call {n}")
            for n in range(CALLS)
        ),
        return_exceptions=True,
    )

    won = [r for r in results if isinstance(r, CreditTransaction)]
    refused = [r for r in results if isinstance(r, InsufficientCreditsError)]
    assert (len(won), len(refused)) == (STARTER_ALLOWANCE, CALLS - STARTER_ALLOWANCE)
    assert checkouts.peak > 1, "the deductions ran one after another, not concurrently"
    balance = await pg_app.billing.balance(owner, org)
    assert (balance.credits_used, balance.credits_remaining) == (STARTER_ALLOWANCE, 0)
    period = await pg_app.billing.ledger(owner, org, current_period_only=True)
    assert sorted(row.id for row in period if row.amount < 0) == sorted(row.id for row in won)
    assert all(row.amount == -1 for row in won)
    assert balance.credits_total - balance.credits_used == sum(row.amount for row in period)
    async with wide_engine.connect() as connection:
        row = (await connection.execute(PERIOD_BALANCE, {"org": org})).one()
    assert (row.remaining, row.period_sum, row.deductions) == (0, 0, STARTER_ALLOWANCE)
    untouched = await pg_app.billing.balance(other_owner, other_org)
    assert untouched.credits_used == 0


async def test_concurrent_deductions_of_several_sizes_never_overdraw(
    pg_app: App, checkouts: Checkouts
) -> None:
    org, owner = await pg_app.organization()
    pg_app.tick()
    amounts = [1 + n % 4 for n in range(CALLS)]  # 250 credits asked of 30

    results = await asyncio.gather(
        *(pg_app.payments.deduct_credits(org, a, CreditAction.PUBLISH) for a in amounts),
        return_exceptions=True,
    )

    assert all(isinstance(r, CreditTransaction | InsufficientCreditsError) for r in results)
    spent = sum(-r.amount for r in results if isinstance(r, CreditTransaction))
    balance = await pg_app.billing.balance(owner, org)
    assert balance.credits_used == spent
    # The balance only falls, so each refusal asked for more than what is left at the end.
    refused = [
        a for a, r in zip(amounts, results, strict=True) if not isinstance(r, CreditTransaction)
    ]
    assert refused
    assert min(refused) > balance.credits_remaining
    period = await pg_app.billing.ledger(owner, org, current_period_only=True)
    assert balance.credits_total - balance.credits_used == sum(row.amount for row in period)
    assert checkouts.peak > 1
