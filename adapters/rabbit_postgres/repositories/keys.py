"""The token keys' fingerprints (a global table: no organisation)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from rabbit.domain.model import TokenKey
from rabbit_postgres.mapping import TOKEN_KEYS
from rabbit_postgres.schema import token_keys
from rabbit_postgres.session import PostgresSession, by_id
from rabbit_postgres.statements import prepare


def _register() -> sa.Insert:
    """INSERT, or return the row already there. ``DO UPDATE`` with a no-op assignment rather
    than ``DO NOTHING``: it returns the existing row in the same statement, and under READ
    COMMITTED it waits for a concurrent inserter of the same id and returns that row once
    committed (a ``DO NOTHING`` followed by a SELECT needs a second statement)."""
    insert = pg_insert(token_keys)
    return insert.on_conflict_do_update(
        index_elements=[token_keys.c.id],
        set_={"fingerprint": token_keys.c.fingerprint},
    ).returning(*TOKEN_KEYS.columns)


_REGISTER = prepare(_register())
_LIST = prepare(sa.select(*TOKEN_KEYS.columns).order_by(by_id(token_keys.c.id)))


class PostgresTokenKeyRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def register(self, key: TokenKey) -> TokenKey:
        row = (await self._session.execute(_REGISTER, TOKEN_KEYS.values(key))).one()
        return TOKEN_KEYS.entity_from(row)

    async def list_all(self) -> list[TokenKey]:
        return [TOKEN_KEYS.entity_from(row) for row in await self._session.execute(_LIST)]
