"""Keyset pages newest first (ADR 0028), one statement compiled per shape of filters.

``WHERE <filters> AND (at, id COLLATE "C") < (:after_at, :after_id) ORDER BY at DESC, id
COLLATE "C" DESC LIMIT :limit``: the row comparison seeks straight to where the previous
page ended, so a page costs the same at the first row or the millionth, and a row inserted
meanwhile never shifts the rows after it (an ``OFFSET`` would show one twice). Ids compare
byte-wise, as the memory store compares them (code points of UTF-8). The review queue pages
oldest first (``newest=False``): ``>`` and ``ORDER BY at, id COLLATE "C"``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from rabbit.application.ports.repositories import Keyset
from rabbit_postgres.mapping import EntityMapping
from rabbit_postgres.session import PostgresSession, by_id
from rabbit_postgres.statements import CompiledStatement, prepare

Filters = Mapping[str, Callable[[], sa.ColumnElement[bool]]]
"""Each optional filter of a listing by the name of its parameter: the condition, built
(once per shape) with ``sa.bindparam(<that name>)``."""


async def keyset_page(
    session: PostgresSession,
    mapping: EntityMapping[Any],
    at: sa.Column[Any],
    filters: Filters,
    fixed: tuple[Callable[[], sa.ColumnElement[bool]], ...],
    values: Mapping[str, Any],
    after: Keyset | None,
    limit: int,
    *,
    newest: bool,
) -> list[Any]:
    """The page of ``mapping``'s rows matching ``fixed`` and every filter whose value in
    ``values`` is not None (``organization`` is always bound), strictly after ``after`` in
    the order of ``at`` then id: descending when ``newest``, ascending otherwise."""
    present = tuple(name for name in filters if values.get(name) is not None)
    statement = _statement(mapping, at, filters, fixed, present, after is not None, newest)
    parameters = {name: values[name] for name in present}
    parameters["organization"] = values["organization"]
    parameters["limit"] = max(limit, 0)
    if after is not None:
        parameters["after_at"], parameters["after_id"] = after.at, after.id
    return [mapping.entity_from(row) for row in await session.execute(statement, parameters)]


_PAGES: dict[tuple[Any, ...], CompiledStatement] = {}


def _statement(
    mapping: EntityMapping[Any],
    at: sa.Column[Any],
    filters: Filters,
    fixed: tuple[Callable[[], sa.ColumnElement[bool]], ...],
    present: tuple[str, ...],
    keyed: bool,
    newest: bool,
) -> CompiledStatement:
    """Built and compiled on the first call of its shape (one listing per table)."""
    key = (mapping.table.name, at.key, present, keyed, newest)
    cached = _PAGES.get(key)
    if cached is not None:
        return cached
    table = mapping.table
    where = [table.c.organization_id == sa.bindparam("organization")]
    where += [condition() for condition in fixed]
    where += [filters[name]() for name in present]
    if keyed:
        row = sa.tuple_(at, by_id(table.c.id))
        cursor = sa.tuple_(
            sa.bindparam("after_at", type_=at.type),
            sa.bindparam("after_id", type_=table.c.id.type),
        )
        where.append(row < cursor if newest else row > cursor)
    order = (at.desc(), by_id(table.c.id).desc()) if newest else (at, by_id(table.c.id))
    statement = (
        sa.select(*mapping.columns)
        .where(*where)
        .order_by(*order)
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )
    compiled = _PAGES[key] = prepare(statement)
    return compiled
