"""Migration 0005: every v1 secret of a 0003 database is rebound as v2 and read through the
application; undeclared config keys are kept, encrypted, under ``legacy``; the downgrade
writes v1 again and refuses to put secrets back in plain text.

Rows are written with raw SQL at revision 0003, as that revision's code stored them (tokens
and the four secret keys as v1 ciphertext, every other config value in plain text).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit.application.use_cases.external_sources import ExternalSourceView, decrypt_secret
from rabbit.application.use_cases.social_accounts import token_context
from rabbit.domain.errors import UnreadableSecretError
from rabbit.domain.values import SECRET_MASK
from rabbit_local.cipher import AesGcmTokenCipher, encode_key
from rabbit_postgres.runtime import to_sqlalchemy_url
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory
from support.postgres import migrate
from use_cases.app import KEYS, App, build_app, cipher

pytestmark = pytest.mark.postgres

ALL_CONFIGS = "SELECT json_agg(connection_config ORDER BY id)::text FROM external_sources"


@pytest.fixture
async def engine(scratch_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(to_sqlalchemy_url(scratch_database_url), poolclass=pool.NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment's keys, as the migration reads them (the settings)."""
    config = ",".join(f"{key_id}={encode_key(key)}" for key_id, key in KEYS.items())
    monkeypatch.setenv("RABBIT_TOKEN_KEYS", config)
    monkeypatch.setenv("RABBIT_TOKEN_KEY_ID", "k1")


def app_on(engine: AsyncEngine) -> App:
    return build_app(PostgresUnitOfWorkFactory(engine))


async def execute(engine: AsyncEngine, sql: str, **params: object) -> None:
    async with engine.begin() as connection:
        await connection.execute(sa.text(sql), params)


async def scalar(engine: AsyncEngine, sql: str) -> object:
    async with engine.connect() as connection:
        return await connection.scalar(sa.text(sql))


async def write_0003_rows(engine: AsyncEngine, v1: AesGcmTokenCipher) -> None:
    await execute(engine, "INSERT INTO organizations (id, name, slug) VALUES ('o1', 'O', 'o')")
    await execute(
        engine, "INSERT INTO brand_profiles (id, organization_id, name) VALUES ('b1', 'o1', 'B')"
    )
    await execute(
        engine,
        "INSERT INTO social_accounts (id, organization_id, platform, account_id, account_name,"
        " access_token, refresh_token) VALUES ('a1', 'o1', 'TWITTER', 'tw', '@tw', :a, :r)",
        a=v1.seal_v1("access-plain"),
        r=v1.seal_v1("refresh-plain"),
    )
    await execute(
        engine,
        "INSERT INTO social_accounts (id, organization_id, platform, account_id, account_name,"
        " access_token) VALUES ('a2', 'o1', 'LINKEDIN', 'li', '@li', :a)",
        a=v1.seal_v1("li-access-plain"),
    )
    configs = {
        "s1": (
            "shopify",
            {"api_key": v1.seal_v1("shop-key"), "store_url": "https://s", "region": "eu"},
        ),
        "s2": ("woocommerce", {"consumer_secret": "cs-plain", "password": "pw-plain"}),
    }
    for source_id, (kind, config) in configs.items():
        await execute(
            engine,
            "INSERT INTO external_sources (id, organization_id, brand_profile_id, type, name,"
            " connection_config) VALUES (:id, 'o1', 'b1', :kind, 'S', CAST(:config AS jsonb))",
            id=source_id,
            kind=kind,
            config=json.dumps(config),
        )


async def test_v1_values_migrate_to_bound_v2_and_read_through_the_app(
    scratch_database_url: str, engine: AsyncEngine
) -> None:
    await migrate(scratch_database_url, "upgrade", "0003")
    await write_0003_rows(engine, cipher())

    await migrate(scratch_database_url, "upgrade", "0005")

    app = app_on(engine)
    runtime = app.ports.cipher
    async with app.ports.uow() as uow:
        account = await uow.social_accounts.get("o1", "a1")
        other = await uow.social_accounts.get("o1", "a2")
        shop = await uow.external_sources.get("o1", "s1")
        woo = await uow.external_sources.get("o1", "s2")
    assert account is not None
    assert other is not None
    assert shop is not None
    assert woo is not None
    assert account.refresh_token is not None
    assert runtime.key_id_of(account.access_token) == "k1"
    assert account.access_token.startswith("v2:")
    assert runtime.decrypt(account.access_token, token_context("o1", "a1", "access_token")) == (
        "access-plain"
    )
    assert runtime.decrypt(account.refresh_token, token_context("o1", "a1", "refresh_token")) == (
        "refresh-plain"
    )
    assert runtime.decrypt(other.access_token, token_context("o1", "a2", "access_token")) == (
        "li-access-plain"
    )
    with pytest.raises(UnreadableSecretError):  # bound to its own row now
        runtime.decrypt(account.access_token, token_context("o1", "a2", "access_token"))

    assert decrypt_secret(runtime, shop, "api_key") == "shop-key"
    assert decrypt_secret(runtime, shop, "legacy.region") == "eu"  # undeclared: kept, secret
    assert decrypt_secret(runtime, woo, "consumer_secret") == "cs-plain"  # was plain text
    assert decrypt_secret(runtime, woo, "legacy.password") == "pw-plain"
    assert dict(ExternalSourceView.of(shop).connection_config) == {
        "api_key": SECRET_MASK,
        "store_url": "https://s",
        "legacy": {"region": SECRET_MASK},
    }
    stored = str(await scalar(engine, ALL_CONFIGS))
    assert not any(plain in stored for plain in ("cs-plain", "pw-plain", '"eu"', "v1:"))

    rotated = app.with_cipher(cipher(current="k2"))
    report = await rotated.rotation.rotate_token_keys()
    assert (report.accounts, report.sources, report.unreadable) == (2, 2, 0)


async def test_the_downgrade_writes_v1_again_and_refuses_to_unencrypt_secrets(
    scratch_database_url: str, engine: AsyncEngine
) -> None:
    v1 = cipher()
    await migrate(scratch_database_url, "upgrade", "0003")
    await write_0003_rows(engine, v1)
    await migrate(scratch_database_url, "upgrade", "0005")
    before = await scalar(engine, ALL_CONFIGS)

    with pytest.raises(Exception, match="plain text"):
        await migrate(scratch_database_url, "downgrade", "0003")
    assert await scalar(engine, "SELECT version_num FROM alembic_version") == "0005"
    after = await scalar(engine, ALL_CONFIGS)
    assert after == before  # nothing changed

    await execute(engine, "DELETE FROM external_sources WHERE id = 's2'")
    await execute(
        engine, "UPDATE external_sources SET connection_config = connection_config - 'legacy'"
    )
    await migrate(scratch_database_url, "downgrade", "0003")

    access = await scalar(engine, "SELECT access_token FROM social_accounts WHERE id = 'a1'")
    config = await scalar(engine, "SELECT connection_config::text FROM external_sources")
    assert isinstance(access, str)
    assert v1.open_v1(access) == "access-plain"
    assert v1.open_v1(json.loads(str(config))["api_key"]) == "shop-key"
