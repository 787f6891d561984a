"""SQLAlchemy Core statements compiled once, then run straight on the asyncpg connection.

SQLAlchemy stays the single description of the schema and of every statement: tables,
naming convention, types, and the SQL the asyncpg dialect compiles (``$1::VARCHAR`` …).
What it no longer does per statement is *execute*: building an execution context, the
greenlet bridge of its async layer and its result machinery cost more client time than
the server spends on most of our statements (docs/performance.md, "Use-case overhead").

A :class:`CompiledStatement` keeps what one statement needs at run time, computed once:

- the SQL text and the order of its positional parameters;
- per parameter, the value bound in the statement itself (literals) and the type's bind
  processor (enum members to labels, JSON documents to text …);
- per result column, its key and the type's result processor (labels to enum members …).

So a call only orders its values, applies the processors and asks asyncpg, whose
prepared-statement cache does the rest. The processors are SQLAlchemy's own, so values are
converted exactly as a SQLAlchemy execution would convert them.

Statements built once (module level, :func:`rabbit_postgres.session.cached_select` …) are
compiled once (:func:`prepare`). A statement built per call with its values inside
(``table.c.email == email``) is compiled per call (:func:`compile_statement`): fine for the
rarely used paths that do so.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pgvector.sqlalchemy import HALFVEC, VECTOR
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any]

#: The dialect every statement is compiled for (the one ``postgresql+asyncpg`` engines use).
DIALECT: Dialect = asyncpg_dialect()  # type: ignore[no-untyped-call]

_MISSING = object()


class StatementParameterError(KeyError):
    """A statement was run without a value for one of its named parameters."""


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    """One statement as asyncpg runs it (see the module docstring)."""

    sql: str
    names: tuple[str, ...]
    """The named parameters in positional order (``$1`` is ``names[0]``)."""
    defaults: tuple[Any, ...]
    """Per parameter, the value bound in the statement, or ``_MISSING``."""
    bind_processors: tuple[Processor | None, ...]
    result_processors: tuple[Processor | None, ...]
    returns_rows: bool
    row_type: type[tuple[Any, ...]] | None
    """A named tuple of the result columns; None when the statement does not say (``sa.text``)."""
    # derived once: only the positions that have a processor are visited per call
    _named_defaults: tuple[tuple[str, Any], ...] = field(init=False, repr=False)
    _binding: tuple[tuple[int, Processor], ...] = field(init=False, repr=False)
    _reading: tuple[tuple[int, Processor], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        named = tuple(zip(self.names, self.defaults, strict=True))
        binding = tuple((i, p) for i, p in enumerate(self.bind_processors) if p is not None)
        reading = tuple((i, p) for i, p in enumerate(self.result_processors) if p is not None)
        object.__setattr__(self, "_named_defaults", named)
        object.__setattr__(self, "_binding", binding)
        object.__setattr__(self, "_reading", reading)

    def arguments(self, values: Mapping[str, Any] | None) -> list[Any]:
        """The positional arguments for ``values`` (by parameter name), processed."""
        given = values or {}
        arguments = [given.get(name, default) for name, default in self._named_defaults]
        for index, value in enumerate(arguments):
            if value is _MISSING:
                name = self.names[index]
                raise StatementParameterError(f"no value for the parameter {name!r}")
        for index, process in self._binding:
            value = arguments[index]
            if value is not None:
                arguments[index] = process(value)
        return arguments

    def rows(self, records: Sequence[Any]) -> list[Any]:
        """asyncpg records as rows: named tuples (``row.id``, ``row[0]``) when the columns
        are known, the records themselves otherwise."""
        row_type = self.row_type
        if row_type is None:
            return list(records)
        reading = self._reading
        if not reading:
            return [tuple.__new__(row_type, record) for record in records]
        rows = []
        for record in records:
            values = list(record)
            for index, process in reading:
                value = values[index]
                if value is not None:
                    values[index] = process(value)
            rows.append(tuple.__new__(row_type, values))
        return rows


class Rows:
    """The result of one statement: its rows (already fetched) or its row count."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def first(self) -> Any | None:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise sa.exc.NoResultFound(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalars(self) -> list[Any]:
        return [row[0] for row in self._rows]


def prepare(statement: sa.Executable) -> CompiledStatement:
    """Compile a statement that is built once and reused (module level, or a cache keyed
    by the statement's shape): the form :meth:`PostgresSession.execute` runs fastest."""
    return compile_statement(statement)


def compile_statement(statement: sa.Executable) -> CompiledStatement:
    """Compile ``statement`` for asyncpg (see the module docstring)."""
    compiled_sql = statement.compile(dialect=DIALECT)  # type: ignore[attr-defined]
    names = tuple(compiled_sql.positiontup or ())
    binds = compiled_sql.binds
    defaults = []
    bind_processors = []
    for name in names:
        bind = binds[name]
        if bind.expanding:
            raise ValueError(f"{name}: use session.in_array (= ANY), not an expanding IN")
        defaults.append(_MISSING if bind.required else bind.effective_value)
        bind_processors.append(_bind_processor(bind.type))
    returns_rows = bool(compiled_sql.returning) or isinstance(statement, sa.Select)
    if isinstance(statement, sa.TextClause):
        returns_rows = True
    result_processors: tuple[Processor | None, ...] = ()
    row_type: type[tuple[Any, ...]] | None = None
    exported = _exported_columns(statement)
    if exported is not None:
        keys = tuple(_key(column, index) for index, column in enumerate(exported))
        result_processors = tuple(_result_processor(column.type) for column in exported)
        row_type = _row_type(keys)
    return CompiledStatement(
        sql=compiled_sql.string,
        names=names,
        defaults=tuple(defaults),
        bind_processors=tuple(bind_processors),
        result_processors=result_processors,
        returns_rows=returns_rows,
        row_type=row_type,
    )


def _row_type(columns: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """A named tuple class for the columns (``row.id`` and ``row[0]``; a key that is not an
    identifier becomes ``_<position>``)."""
    return namedtuple("Row", columns, rename=True)


def _exported_columns(statement: sa.Executable) -> list[Any] | None:
    if isinstance(statement, sa.Select):
        return list(statement.selected_columns)
    returning = getattr(statement, "_returning", ())
    if returning:
        return list(statement.exported_columns)  # type: ignore[attr-defined]
    return None


def _key(column: Any, index: int) -> str:
    key = getattr(column, "key", None) or getattr(column, "name", None)
    return str(key) if key else f"column_{index}"


def _bind_processor(type_: sa.types.TypeEngine[Any]) -> Processor | None:
    if _is_vector(type_):
        return None  # the connection's binary codec takes sequences of floats as they are
    return type_.dialect_impl(DIALECT).bind_processor(DIALECT)


def _result_processor(type_: sa.types.TypeEngine[Any]) -> Processor | None:
    if _is_vector(type_) or isinstance(type_, sa.Numeric | sa.Float | sa.Integer):
        # vectors: the binary codec's Vector; numbers: asyncpg already returns int, float
        # (double precision) and Decimal (numeric), which is what these types hold
        return None
    return type_.dialect_impl(DIALECT).result_processor(DIALECT, None)


def _is_vector(type_: sa.types.TypeEngine[Any]) -> bool:
    return isinstance(type_, VECTOR | HALFVEC)
