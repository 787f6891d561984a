"""One unit of work's connection and transaction, and the statement helpers repositories use.

How a repository reads and writes
---------------------------------
A repository holds the unit of work's :class:`PostgresSession` and an
:class:`~rabbit_postgres.mapping.EntityMapping` per table (``USERS``, ``MATERIALS`` …). The
common reads name their conditions with real columns, so a misspelt column fails where it is
written and mypy sees every argument::

    from rabbit_postgres.schema import materials, posts, schedules

    # one row or None; ``live`` skips soft-deleted rows, ``for_update`` locks it (ADR 0012)
    await session.one_where(
        MATERIALS, eq(materials.c.organization_id, org), eq(materials.c.id, id), live=True
    )
    # rows, ordered (then by id); ``limit``, ``for_update``, ``skip_locked`` as needed
    await session.many_where(
        POSTS, eq(posts.c.organization_id, org), at_least(posts.c.published_at, since),
        order_by=(descending(posts.c.published_at),),
    )
    # how many rows match; ``one_of`` is ``= ANY($n)``, one array whatever its length
    await session.count_where(MATERIALS, one_of(materials.c.status, statuses), live=True)

    await session.insert(MATERIALS, material)   # every column, from the entity
    await session.replace(MATERIALS, material)  # every column; the row must be locked

    # anything else: a Core statement prepared once (module level), run with its values
    _DUE = prepare(
        sa.select(*SCHEDULES.columns).where(schedules.c.next_run_at <= sa.bindparam("now"))
    )
    rows = await session.execute(_DUE, {"now": now})  # named tuples, values converted
    due = [SCHEDULES.entity_from(row) for row in rows]

``one_where``, ``many_where`` and ``count_where`` build and compile their statement once per
*shape* (the columns, operators and options, never the values: :func:`cached_select`), so a
call costs what a module-level ``prepare`` costs. A condition on a column of another table
than the mapping's is refused (:class:`ForeignColumnError`) when its shape is first built.
Why the statements skip SQLAlchemy's execution: docs/adr/0009 and docs/adr/0023.

Every write goes through :meth:`PostgresSession.execute`, which turns a violated constraint
into the domain error it stands for (:func:`rabbit_postgres.errors.translate_integrity_error`).
After such an error PostgreSQL has aborted the transaction: the caller leaves the unit of work
without committing, which rolls it back (the memory store behaves the same way for callers
that do so, and no use case continues after a refused write).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from rabbit.application.ports.unit_of_work import UnlockedWriteError
from rabbit.domain.errors import ConcurrentUpdateError, NotFoundError
from rabbit_postgres.codecs import ensure_vector_codec
from rabbit_postgres.errors import (
    ConnectionLostError,
    DatabaseUnavailableError,
    StatementError,
    entity_name,
    translate_integrity_error,
)
from rabbit_postgres.mapping import EntityMapping
from rabbit_postgres.statements import CompiledStatement, Rows, compile_statement, prepare

E = TypeVar("E")

#: Every statement a unit of work sends, at DEBUG (SQLAlchemy's ``echo`` only shows what
#: SQLAlchemy executes itself: migrations, the studio, tools). Its parameters are logged only
#: when the engine shows them (``hide_parameters=False``; our engines hide them unless built
#: in explicit development mode, ADR 0021): they hold emails, content and token ciphertexts.
sql_log = logging.getLogger("rabbit_postgres.sql")

#: What the SQL log shows instead of hidden parameters.
HIDDEN_PARAMETERS = "[parameters hidden: RABBIT_DEV=1 shows them]"

Statement = CompiledStatement | sa.Executable
"""A statement compiled once (:func:`rabbit_postgres.statements.prepare`), or a Core
statement built per call, compiled per call."""

#: What a dead connection raises: the server ended it (terminated backend, shutdown), the
#: socket broke, or asyncpg already knows it is closed.
_CONNECTION_ERRORS = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    OSError,  # ConnectionError included
)


class SessionState(Enum):
    NEW = "new"
    ACTIVE = "active"
    COMMITTED = "committed"
    ROLLED_BACK = "rolled back"


class PostgresSession:
    """The connection and transaction of one unit of work (used once).

    The connection comes from the engine's SQLAlchemy pool (which owns connecting,
    recycling and invalidation); the transaction and every statement go straight to its
    asyncpg connection (:mod:`rabbit_postgres.statements`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._log_parameters = not engine.sync_engine.hide_parameters
        self._pooled: PoolProxiedConnection | None = None
        self._driver: asyncpg.Connection | None = None
        self._transaction: Any = None
        self._locked: set[tuple[str, str]] = set()
        self.state = SessionState.NEW

    # lifecycle -----------------------------------------------------------------------

    async def begin(self) -> None:
        self._require(SessionState.NEW, "begin")
        try:
            pooled = await self._engine.raw_connection()
        except (OSError, DBAPIError, TimeoutError) as exc:
            where = self._engine.url.render_as_string(hide_password=True)
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DatabaseUnavailableError(f"cannot connect to {where}: {reason}") from exc
        driver: asyncpg.Connection = pooled.driver_connection
        self._pooled, self._driver = pooled, driver
        try:
            await ensure_vector_codec(pooled.info, driver)
            transaction = driver.transaction()
            await transaction.start()
        except BaseException as exc:
            # no ``async with`` exit follows a failed enter: give the connection back here
            self.state = SessionState.ROLLED_BACK
            error = await self._failed(exc)
            await self._release()
            raise error from exc
        self._transaction = transaction
        self.state = SessionState.ACTIVE

    async def commit(self) -> None:
        self._require(SessionState.ACTIVE, "commit")
        try:
            await self._transaction.commit()
        except BaseException as exc:
            self.state = SessionState.ROLLED_BACK
            raise await self._failed(exc) from exc
        self.state = SessionState.COMMITTED

    async def rollback(self) -> None:
        self._require(SessionState.ACTIVE, "roll back")
        self.state = SessionState.ROLLED_BACK
        try:
            await self._transaction.rollback()
        except BaseException as exc:
            raise await self._failed(exc) from exc

    async def close(self) -> None:
        """Roll back what was not committed and give the connection back to the pool (or
        discard it, when it died or its state is unknown)."""
        try:
            if self.state is SessionState.ACTIVE:
                await self.rollback()
        finally:
            await self._release()

    async def _release(self) -> None:
        """Give the connection back to the pool (unless it was discarded)."""
        pooled, self._pooled, self._driver = self._pooled, None, None
        if pooled is not None and pooled.is_valid:
            await greenlet_spawn(pooled.close)

    def _require(self, state: SessionState, action: str) -> None:
        if self.state is not state:
            raise RuntimeError(f"cannot {action}: the unit of work is {self.state.value}")

    @property
    def driver(self) -> asyncpg.Connection:
        """The asyncpg connection of the open transaction."""
        self._require(SessionState.ACTIVE, "use the database")
        assert self._driver is not None
        return self._driver

    async def backend_pid(self) -> int:
        """The server process serving this unit of work (for diagnostics and fault tests)."""
        return int(await self.scalar(sa.text("SELECT pg_backend_pid()")))

    async def _failed(self, exc: BaseException) -> BaseException:
        """What to raise for ``exc``: a domain error for a violated constraint,
        ConnectionLostError (after discarding the connection) for a dead one, a
        StatementError for any other refusal of the server; anything else unchanged.

        A connection whose state is unknown after an error that is none of these
        (cancellation, a bug) is discarded too, never given back to the pool."""
        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            return translate_integrity_error(exc)
        driver = self._driver
        lost = isinstance(exc, _CONNECTION_ERRORS) or (driver is not None and driver.is_closed())
        if lost:
            await self._discard(exc, everything_older=True)
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return ConnectionLostError(
                f"the database connection was lost mid-transaction: {reason}"
            )
        if isinstance(exc, asyncpg.DeadlockDetectedError | asyncpg.SerializationError):
            return ConcurrentUpdateError(f"the database rolled back ({exc.sqlstate})")
        if isinstance(exc, asyncpg.PostgresError):
            return StatementError.of(exc)
        if not isinstance(exc, Exception):  # cancelled mid-statement: state unknown
            await self._discard(exc)
        return exc

    async def _discard(self, exc: BaseException, *, everything_older: bool = False) -> None:
        """Invalidate the connection (closed, never reused). With ``everything_older``, as
        SQLAlchemy does on a disconnect, every connection the pool opened before now is
        replaced at its next checkout: after a server restart they are all dead."""
        pooled = self._pooled
        if self.state is SessionState.ACTIVE:
            self.state = SessionState.ROLLED_BACK  # the server rolls back a closed session
        if pooled is None or not pooled.is_valid:
            return
        error = exc if isinstance(exc, Exception) else None
        if everything_older:
            # what SQLAlchemy's own Connection does on a disconnect (it invalidates this
            # connection too)
            await greenlet_spawn(self._engine.sync_engine.pool._invalidate, pooled, error)
        else:
            await greenlet_spawn(pooled.invalidate, error)

    # statements ----------------------------------------------------------------------

    async def execute(
        self, statement: Statement, parameters: Mapping[str, Any] | None = None
    ) -> Rows:
        """Run one statement (with ``parameters`` for its named parameters); a violated
        constraint raises the matching domain error."""
        driver = self.driver
        plan = (
            statement if isinstance(statement, CompiledStatement) else compile_statement(statement)
        )
        arguments = plan.arguments(parameters)
        if sql_log.isEnabledFor(logging.DEBUG):
            shown = arguments if self._log_parameters else HIDDEN_PARAMETERS
            sql_log.debug("%s\n%s", plan.sql, shown)
        try:
            if plan.returns_rows:
                records = await driver.fetch(plan.sql, *arguments)
                return Rows(plan.rows(records), len(records))
            status = await driver.execute(plan.sql, *arguments)
        except BaseException as exc:
            raise await self._failed(exc) from exc
        return Rows([], _rowcount(status))

    async def scalar(
        self, statement: Statement, parameters: Mapping[str, Any] | None = None
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

        The statement is built and compiled once per shape (:func:`cached_select`) and only
        the values are bound per call."""
        statement = cached_select(
            mapping, _shape(conditions), live=live, lock="update" if for_update else None
        )
        row = (await self.execute(statement, _parameters(conditions))).first()
        if row is None:
            return None
        entity = mapping.entity_from(row)
        if for_update:
            self.lock(mapping.table.name, [_row_id(entity)])
        return entity

    async def many_where(
        self,
        mapping: EntityMapping[E],
        *conditions: Condition,
        live: bool = False,
        order_by: tuple[Order, ...] = (),
        limit: int | None = None,
        skip_locked: bool = False,
        for_update: bool = False,
    ) -> list[E]:
        """As :meth:`many`, the conditions and ``order_by`` (:func:`ascending`,
        :func:`descending`) given as data so the statement is built once per shape.
        ``for_update`` locks every row found (waiting for other holders), ``skip_locked``
        only the rows no one else holds (and returns only those)."""
        statement = cached_select(
            mapping,
            _shape(conditions),
            live=live,
            ordered=True,
            order_by=order_by,
            limited=limit is not None,
            lock="skip locked" if skip_locked else "update" if for_update else None,
        )
        parameters = _parameters(conditions)
        if limit is not None:
            parameters[_LIMIT] = max(limit, 0)
        result = await self.execute(statement, parameters)
        found = [mapping.entity_from(row) for row in result]
        if skip_locked or for_update:
            self.lock(mapping.table.name, [_row_id(entity) for entity in found])
        return found

    async def count_where(
        self, mapping: EntityMapping[Any], *conditions: Condition, live: bool = False
    ) -> int:
        """How many rows match every condition (and are not soft-deleted, with ``live``)."""
        statement = cached_select(mapping, _shape(conditions), live=live, counted=True)
        return int(await self.scalar(statement, _parameters(conditions)))

    async def many(
        self,
        mapping: EntityMapping[E],
        *where: sa.ColumnElement[bool],
        order_by: Sequence[sa.ColumnElement[Any]] = (),
        limit: int | None = None,
        skip_locked: bool = False,
        for_update: bool = False,
    ) -> list[E]:
        """Rows ordered by ``order_by`` then by id (byte order, as the memory store sorts);
        locked as :meth:`many_where` says."""
        statement = (
            sa.select(*mapping.columns).where(*where).order_by(*order_by, by_id(mapping.table.c.id))
        )
        if limit is not None:
            statement = statement.limit(max(limit, 0))
        if skip_locked or for_update:
            statement = statement.with_for_update(skip_locked=skip_locked, key_share=True)
        result = await self.execute(statement)
        found = [mapping.entity_from(row) for row in result]
        if skip_locked or for_update:
            self.lock(mapping.table.name, [_row_id(entity) for entity in found])
        return found

    def lock(self, table: str, ids: Iterable[str]) -> None:
        """Record rows as held by this transaction (read ``FOR NO KEY UPDATE`` [SKIP
        LOCKED], or written by it): ``replace`` requires it (ADR 0012)."""
        self._locked.update((table, row_id) for row_id in ids)

    async def insert(self, mapping: EntityMapping[E], entity: E) -> None:
        await self.execute(cached_insert(mapping.table), mapping.values(entity))
        self._locked.add((mapping.table.name, _row_id(entity)))

    async def replace(self, mapping: EntityMapping[E], entity: E) -> None:
        """UPDATE every column of the row with the entity's id (and organisation, for tenant
        rows); NotFoundError when there is no such row, UnlockedWriteError when this
        transaction does not hold it (ADR 0012)."""
        table = mapping.table
        values = mapping.values(entity)
        if (table.name, _row_id(entity)) not in self._locked:
            # the same answer as the memory store: a missing row is "not found" first
            key = [eq(table.c.id, values["id"])]
            if "organization_id" in table.c:
                key.append(eq(table.c.organization_id, values["organization_id"]))
            if await self.count_where(mapping, *key) == 0:
                raise NotFoundError(entity_name(table.name), str(values["id"]))
            raise UnlockedWriteError(table.name, _row_id(entity))
        parameters = {**values, _KEY_ID: values["id"]}
        if "organization_id" in table.c:
            parameters[_KEY_ORGANIZATION] = values["organization_id"]
        result = await self.execute(cached_replace(table), parameters)
        if result.rowcount == 0:
            raise NotFoundError(entity_name(table.name), str(values["id"]))

    async def delete(self, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
        """Hard delete (the foreign keys cascade or set null); the number of rows removed."""
        result = await self.execute(sa.delete(table).where(*where))
        return int(result.rowcount)


def _row_id(entity: object) -> str:
    """The ``id`` of an entity (every table's primary key is its ``id``)."""
    return str(entity.id)  # type: ignore[attr-defined]


def _rowcount(status: str) -> int:
    """The row count of a command tag (``UPDATE 3``, ``INSERT 0 1``, ``DELETE 0``)."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


# statements built once ----------------------------------------------------------------
#
# Building a Core statement (argument coercion) and compiling it cost more client time than
# the database spends on most of these statements. The statements below are built and
# compiled once per shape (rabbit_postgres.statements); each call only binds its values.

Operator = Literal["=", ">=", "<=", "in"]
Shape = tuple[tuple[sa.Column[Any], Operator], ...]
"""The conditions without their values: what a cached statement is keyed by."""


@dataclass(frozen=True, slots=True)
class Condition:
    """``column <operator> value``, one condition of :meth:`PostgresSession.one_where` & co.;
    written with :func:`eq`, :func:`at_least`, :func:`at_most` or :func:`one_of`."""

    column: sa.Column[Any]
    operator: Operator
    value: Any


@dataclass(frozen=True, slots=True)
class Order:
    """One key of ``many_where(order_by=…)``: :func:`ascending` or :func:`descending`."""

    column: sa.Column[Any]
    descending: bool = False


def eq(column: sa.Column[Any], value: Any) -> Condition:
    """``column = value``."""
    return Condition(column, "=", value)


def at_least(column: sa.Column[Any], value: Any) -> Condition:
    """``column >= value``."""
    return Condition(column, ">=", value)


def at_most(column: sa.Column[Any], value: Any) -> Condition:
    """``column <= value``."""
    return Condition(column, "<=", value)


def one_of(column: sa.Column[Any], values: Iterable[Any]) -> Condition:
    """``column = ANY(:values)``: ``IN`` with one array parameter (see :func:`in_array`)."""
    return Condition(column, "in", list(values))


def ascending(column: sa.Column[Any]) -> Order:
    """``ORDER BY column`` (nulls last, PostgreSQL's default for ascending)."""
    return Order(column)


def descending(column: sa.Column[Any]) -> Order:
    """``ORDER BY column DESC NULLS LAST``."""
    return Order(column, descending=True)


class ForeignColumnError(ValueError):
    """A condition or an order names a column of another table than the mapping's."""


_LIMIT = "limit_"
_KEY_ID = "key_id_"
_KEY_ORGANIZATION = "key_organization_id_"

_SELECTS: dict[tuple[Any, ...], CompiledStatement] = {}
_INSERTS: dict[str, CompiledStatement] = {}
_REPLACES: dict[str, CompiledStatement] = {}


def _shape(conditions: Sequence[Condition]) -> Shape:
    # the Column objects themselves: hashed by identity, so a column of another table with
    # the same name is another shape, and is checked when that shape is built
    return tuple((condition.column, condition.operator) for condition in conditions)


def _parameters(conditions: Sequence[Condition]) -> dict[str, Any]:
    return {f"w{index}_": condition.value for index, condition in enumerate(conditions)}


def _own_column(mapping: EntityMapping[Any], column: sa.Column[Any]) -> sa.Column[Any]:
    """``column``, when it belongs to the mapping's table (checked once per shape)."""
    if column.table is not mapping.table:
        owner = getattr(column.table, "name", None) or "no table"
        raise ForeignColumnError(
            f"{owner}.{column.key} is not a column of {mapping.table.name} "
            f"(the table of {mapping.entity.__name__}); "
            f"write the condition with {mapping.table.name}.c.<column>"
        )
    return column


def _condition(
    column: sa.ColumnElement[Any], operator: Operator, name: str
) -> sa.ColumnElement[bool]:
    if operator == "in":
        return in_array(column, sa.bindparam(name, type_=pg.ARRAY(column.type)))
    parameter: sa.BindParameter[Any] = sa.bindparam(name)
    if operator == "=":
        return column == parameter
    if operator == ">=":
        return column >= parameter
    return column <= parameter


def cached_select(
    mapping: EntityMapping[Any],
    shape: Shape,
    *,
    live: bool = False,
    ordered: bool = False,
    order_by: tuple[Order, ...] = (),
    limited: bool = False,
    lock: Literal["update", "skip locked"] | None = None,
    counted: bool = False,
) -> CompiledStatement:
    """``SELECT <mapping's columns> WHERE <shape> [AND deleted_at IS NULL] ORDER BY
    <order_by>, id (when ``ordered``) [LIMIT :limit_] [FOR UPDATE [SKIP LOCKED]]``
    (``SELECT count(*)`` instead of the columns with ``counted``),
    parameters ``w0_``, ``w1_`` … in the shape's order; built on first use, when its
    columns are checked to be the mapping's table's (:class:`ForeignColumnError`).

    The engine of ``one_where``/``many_where``/``count_where``; a repository calls those."""
    key = (
        mapping.table.name,
        mapping.entity,
        shape,
        live,
        ordered,
        order_by,
        limited,
        lock,
        counted,
    )
    cached = _SELECTS.get(key)
    if cached is not None:
        return cached
    table = mapping.table
    where = [
        _condition(_own_column(mapping, column), operator, f"w{index}_")
        for index, (column, operator) in enumerate(shape)
    ]
    if live:
        where.append(table.c.deleted_at.is_(None))
    if counted:
        statement = sa.select(sa.func.count()).select_from(table).where(*where)
    else:
        statement = sa.select(*mapping.columns).where(*where)
    if ordered:
        ordering: list[sa.ColumnElement[Any]] = []
        for order in order_by:
            column = _own_column(mapping, order.column)
            ordering.append(column.desc().nulls_last() if order.descending else column)
        statement = statement.order_by(*ordering, by_id(table.c.id))
    if limited:
        statement = statement.limit(sa.bindparam(_LIMIT, type_=sa.Integer))
    # FOR NO KEY UPDATE: our updates never change a key, and unlike FOR UPDATE it lets other
    # transactions insert rows that reference the locked one (their FK check's KEY SHARE)
    if lock == "update":
        statement = statement.with_for_update(key_share=True)
    elif lock == "skip locked":
        statement = statement.with_for_update(skip_locked=True, key_share=True)
    compiled = _SELECTS[key] = prepare(statement)
    return compiled


def cached_insert(table: sa.Table) -> CompiledStatement:
    """``INSERT INTO <table> (<every column>)``, the values given as parameters named after
    the columns (every column: a mapping's values name them all)."""
    statement = _INSERTS.get(table.name)
    if statement is None:
        statement = _INSERTS[table.name] = prepare(sa.insert(table))
    return statement


def cached_replace(table: sa.Table) -> CompiledStatement:
    """``UPDATE <table> SET <the columns given as parameters> WHERE id = :key_id_ [AND
    organization_id = :key_organization_id_]``."""
    statement = _REPLACES.get(table.name)
    if statement is None:
        key = [table.c.id == sa.bindparam(_KEY_ID)]
        if "organization_id" in table.c:
            key.append(table.c.organization_id == sa.bindparam(_KEY_ORGANIZATION))
        statement = _REPLACES[table.name] = prepare(sa.update(table).where(*key))
    return statement


def in_array(column: sa.ColumnElement[Any], values: Any) -> sa.ColumnElement[bool]:
    """``column = ANY(<one array parameter>)``: what ``IN (…)`` means, as one parameter
    whatever the number of values (an expanding ``IN`` is not used: asyncpg takes the
    statement as compiled, and one statement per list length would fill its cache)."""
    if not isinstance(values, sa.BindParameter):
        values = sa.bindparam(None, list(values), type_=pg.ARRAY(column.type))
    return column == sa.any_(values)


def by_id(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """Ids compared byte-wise (``COLLATE "C"``), whatever the database's collation."""
    return sa.collate(column, "C")


def purged_before(table: sa.Table, before: Any) -> sa.ColumnElement[bool]:
    """Soft-deleted strictly before ``before``."""
    return sa.and_(table.c.deleted_at.is_not(None), table.c.deleted_at < before)


def live(table: sa.Table, include_deleted: bool = False) -> sa.ColumnElement[bool]:
    return sa.true() if include_deleted else table.c.deleted_at.is_(None)
