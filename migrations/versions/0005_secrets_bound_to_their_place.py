"""Secrets bound to their place: every stored secret re-encrypted as v2 (ADR 0016).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

A data migration, no schema change. The token cipher now binds each value to its table,
field, organisation and row (the AES-GCM associated data), in a new stored form ``v2:``;
the runtime refuses ``v1:`` values. Upgrade:

- ``social_accounts.access_token`` / ``refresh_token``: each ``v1:`` value decrypted and
  encrypted again as ``v2:`` bound to its row and column.
- ``external_sources.connection_config``: each source type now declares its fields, each
  secret or not (:data:`rabbit.domain.values.SOURCE_CONFIGS`; the sets as of this revision
  are copied below, a migration must not change with the code). A declared secret is
  encrypted as ``v2:`` (decrypted first when it was one of the four keys stored encrypted
  before: ``api_key``, ``api_secret``, ``webhook_secret``, ``access_token``; taken as plain
  text otherwise, such as WooCommerce's ``consumer_secret``). A declared plain field stays.
  Every undeclared key moves into ``legacy`` (``{"legacy": {key: v2 value}}``), encrypted
  as a secret, since nobody can tell which of them were secrets: nothing is lost and nothing
  stays readable; listings show them masked.

The keys are the application's: ``rabbit.bootstrap.keys.build_cipher`` of the settings
``rabbit.bootstrap.migrate(settings)`` was given (``config.attributes["settings"]``), else
of ``Settings()``, so ``RABBIT_TOKEN_KEYS`` for a deployed database. The cipher is built
only when a row holds a value to encrypt, so an empty database needs no key.

Downgrade writes ``v1:`` again where revision 0003 reads ciphertext (the tokens, the four
keys above at the top level), and refuses, changing nothing, when a source holds a secret
that 0003 would read as plain text (``legacy`` values, WooCommerce consumer keys, custom
headers): writing secrets back in plain text is never done silently; remove those values or
sources first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

V1_SECRETS = ("api_key", "api_secret", "webhook_secret", "access_token")
"""The keys revision 0003 stored encrypted (as v1); every other key it stored plain."""

PLAIN = {
    "shopify": ("store_url", "api_version"),
    "woocommerce": ("store_url", "api_version"),
    "custom": (),
}
SECRET = {
    "shopify": ("api_key", "api_secret", "access_token", "webhook_secret"),
    "woocommerce": ("consumer_key", "consumer_secret", "webhook_secret"),
    "custom": (),
}
SECRET_MAPS = ("headers", "legacy")
TOKENS = ("access_token", "refresh_token")
SET_CONFIG = "UPDATE external_sources SET connection_config = CAST(:config AS jsonb) WHERE id = :id"


class _Cipher:
    """The application's cipher, built on first use (an empty database needs no key)."""

    def __init__(self) -> None:
        self._cipher: Any = None

    def __call__(self) -> Any:
        if self._cipher is None:
            from rabbit.bootstrap.keys import build_cipher
            from rabbit.bootstrap.settings import Settings

            config = op.get_context().config
            given = config.attributes.get("settings") if config is not None else None
            self._cipher = build_cipher(given if given is not None else Settings())
        return self._cipher


def _context(table: str, field: str, organization_id: str, row_id: str) -> Any:
    from rabbit.application.ports import SecretContext

    return SecretContext(table, field, organization_id, row_id)


def _rewrite_tokens(
    connection: Any, prefix: str, rewrite: Callable[[str, str, str, str, str], str]
) -> None:
    """Rewrite every social account token stored in the ``prefix`` form with ``rewrite``
    (called with the value and its place: table, field, organisation, row)."""
    accounts = connection.execute(
        sa.text("SELECT id, organization_id, access_token, refresh_token FROM social_accounts")
    ).all()
    for row_id, org, *tokens in accounts:
        values = {
            column: rewrite(value, "social_accounts", column, org, row_id)
            for column, value in zip(TOKENS, tokens, strict=True)
            if value is not None and value.startswith(prefix)
        }
        if values:
            sets = ", ".join(f"{column} = :{column}" for column in values)
            connection.execute(
                sa.text(f"UPDATE social_accounts SET {sets} WHERE id = :id"),
                {**values, "id": row_id},
            )


def upgrade() -> None:
    connection = op.get_bind()
    cipher = _Cipher()

    def v2(stored: str, table: str, field: str, org: str, row: str) -> str:
        return cipher().encrypt(cipher().open_v1(stored), _context(table, field, org, row))

    _rewrite_tokens(connection, "v1:", v2)

    sources = connection.execute(
        sa.text(
            "SELECT id, organization_id, type::text, connection_config::text FROM external_sources"
        )
    ).all()
    for row_id, org, source_type, text in sources:
        config = json.loads(text or "{}")
        migrated = _upgraded_config(cipher, row_id, org, source_type.lower(), config)
        if migrated != config:
            connection.execute(
                sa.text(SET_CONFIG),
                {"config": json.dumps(migrated), "id": row_id},
            )


def _upgraded_config(
    cipher: _Cipher, row_id: str, org: str, source_type: str, config: dict[str, Any]
) -> dict[str, Any]:
    def seal(path: str, value: Any) -> str:
        if isinstance(value, str) and value.startswith("v2:"):
            return value  # already migrated
        if isinstance(value, str) and value.startswith("v1:"):
            plain = cipher().open_v1(value)
        else:
            plain = value if isinstance(value, str) else json.dumps(value)
        context = _context("external_sources", f"connection_config.{path}", org, row_id)
        return str(cipher().encrypt(plain, context))

    migrated: dict[str, Any] = {}
    legacy: dict[str, str] = {}
    for key, value in config.items():
        if key in PLAIN.get(source_type, ()) and isinstance(value, str):
            migrated[key] = value
        elif key in SECRET.get(source_type, ()) and isinstance(value, str):
            migrated[key] = seal(key, value)
        elif key in SECRET_MAPS and isinstance(value, dict):  # written by this revision
            migrated[key] = {name: seal(f"{key}.{name}", v) for name, v in value.items()}
        else:  # undeclared for this type (a v1 value of it is decrypted first)
            legacy[key] = seal(f"legacy.{key}", value)
    if legacy:
        migrated["legacy"] = {**migrated.get("legacy", {}), **legacy}
    return migrated


def downgrade() -> None:
    connection = op.get_bind()
    cipher = _Cipher()
    sources = [
        (row_id, org, json.loads(text or "{}"))
        for row_id, org, text in connection.execute(
            sa.text("SELECT id, organization_id, connection_config::text FROM external_sources")
        )
    ]
    plain_secrets = [
        row_id
        for row_id, _, config in sources
        if any(
            key not in V1_SECRETS and key not in ("store_url", "api_version")
            for key in (config or {})
        )
    ]
    if plain_secrets:
        raise RuntimeError(
            f"{len(plain_secrets)} external source(s) hold secrets that revision 0003 stores "
            "in plain text (legacy keys, WooCommerce consumer keys, custom headers); "
            "downgrading would write them unencrypted. Remove those values or sources "
            f"first (for example {sorted(plain_secrets)[:5]})."
        )

    def v1(stored: str, table: str, field: str, org: str, row: str) -> str:
        return str(cipher().seal_v1(cipher().decrypt(stored, _context(table, field, org, row))))

    for row_id, org, config in sources:
        downgraded = {
            key: v1(value, "external_sources", f"connection_config.{key}", org, row_id)
            if key in V1_SECRETS and isinstance(value, str) and value.startswith("v2:")
            else value
            for key, value in (config or {}).items()
        }
        if downgraded != config:
            connection.execute(
                sa.text(SET_CONFIG),
                {"config": json.dumps(downgraded), "id": row_id},
            )
    _rewrite_tokens(connection, "v2:", v1)
