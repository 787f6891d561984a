"""A unit of work's view of the store: staged writes over the committed tables.

Reads see the committed state plus this session's own writes. A table is copied (a shallow
dict copy; the entities in it are never mutated in place) the first time the session writes
to it, and ``commit`` swaps the written tables into the database. Every write enforces the
schema's check constraints, primary keys, foreign keys and unique constraints at once, as
PostgreSQL does per statement; deletes cascade or set null as the foreign keys say.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, Generic, TypeVar

from rabbit.application.ports.unit_of_work import UnlockedWriteError
from rabbit.domain.errors import ConflictError, NotFoundError, ValidationError
from rabbit_memory.copying import clone
from rabbit_memory.database import MemoryDatabase
from rabbit_memory.schema import (
    ENTITY_NAMES,
    GLOBAL_TABLES,
    OnDelete,
    checks_of,
    references_from,
    references_to,
    uniques_of,
)

E = TypeVar("E")


class SessionState(Enum):
    NEW = "new"
    ACTIVE = "active"
    COMMITTED = "committed"
    ROLLED_BACK = "rolled back"


class Session:
    """Staged reads and writes of one unit of work (used once)."""

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database
        self._written: dict[str, dict[str, object]] = {}
        self._locked: set[tuple[str, str]] = set()
        self.state = SessionState.NEW

    # lifecycle -----------------------------------------------------------------------

    def begin(self) -> None:
        self._require(SessionState.NEW, "begin")
        self.state = SessionState.ACTIVE

    def commit(self) -> None:
        self._require(SessionState.ACTIVE, "commit")
        self._database.tables.update(self._written)
        self._written = {}
        self.state = SessionState.COMMITTED

    def discard(self) -> None:
        self._require(SessionState.ACTIVE, "roll back")
        self._written = {}
        self.state = SessionState.ROLLED_BACK

    def _require(self, state: SessionState, action: str) -> None:
        if self.state is not state:
            raise RuntimeError(f"cannot {action}: the unit of work is {self.state.value}")

    # reads ---------------------------------------------------------------------------

    def rows(self, table: str) -> Mapping[str, object]:
        """The rows this session sees (never hand these out: they are the stored objects)."""
        self._require(SessionState.ACTIVE, "read")
        written = self._written.get(table)
        return written if written is not None else self._database.tables[table]

    def _writable(self, table: str) -> dict[str, object]:
        self._require(SessionState.ACTIVE, "write")
        if table not in self._written:
            self._written[table] = dict(self._database.tables[table])
        return self._written[table]

    # locks ---------------------------------------------------------------------------

    def lock(self, table: str, ids: Iterable[str]) -> None:
        """Record rows as held by this unit of work (``for_update`` reads, claims). Units of
        work already run one at a time (ADR 0005), so nothing waits here: what this keeps is
        the rule of ADR 0012 that ``replace`` needs a held row, the same on both stores."""
        self._locked.update((table, row_id) for row_id in ids)

    # writes --------------------------------------------------------------------------

    def insert(self, table: str, entity: object) -> None:
        rows = self.rows(table)
        entity_id = _id(entity)
        if entity_id in rows:
            raise ConflictError(ENTITY_NAMES[table], "id", "a row with this id already exists")
        self._check_values(table, entity)
        # PostgreSQL's order: a unique index refuses the row as it is written, the foreign
        # keys' triggers only at the end of the statement
        self._check_uniques(table, entity)
        self._check_references(table, entity)
        self._writable(table)[entity_id] = clone(entity)
        self._locked.add((table, entity_id))

    def replace(self, table: str, entity: object) -> None:
        """Store every field of an existing row; NotFoundError when it is gone or belongs to
        another organisation, UnlockedWriteError when this session does not hold it."""
        entity_id = _id(entity)
        current = self.rows(table).get(entity_id)
        if current is None or not _same_tenant(table, current, entity):
            raise NotFoundError(ENTITY_NAMES[table], entity_id)
        if (table, entity_id) not in self._locked:
            raise UnlockedWriteError(table, entity_id)
        self._check_values(table, entity)
        # PostgreSQL's order: a unique index refuses the row as it is written, the foreign
        # keys' triggers only at the end of the statement
        self._check_uniques(table, entity)
        self._check_references(table, entity)
        self._writable(table)[entity_id] = clone(entity)

    def delete(self, table: str, ids: Iterable[str]) -> int:
        """Hard-delete rows, cascading and setting null as the foreign keys say; the number
        of ``table`` rows removed."""
        doomed = self._cascade_closure(table, set(ids) & set(self.rows(table)))
        nulled = self._references_to_null(doomed)
        for doomed_table, doomed_ids in doomed.items():
            rows = self._writable(doomed_table)
            for doomed_id in doomed_ids:
                del rows[doomed_id]
        for (child_table, child_id), columns in nulled.items():
            rows = self._writable(child_table)
            rows[child_id] = dataclasses.replace(
                rows[child_id],  # type: ignore[type-var]
                **dict.fromkeys(columns),
            )
        return len(doomed.get(table, ()))

    # constraints ---------------------------------------------------------------------

    def _check_values(self, table: str, entity: object) -> None:
        for check in checks_of(table):
            if not check.holds(entity):
                raise ValidationError(check.field, "violates a check constraint")

    def _check_references(self, table: str, entity: object) -> None:
        for fk in references_from(table):
            parent_id = _column(entity, fk.column)
            if parent_id is None:
                continue
            parent = self.rows(fk.parent).get(parent_id)
            if (
                parent is None
                or not _same_tenant(fk.parent, parent, entity)
                or any(_column(parent, c) != _column(entity, c) for c in fk.match)
            ):
                raise NotFoundError(ENTITY_NAMES[fk.parent], parent_id)

    def _check_uniques(self, table: str, entity: object) -> None:
        entity_id = _id(entity)
        for unique in uniques_of(table):
            key = unique.key(entity)
            if key is None:
                continue
            for other_id, other in self.rows(table).items():
                if other_id != entity_id and unique.key(other) == key:
                    raise ConflictError(ENTITY_NAMES[table], unique.field, "already exists")

    def _cascade_closure(self, table: str, ids: set[str]) -> dict[str, set[str]]:
        doomed: dict[str, set[str]] = {}
        pending: list[tuple[str, set[str]]] = [(table, ids)]
        while pending:
            current, batch = pending.pop()
            fresh = batch - doomed.setdefault(current, set())
            if not fresh:
                continue
            doomed[current] |= fresh
            for fk in references_to(current):
                if fk.on_delete is OnDelete.CASCADE:
                    children = _referencing(self.rows(fk.child), fk.column, fresh)
                    pending.append((fk.child, children))
        return {name: found for name, found in doomed.items() if found}

    def _references_to_null(
        self, doomed: Mapping[str, set[str]]
    ) -> dict[tuple[str, str], list[str]]:
        """Surviving rows whose set-null references point at doomed rows, and the columns."""
        nulled: dict[tuple[str, str], list[str]] = {}
        for parent_table, parent_ids in doomed.items():
            for fk in references_to(parent_table):
                if fk.on_delete is not OnDelete.SET_NULL:
                    continue
                referencing = _referencing(self.rows(fk.child), fk.column, parent_ids)
                for child_id in referencing - doomed.get(fk.child, set()):
                    nulled.setdefault((fk.child, child_id), []).append(fk.column)
        return nulled


def _referencing(rows: Mapping[str, object], column: str, parent_ids: set[str]) -> set[str]:
    return {row_id for row_id, row in rows.items() if _column(row, column) in parent_ids}


def _same_tenant(table: str, stored: object, entity: object) -> bool:
    """A tenant row is reachable only from its own organisation."""
    if table in GLOBAL_TABLES:
        return True
    return bool(_column(stored, "organization_id") == _column(entity, "organization_id"))


def _column(row: object, column: str) -> Any:
    return getattr(row, column)


def _id(row: object) -> str:
    return str(_column(row, "id"))


class Table(Generic[E]):
    """A typed view of one table for the repositories: copies in, copies out."""

    def __init__(self, session: Session, name: str) -> None:
        self._session = session
        self.name = name
        self.entity = ENTITY_NAMES[name]

    def _stored(self) -> Iterable[E]:
        return self._session.rows(self.name).values()  # type: ignore[return-value]

    def get(self, row_id: str) -> E | None:
        row = self._session.rows(self.name).get(row_id)
        return None if row is None else clone(row)  # type: ignore[return-value]

    def first(self, where: Callable[[E], bool]) -> E | None:
        for row in self._stored():
            if where(row):
                return clone(row)
        return None

    def locked(self, entity: E | None, lock: bool = True) -> E | None:
        """``entity``, recorded as held by this unit of work when ``lock`` (``for_update``)."""
        if entity is not None and lock:
            self._session.lock(self.name, [_id(entity)])
        return entity

    def all_locked(self, entities: list[E], lock: bool = True) -> list[E]:
        """``entities``, recorded as held when ``lock`` (claims, ``for_update`` lists)."""
        if lock:
            self._session.lock(self.name, [_id(entity) for entity in entities])
        return entities

    def select(
        self,
        where: Callable[[E], bool],
        *,
        order: Callable[[E], Any] | None = None,
        limit: int | None = None,
    ) -> list[E]:
        """Matching rows (copies), sorted by ``order`` then by id."""
        found = [row for row in self._stored() if where(row)]
        found.sort(key=_id)
        if order is not None:
            found.sort(key=order)
        if limit is not None:
            found = found[: max(limit, 0)]
        return [clone(row) for row in found]

    def count(self, where: Callable[[E], bool]) -> int:
        return sum(1 for row in self._stored() if where(row))

    def ids(self, where: Callable[[E], bool]) -> list[str]:
        return [_id(row) for row in self._stored() if where(row)]

    def insert(self, entity: E) -> None:
        self._session.insert(self.name, entity)

    def replace(self, entity: E) -> None:
        self._session.replace(self.name, entity)

    def delete(self, ids: Iterable[str]) -> int:
        return self._session.delete(self.name, ids)
