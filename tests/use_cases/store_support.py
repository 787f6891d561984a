"""Every stored row of one organisation, read past the use cases (memory or Postgres).

:func:`organization_rows` is what "that organisation is unchanged" is checked against: its
row of ``organizations``, every tenant row carrying its id, and the users who are its
members, each as text, per table.
"""

from __future__ import annotations

from sqlalchemy import text

from rabbit.application.context import Ports
from rabbit_memory import MemoryUnitOfWorkFactory
from rabbit_postgres.schema import metadata
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory

Rows = dict[str, list[str]]

#: Global tables no organisation owns a row of (the token keys' fingerprints).
UNOWNED_TABLES = frozenset({"token_keys"})


async def organization_rows(ports: Ports, organization_id: str) -> Rows:
    store = ports.uow
    if isinstance(store, MemoryUnitOfWorkFactory):
        return _memory_rows(store, organization_id)
    assert isinstance(store, PostgresUnitOfWorkFactory), type(store)
    return await _postgres_rows(store, organization_id)


def _memory_rows(store: MemoryUnitOfWorkFactory, organization_id: str) -> Rows:
    tables = store.database.tables
    members = {
        str(getattr(m, "user_id", ""))
        for m in tables["organization_members"].values()
        if getattr(m, "organization_id", None) == organization_id
    }
    rows: Rows = {}
    for name, table in tables.items():
        if name in UNOWNED_TABLES:
            continue
        if name == "users":
            chosen = [row for key, row in table.items() if key in members]
        elif name == "organizations":
            chosen = [row for key, row in table.items() if key == organization_id]
        else:
            chosen = [r for r in table.values() if r.organization_id == organization_id]  # type: ignore[attr-defined]
        rows[name] = sorted(repr(row) for row in chosen)
    return rows


async def _postgres_rows(store: PostgresUnitOfWorkFactory, organization_id: str) -> Rows:
    rows: Rows = {}
    async with store.engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name in UNOWNED_TABLES:
                continue
            if table.name == "users":
                where = (
                    "id IN (SELECT user_id FROM organization_members WHERE organization_id = :org)"
                )
            elif table.name == "organizations":
                where = "id = :org"
            else:
                where = "organization_id = :org"
            result = await connection.execute(
                text(f'SELECT t::text FROM "{table.name}" t WHERE {where} ORDER BY 1'),
                {"org": organization_id},
            )
            rows[table.name] = list(result.scalars())
    return rows


async def overwrite_column(ports: Ports, table: str, row_id: str, column: str, value: str) -> None:
    """Set one text column of a stored row behind the use cases' back, as someone with
    write access to the database would (a SQL UPDATE; the committed entity in memory)."""
    store = ports.uow
    if isinstance(store, MemoryUnitOfWorkFactory):
        setattr(store.database.tables[table][row_id], column, value)
        return
    assert isinstance(store, PostgresUnitOfWorkFactory), type(store)
    assert table in metadata.tables
    assert column in metadata.tables[table].c
    async with store.engine.begin() as connection:
        await connection.execute(
            text(f'UPDATE "{table}" SET "{column}" = :value WHERE id = :id'),
            {"value": value, "id": row_id},
        )
