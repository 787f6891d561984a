"""Tokens and source secrets never reach Postgres, a log line or a repr in plain text.

Every step that handles a secret runs (connect, refresh, a refused stale refresh, adding an
external source, key rotation, listing), with the units of work's SQL log
(``rabbit_postgres.sql``: every statement and its parameters) and SQLAlchemy's echo
(statements, parameters, result rows of what it executes) in the captured log; then every
row of every table is read back as text with raw SQL. Not being there in plain text is not
enough (a cipher that only base64-encodes passes that): the stored values must decrypt to
the plain ones with the configured key — checked with AES-GCM directly, not through the
adapter under test, with the associated data that binds each to its place — fail with
any other key or any other place, and hold no trivial encoding of a secret.
"""

from __future__ import annotations

import base64
import codecs
import json
import logging

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.ports import SecretContext
from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.social_accounts import ConnectAccount, RefreshedTokens
from rabbit.domain.enums import ExternalSourceType, SocialPlatform
from rabbit.domain.errors import ConflictError, UnreadableSecretError
from rabbit_local.cipher import AesGcmTokenCipher
from rabbit_postgres.schema import metadata
from use_cases.app import KEYS, App, cipher

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
    "consumer secret": "plain-consumer-secret-Wc12",
    "header": "plain-bearer-Cu77",
}


async def every_row_as_text(engine: AsyncEngine) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    async with engine.connect() as connection:
        for table in metadata.sorted_tables:
            result = await connection.execute(text(f'SELECT t::text FROM "{table.name}" t'))
            rows[table.name] = list(result.scalars())
    return rows


def trivial_encodings(secret: str) -> set[str]:
    """Substrings that any base64/base32/hex/rot13/reversed encoding of a text holding
    ``secret`` contains, whatever the alignment of the secret inside that text."""
    raw = secret.encode()
    found = {raw.hex(), raw.hex().upper(), codecs.encode(secret, "rot13"), secret[::-1]}
    for group, encode in (
        (3, base64.b64encode),
        (3, base64.urlsafe_b64encode),
        (5, base64.b32encode),
        (5, base64.b32hexencode),
    ):
        for start in range(group):  # every offset of the secret in the encoded whole
            whole = raw[start : start + (len(raw) - start) // group * group]
            found.add(encode(whole).decode().rstrip("="))
    return {encoding for encoding in found if len(encoding) >= 8}


def open_sealed(stored: str, keys: dict[str, bytes], place: list[str]) -> str:
    """The stored form ``v2:<key id>:<base64url(nonce || sealed)>`` opened with AES-GCM
    itself (the adapter is what is under test), the associated data naming the version,
    the key id and ``place`` (table, field, organisation, row); InvalidTag for a wrong key
    or a wrong place."""
    version, key_id, payload = stored.split(":")
    assert version == "v2"
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    aes = AESGCM(keys[key_id])
    associated = json.dumps([version, key_id, *place], separators=(",", ":")).encode()
    return aes.decrypt(raw[:12], raw[12:], associated).decode()


OTHER_KEYS = {key_id: bytes(reversed(key)) for key_id, key in KEYS.items()}


async def stored_secrets(engine: AsyncEngine) -> dict[str, tuple[str, list[str]]]:
    """The stored (encrypted) form of every secret and its place, read with raw SQL."""
    async with engine.connect() as connection:
        [(account, org, access, refresh)] = (
            await connection.execute(
                text("SELECT id, organization_id, access_token, refresh_token FROM social_accounts")
            )
        ).all()
        sources = {
            kind: (row_id, json.loads(config))
            for row_id, kind, config in await connection.execute(
                text("SELECT id, type, connection_config::text FROM external_sources")
            )
        }
    shop_id, shop = sources["shopify"]
    woo_id, woo = sources["woocommerce"]
    feed_id, feed = sources["custom"]

    def at(table: str, field: str, row_id: str) -> list[str]:
        return [table, field, org, row_id]

    def in_config(source_id: str, path: str) -> list[str]:
        return at("external_sources", f"connection_config.{path}", source_id)

    return {
        "refresh access": (access, at("social_accounts", "access_token", account)),
        "refresh refresh": (refresh, at("social_accounts", "refresh_token", account)),
        "api key": (shop["api_key"], in_config(shop_id, "api_key")),
        "api secret": (shop["api_secret"], in_config(shop_id, "api_secret")),
        "webhook secret": (shop["webhook_secret"], in_config(shop_id, "webhook_secret")),
        "consumer secret": (woo["consumer_secret"], in_config(woo_id, "consumer_secret")),
        "header": (feed["headers"]["Authorization"], in_config(feed_id, "headers.Authorization")),
    }


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
    pg_app.platform.issue_token(SocialPlatform.TWITTER, "tw-secret", SECRETS["connect access"])
    account = await pg_app.social_accounts.connect_account(
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
    refreshed = await pg_app.account_tokens.record_token_refresh(
        org,
        account.id,
        RefreshedTokens(
            access_token=SECRETS["refresh access"],
            refresh_token=SECRETS["refresh refresh"],
            expected_version=1,
        ),
    )
    with pytest.raises(ConflictError) as stale:
        await pg_app.account_tokens.record_token_refresh(
            org,
            account.id,
            RefreshedTokens(access_token=SECRETS["stale access"], expected_version=1),
        )
    brand = await pg_app.brand(org, owner)
    source = await pg_app.external_sources.add_external_source(
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
                "api_version": "eu-visible",
            },
        ),
    )
    woo = await pg_app.external_sources.add_external_source(
        owner,
        org,
        brand,
        AddExternalSource(
            type=ExternalSourceType.WOOCOMMERCE,
            name="Woo",
            connection_config={"consumer_secret": SECRETS["consumer secret"]},
        ),
    )
    feed = await pg_app.external_sources.add_external_source(
        owner,
        org,
        brand,
        AddExternalSource(
            type=ExternalSourceType.CUSTOM,
            name="Feed",
            connection_config={"headers": {"Authorization": SECRETS["header"]}},
        ),
    )
    rotated = pg_app.with_cipher(cipher(current="k2"))
    assert (await rotated.rotation.rotate_token_keys()).accounts == 1
    shown = [
        *await pg_app.social_accounts.list_accounts(owner, org, include_deleted=True),
        *await pg_app.external_sources.list_external_sources(owner, org),
        account,
        refreshed,
        source,
        woo,
        feed,
    ]
    stored = await every_row_as_text(wide_engine)
    wide_engine.sync_engine.echo = False

    [account_row] = stored["social_accounts"]
    rotated_access = await stored_access(pg_app, org, account.id)
    assert cipher().key_id_of(rotated_access) == "k2"
    assert rotated_access in account_row  # the token column is part of the row text
    assert "@secret" in account_row
    assert any("eu-visible" in row for row in stored["external_sources"])
    logged = caplog.text + "\n".join(str(record.args) for record in caplog.records)
    assert "social_accounts" in logged
    assert refreshed.access_token in logged
    for name, secret in SECRETS.items():
        for table, rows in stored.items():
            assert not any(secret in row for row in rows), f"{name} stored in {table}"
        assert secret not in logged, f"{name} logged"
        assert not any(secret in repr(entity) or secret in str(entity) for entity in shown)
        assert secret not in str(stale.value)
        for encoding in trivial_encodings(secret):
            for table, rows in stored.items():
                assert not any(encoding in row for row in rows), f"{name} encoded in {table}"

    sealed = await stored_secrets(wide_engine)
    other = AesGcmTokenCipher(OTHER_KEYS, "k1")
    for name, (value, place) in sealed.items():
        assert value != SECRETS[name]
        assert open_sealed(value, KEYS, place) == SECRETS[name], name  # the key, its place
        assert cipher().decrypt(value, SecretContext(*place)) == SECRETS[name]
        with pytest.raises(InvalidTag):
            open_sealed(value, OTHER_KEYS, place)  # any other key does not
        with pytest.raises(InvalidTag):
            open_sealed(value, KEYS, [*place[:3], "another-row"])  # nor any other row
        with pytest.raises(InvalidTag):
            open_sealed(value, KEYS, [place[0], "another_field", *place[2:]])  # nor field
        with pytest.raises(UnreadableSecretError):
            other.decrypt(value, SecretContext(*place))
