"""One unit of work's connection and transaction, and the statement helpers repositories use.

Every write goes through :meth:`PostgresSession.execute`, which turns a violated constraint
into the domain error it stands for (:func:`rabbit_postgres.errors.translate_integrity_error`).
After such an error PostgreSQL has aborted the transaction: the caller leaves the unit of work
without committing, which rolls it back (the memory store behaves the same way for callers
that do so, and no use case continues after a refused write).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from rabbit.domain.errors import NotFoundError
from rabbit_postgres.errors import ConnectionLostError, entity_name, translate_integrity_error
from rabbit_postgres.mapping import EntityMapping

E = TypeVar("E")


class SessionState(Enum):
    NEW = "new"
    ACTIVE = "active"
    COMMITTED = "committed"
    ROLLED_BACK = "rolled back"


class PostgresSession:
    """The connection and transaction of one unit of work (used once)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None
        self.state = SessionState.NEW

    # lifecycle -----------------------------------------------------------------------

    async def begin(self) -> None:
        self._require(SessionState.NEW, "begin")
        connection = await self._engine.connect()
        try:
            self._transaction = await connection.begin()
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self.state = SessionState.ACTIVE

    async def commit(self) -> None:
        self._require(SessionState.ACTIVE, "commit")
        assert self._transaction is not None
        try:
            await self._transaction.commit()
        except IntegrityError as exc:
            self.state = SessionState.ROLLED_BACK
            raise translate_integrity_error(exc) from exc
        except DBAPIError as exc:
            self.state = SessionState.ROLLED_BACK
            raise _lost(exc) from exc
        except BaseException:
            self.state = SessionState.ROLLED_BACK
            raise
        self.state = SessionState.COMMITTED

    async def rollback(self) -> None:
        self._require(SessionState.ACTIVE, "roll back")
        assert self._transaction is not None
        self.state = SessionState.ROLLED_BACK
        await self._transaction.rollback()

    async def close(self) -> None:
        """Roll back what was not committed and give the connection back to the pool."""
        try:
            if self.state is SessionState.ACTIVE:
                await self.rollback()
        finally:
            connection, self._connection = self._connection, None
            if connection is not None:
                await connection.close()

    def _require(self, state: SessionState, action: str) -> None:
        if self.state is not state:
            raise RuntimeError(f"cannot {action}: the unit of work is {self.state.value}")

    @property
    def connection(self) -> AsyncConnection:
        self._require(SessionState.ACTIVE, "use the database")
        assert self._connection is not None
        return self._connection

    # statements ----------------------------------------------------------------------

    async def execute(
        self, statement: sa.Executable, parameters: Mapping[str, Any] | None = None
    ) -> sa.CursorResult[Any]:
        """Run one statement (with ``parameters`` for its bound parameters, if any); a
        violated constraint raises the matching domain error."""
        connection = self.connection
        try:
            return await connection.execute(statement, parameters)
        except IntegrityError as exc:
            raise translate_integrity_error(exc) from exc
        except DBAPIError as exc:
            raise _lost(exc) from exc

    async def scalar(
        self, statement: sa.Executable, parameters: Mapping[str, Any] | None = None
    ) -> Any:
        return (await self.execute(statement, parameters)).scalar_one()

    async def one_where(
        self,
        mapping: EntityMapping[E],
        *conditions: Condition,
        live: bool = False,
        for_update: bool = False,
    ) -> E | None:
        """The row matching every condition (and not soft-deleted, with ``live``), or None.

        The statement is built once per shape (:func:`cached_select`) and only the values
        are bound per call."""
        statement = cached_select(
            mapping, _shape(conditions), live=live, lock="update" if for_update else None
        )
        row = (await self.execute(statement, _parameters(conditions))).first()
        return None if row is None else mapping.entity_from(row)

    async def many_where(
        self,
        mapping: EntityMapping[E],
        *conditions: Condition,
        live: bool = False,
        order_by: tuple[str, ...] = (),
        limit: int | None = None,
        skip_locked: bool = False,
    ) -> list[E]:
        """As :meth:`many`, the conditions and ``order_by`` (column names, optionally
        followed by ``" DESC NULLS LAST"``) given as data so the statement is built once."""
        statement = cached_select(
            mapping,
            _shape(conditions),
            live=live,
            ordered=True,
            order_by=order_by,
            limited=limit is not None,
            lock="skip locked" if skip_locked else None,
        )
        parameters = _parameters(conditions)
        if limit is not None:
            parameters[_LIMIT] = max(limit, 0)
        result = await self.execute(statement, parameters)
        return [mapping.entity_from(row) for row in result]

    async def one(
        self, mapping: EntityMapping[E], *where: sa.ColumnElement[bool], for_update: bool = False
    ) -> E | None:
        statement = sa.select(*mapping.columns).where(*where)
        if for_update:
            statement = statement.with_for_update()
        row = (await self.execute(statement)).first()
        return None if row is None else mapping.entity_from(row)

    async def many(
        self,
        mapping: EntityMapping[E],
        *where: sa.ColumnElement[bool],
        order_by: Sequence[sa.ColumnElement[Any]] = (),
        limit: int | None = None,
        skip_locked: bool = False,
    ) -> list[E]:
        """Rows ordered by ``order_by`` then by id (byte order, as the memory store sorts)."""
        statement = (
            sa.select(*mapping.columns).where(*where).order_by(*order_by, by_id(mapping.table.c.id))
        )
        if limit is not None:
            statement = statement.limit(max(limit, 0))
        if skip_locked:
            statement = statement.with_for_update(skip_locked=True)
        result = await self.execute(statement)
        return [mapping.entity_from(row) for row in result]

    async def insert(self, mapping: EntityMapping[E], entity: E) -> None:
        await self.execute(cached_insert(mapping.table), mapping.values(entity))

    async def replace(self, mapping: EntityMapping[E], entity: E) -> None:
        """UPDATE every column of the row with the entity's id (and organisation, for tenant
        rows); NotFoundError when there is no such row."""
        table = mapping.table
        values = mapping.values(entity)
        parameters = {**values, _KEY_ID: values["id"]}
        if "organization_id" in table.c:
            parameters[_KEY_ORGANIZATION] = values["organization_id"]
        result = await self.execute(cached_replace(table), parameters)
        if result.rowcount == 0:
            raise NotFoundError(entity_name(table.name), str(values["id"]))

    async def count(self, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
        statement = sa.select(sa.func.count()).select_from(table).where(*where)
        return int(await self.scalar(statement))

    async def delete(self, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
        """Hard delete (the foreign keys cascade or set null); the number of rows removed."""
        result = await self.execute(sa.delete(table).where(*where))
        return int(result.rowcount)


# statements built once ----------------------------------------------------------------
#
# Building a Core statement (argument coercion) and computing its cache key cost more
# client time than the database spends on most of these statements. The statements below
# are built once per shape and reused: SQLAlchemy memoises a statement object's cache key,
# so each call only binds its values (by name) and finds the compiled form in the engine's
# cache.

Operator = Literal["=", ">=", "<=", "in"]
Condition = tuple[str, Operator, Any]
"""``(column, operator, value)``; ``"in"`` takes a list (an expanding parameter)."""

_LIMIT = "limit_"
_KEY_ID = "key_id_"
_KEY_ORGANIZATION = "key_organization_id_"
_DESCENDING = " DESC NULLS LAST"

_SELECTS: dict[tuple[Any, ...], sa.Select[Any]] = {}
_INSERTS: dict[str, sa.Insert] = {}
_REPLACES: dict[str, sa.Update] = {}


def _shape(conditions: Sequence[Condition]) -> tuple[tuple[str, Operator], ...]:
    return tuple((column, operator) for column, operator, _ in conditions)


def _parameters(conditions: Sequence[Condition]) -> dict[str, Any]:
    return {f"w{index}_": value for index, (_, _, value) in enumerate(conditions)}


def _condition(
    column: sa.ColumnElement[Any], operator: Operator, name: str
) -> sa.ColumnElement[bool]:
    if operator == "in":
        return column.in_(sa.bindparam(name, expanding=True))
    parameter: sa.BindParameter[Any] = sa.bindparam(name)
    if operator == "=":
        return column == parameter
    if operator == ">=":
        return column >= parameter
    return column <= parameter


def cached_select(
    mapping: EntityMapping[Any],
    shape: tuple[tuple[str, Operator], ...],
    *,
    live: bool = False,
    ordered: bool = False,
    order_by: tuple[str, ...] = (),
    limited: bool = False,
    lock: Literal["update", "skip locked"] | None = None,
) -> sa.Select[Any]:
    """``SELECT <mapping's columns> WHERE <shape> [AND deleted_at IS NULL] ORDER BY
    <order_by>, id (when ``ordered``) [LIMIT :limit_] [FOR UPDATE [SKIP LOCKED]]``,
    parameters ``w0_``, ``w1_`` … in the shape's order; built on first use."""
    key = (mapping.table.name, mapping.entity, shape, live, ordered, order_by, limited, lock)
    statement = _SELECTS.get(key)
    if statement is not None:
        return statement
    table = mapping.table
    where = [
        _condition(table.c[column], operator, f"w{index}_")
        for index, (column, operator) in enumerate(shape)
    ]
    if live:
        where.append(table.c.deleted_at.is_(None))
    statement = sa.select(*mapping.columns).where(*where)
    if ordered:
        ordering: list[sa.ColumnElement[Any]] = []
        for spec in order_by:
            if spec.endswith(_DESCENDING):
                ordering.append(table.c[spec.removesuffix(_DESCENDING)].desc().nulls_last())
            else:
                ordering.append(table.c[spec])
        statement = statement.order_by(*ordering, by_id(table.c.id))
    if limited:
        statement = statement.limit(sa.bindparam(_LIMIT, type_=sa.Integer))
    if lock == "update":
        statement = statement.with_for_update()
    elif lock == "skip locked":
        statement = statement.with_for_update(skip_locked=True)
    _SELECTS[key] = statement
    return statement


def cached_insert(table: sa.Table) -> sa.Insert:
    """``INSERT INTO <table>``, the values given as parameters named after the columns."""
    statement = _INSERTS.get(table.name)
    if statement is None:
        statement = _INSERTS[table.name] = sa.insert(table)
    return statement


def cached_replace(table: sa.Table) -> sa.Update:
    """``UPDATE <table> SET <the columns given as parameters> WHERE id = :key_id_ [AND
    organization_id = :key_organization_id_]``."""
    statement = _REPLACES.get(table.name)
    if statement is None:
        key = [table.c.id == sa.bindparam(_KEY_ID)]
        if "organization_id" in table.c:
            key.append(table.c.organization_id == sa.bindparam(_KEY_ORGANIZATION))
        statement = _REPLACES[table.name] = sa.update(table).where(*key)
    return statement


def _lost(exc: DBAPIError) -> Exception:
    """ConnectionLostError for a connection that died; other driver errors unchanged."""
    if exc.connection_invalidated:
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        return ConnectionLostError(f"the database connection was lost mid-transaction: {reason}")
    return exc


def by_id(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """Ids compared byte-wise (``COLLATE "C"``), whatever the database's collation."""
    return sa.collate(column, "C")


def purged_before(table: sa.Table, before: Any) -> sa.ColumnElement[bool]:
    """Soft-deleted strictly before ``before``."""
    return sa.and_(table.c.deleted_at.is_not(None), table.c.deleted_at < before)


def live(table: sa.Table, include_deleted: bool = False) -> sa.ColumnElement[bool]:
    return sa.true() if include_deleted else table.c.deleted_at.is_(None)
