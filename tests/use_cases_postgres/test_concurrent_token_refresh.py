"""Concurrent token refreshes on Postgres: the compare-and-set on token_version decides."""

from __future__ import annotations

import asyncio

import pytest

from rabbit.application.use_cases.social_accounts import RefreshedTokens
from rabbit.application.use_cases.social_accounts import token_context as at
from rabbit.domain.errors import ConflictError
from rabbit.domain.model import SocialAccount
from use_cases.app import App

from .conftest import Checkouts

pytestmark = pytest.mark.postgres

REFRESHES = 30


async def stored(app: App, org: str, account_id: str) -> SocialAccount:
    async with app.ports.uow() as uow:
        account = await uow.social_accounts.get(org, account_id)
    assert account is not None
    return account


def refreshed(n: int, expected_version: int) -> RefreshedTokens:
    return RefreshedTokens(
        access_token=f"access-{n}",
        refresh_token=f"refresh-{n}",
        expected_version=expected_version,
    )


async def test_concurrent_refreshes_from_one_version_store_exactly_one_token(
    pg_app: App, checkouts: Checkouts
) -> None:
    org, owner = await pg_app.organization()
    account = await pg_app.account(org, owner, access_token="initial")

    results = await asyncio.gather(
        *(
            pg_app.account_tokens.record_token_refresh(org, account.id, refreshed(n, 1))
            for n in range(REFRESHES)
        ),
        return_exceptions=True,
    )

    winners = [r for r in results if isinstance(r, SocialAccount)]
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert (len(winners), len(conflicts)) == (1, REFRESHES - 1)
    assert {c.field for c in conflicts} == {"token_version"}
    assert checkouts.peak > 1, "the refreshes ran one after another, not concurrently"
    cipher = pg_app.ports.cipher
    winner = cipher.decrypt(winners[0].access_token, at(org, account.id, "access_token"))
    n = winner.removeprefix("access-")
    after = await stored(pg_app, org, account.id)
    assert after.token_version == 2
    assert after.refresh_token is not None
    assert (
        cipher.decrypt(after.access_token, at(org, account.id, "access_token")),
        cipher.decrypt(after.refresh_token, at(org, account.id, "refresh_token")),
    ) == (
        winner,
        f"refresh-{n}",
    )


async def test_a_refresh_from_the_current_version_survives_stale_ones_racing_it(
    pg_app: App,
) -> None:
    org, owner = await pg_app.organization()
    account = await pg_app.account(org, owner, access_token="initial")
    await pg_app.account_tokens.record_token_refresh(org, account.id, refreshed(0, 1))
    cipher = pg_app.ports.cipher
    for version in range(2, 7):  # the stored token_version before each round
        fresh = refreshed(100 * version, version)
        stale = [refreshed(100 * version + n, version - 1) for n in range(1, 9)]
        calls = [*stale[:4], fresh, *stale[4:]]  # stale ones start before and after it

        results = await asyncio.gather(
            *(pg_app.account_tokens.record_token_refresh(org, account.id, c) for c in calls),
            return_exceptions=True,
        )

        outcome = [type(r) for r in results]
        assert outcome == [ConflictError] * 4 + [SocialAccount] + [ConflictError] * 4
        after = await stored(pg_app, org, account.id)
        assert after.token_version == version + 1
        assert cipher.decrypt(after.access_token, at(org, account.id, "access_token")) == (
            f"access-{100 * version}"
        )
