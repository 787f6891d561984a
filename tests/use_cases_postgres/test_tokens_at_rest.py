"""Tokens and source secrets never reach Postgres, a log line or a repr in plain text.

Every step that handles a secret runs (connect, refresh, a refused stale refresh, adding an
external source, key rotation, listing), with the units of work's SQL log
(``rabbit_postgres.sql``: every statement and its parameters) and SQLAlchemy's echo
(statements, parameters, result rows of what it executes) in the captured log; then every
row of every table is read back as text with raw SQL.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.social_accounts import ConnectAccount, RefreshedTokens
from rabbit.domain.enums import ExternalSourceType, SocialPlatform
from rabbit.domain.errors import ConflictError
from rabbit_postgres.schema import metadata
from use_cases.app import App
from use_cases.conftest import cipher

pytestmark = pytest.mark.postgres

SECRETS = {
    "connect access": "plain-access-Xq81",
    "connect refresh": "plain-refresh-Xq81",
    "refresh access": "plain-access-Rk27",
    "refresh refresh": "plain-refresh-Rk27",
    "stale access": "plain-access-Zz09",
    "api key": "plain-api-key-Sh44",
    "api secret": "plain-api-secret-Sh44",
    "webhook secret": "plain-webhook-Sh44",
}


async def every_row_as_text(engine: AsyncEngine) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    async with engine.connect() as connection:
        for table in metadata.sorted_tables:
            result = await connection.execute(text(f'SELECT t::text FROM "{table.name}" t'))
            rows[table.name] = list(result.scalars())
    return rows


async def stored_access(app: App, org: str, account_id: str) -> str:
    async with app.ports.uow() as uow:
        account = await uow.social_accounts.get(org, account_id)
    assert account is not None
    return account.access_token


async def test_no_secret_is_stored_logged_or_shown_in_plain_text(
    pg_app: App, wide_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    wide_engine.sync_engine.echo = "debug"  # statements, parameters and result rows
    caplog.set_level(logging.DEBUG, logger="rabbit_postgres.sql")  # the units of work's

    org, owner = await pg_app.organization()
    account = await pg_app.accounts.connect_account(
        owner,
        org,
        ConnectAccount(
            platform=SocialPlatform.TWITTER,
            account_id="tw-secret",
            account_name="@secret",
            access_token=SECRETS["connect access"],
            refresh_token=SECRETS["connect refresh"],
        ),
    )
    refreshed = await pg_app.accounts.record_token_refresh(
        org,
        account.id,
        RefreshedTokens(
            access_token=SECRETS["refresh access"],
            refresh_token=SECRETS["refresh refresh"],
            expected_version=1,
        ),
    )
    with pytest.raises(ConflictError) as stale:
        await pg_app.accounts.record_token_refresh(
            org,
            account.id,
            RefreshedTokens(access_token=SECRETS["stale access"], expected_version=1),
        )
    brand = await pg_app.brand(org, owner)
    source = await pg_app.sources.add_external_source(
        owner,
        org,
        brand,
        AddExternalSource(
            type=ExternalSourceType.SHOPIFY,
            name="Shop",
            connection_config={
                "api_key": SECRETS["api key"],
                "api_secret": SECRETS["api secret"],
                "webhook_secret": SECRETS["webhook secret"],
                "region": "eu-visible",
            },
        ),
    )
    rotated = pg_app.with_cipher(cipher(current="k2"))
    assert (await rotated.rotation.rotate_token_keys()).accounts == 1
    shown = [
        *await pg_app.accounts.list_accounts(owner, org, include_deleted=True),
        *await pg_app.sources.list_external_sources(owner, org),
        account,
        refreshed,
        source,
    ]
    stored = await every_row_as_text(wide_engine)
    wide_engine.sync_engine.echo = False

    [account_row] = stored["social_accounts"]
    rotated_access = await stored_access(pg_app, org, account.id)
    assert cipher().key_id_of(rotated_access) == "k2"
    assert rotated_access in account_row  # the token column is part of the row text
    [source_row] = stored["external_sources"]
    assert "@secret" in account_row
    assert "eu-visible" in source_row
    logged = caplog.text + "\n".join(str(record.args) for record in caplog.records)
    assert "social_accounts" in logged
    assert refreshed.access_token in logged
    for name, secret in SECRETS.items():
        for table, rows in stored.items():
            assert not any(secret in row for row in rows), f"{name} stored in {table}"
        assert secret not in logged, f"{name} logged"
        assert not any(secret in repr(entity) or secret in str(entity) for entity in shown)
        assert secret not in str(stale.value)
