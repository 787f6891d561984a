"""The adapter's errors, and the translation of violated constraints into domain errors.

Infrastructure failures (a bad ``DATABASE_URL``, an unreachable server, a server without
pgvector) are :class:`PostgresAdapterError`\\ s with a one-line message for the operator;
they are defined in the core (``rabbit.application.errors``), so an application catches
them from ``rabbit.errors`` without importing this adapter, and re-exported here.

A violated constraint becomes the domain's vocabulary (ADR 0003): the constraint's name,
which the schema's naming convention makes predictable, is looked up in a table built from
the schema itself, so a new constraint is translated without touching this module:

- unique (``uq_<table>_<columns>``, a unique index, the primary key) → ``ConflictError``
  naming the entity and the field (the constraint's last column, or its ``info["field"]``);
- foreign key (``fk_<table>_<column>``) → ``NotFoundError`` of the referenced entity, with
  the id from the server's detail message when it can be read (else the column name);
- check (``ck_<table>_<name>``, each with ``info["field"]``) → ``ValidationError(field)``;
- not null → ``ValidationError(column)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.schema import ColumnCollectionConstraint

from rabbit.application.errors import (
    ConnectionLostError,
    DatabaseConfigError,
    DatabaseUnavailableError,
    MigrationsMissingError,
    PgVectorMissingError,
    SchemaNotCurrentError,
    StatementError,
    StoreError,
)
from rabbit.domain.errors import ConflictError, DomainError, NotFoundError, ValidationError
from rabbit_postgres.schema import TENANT_COLUMN, metadata

__all__ = [  # the store's errors are the core's (re-exported), and this module's own names
    "CHECK_VIOLATION",
    "FOREIGN_KEY_VIOLATION",
    "NOT_NULL_VIOLATION",
    "UNIQUE_VIOLATION",
    "ConnectionLostError",
    "ConstraintTarget",
    "DatabaseConfigError",
    "DatabaseUnavailableError",
    "MigrationsMissingError",
    "PgVectorMissingError",
    "PostgresAdapterError",
    "SchemaNotCurrentError",
    "StatementError",
    "StoreError",
    "constraint_targets",
    "entity_name",
    "translate_integrity_error",
]

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
CHECK_VIOLATION = "23514"
NOT_NULL_VIOLATION = "23502"


PostgresAdapterError = StoreError
"""The root of the adapter's own (non-domain) failures: the core's
:class:`~rabbit.application.errors.StoreError`, whose subclasses this module re-exports."""


def entity_name(table_name: str) -> str:
    """The entity a table stores, as errors name it: ``brand_profiles`` → ``brand_profile``."""
    return table_name.removesuffix("s")


@dataclass(frozen=True, slots=True)
class ConstraintTarget:
    """What a named constraint is about: the entity, and the field a caller can fix."""

    entity: str
    field: str


def _field_of(info: dict[Any, Any], columns: list[str]) -> str:
    field = info.get("field")
    return str(field) if field else columns[-1]


@cache
def constraint_targets() -> dict[str, ConstraintTarget]:
    """Every named constraint and unique index of the schema, by name.

    For a foreign key, the entity is the *referenced* table's (the thing not found) and the
    field is the referencing column without the tenant column.
    """
    targets: dict[str, ConstraintTarget] = {}
    for table in metadata.tables.values():
        entity = entity_name(table.name)
        for constraint in table.constraints:
            if not isinstance(constraint, ColumnCollectionConstraint):
                continue
            name = str(constraint.name)
            columns = [column.name for column in constraint.columns]
            if isinstance(constraint, sa.ForeignKeyConstraint):
                own = [column for column in columns if column != TENANT_COLUMN] or columns
                referred = entity_name(constraint.referred_table.name)
                targets[name] = ConstraintTarget(referred, own[0])
            elif isinstance(constraint, sa.PrimaryKeyConstraint | sa.UniqueConstraint):
                targets[name] = ConstraintTarget(entity, _field_of(constraint.info, columns))
            elif isinstance(constraint, sa.CheckConstraint):
                targets[name] = ConstraintTarget(entity, _field_of(constraint.info, ["check"]))
        for index in table.indexes:
            if index.unique:
                columns = [column.name for column in index.columns]
                targets[str(index.name)] = ConstraintTarget(entity, _field_of(index.info, columns))
    return targets


def _driver_error(exc: BaseException) -> Any:
    """asyncpg's own exception (it carries ``constraint_name``, ``column_name``, ``detail``):
    ``exc`` itself, or, for an error raised through SQLAlchemy, the one it wraps (2.1 exposes
    it as ``exc.orig.driver_exception``; 2.0 chained it as the cause)."""
    if not isinstance(exc, IntegrityError):
        return exc
    orig = exc.orig
    driver = getattr(orig, "driver_exception", None) or getattr(orig, "__cause__", None)
    return driver if driver is not None else orig


_KEY_DETAIL = re.compile(r"^Key \((?P<columns>[^)]*)\)=\((?P<values>.*)\) is not present")


def _missing_id(detail: str | None, column: str) -> str:
    """The referenced id from 'Key (organization_id, brand_profile_id)=(o, b) is not present
    in table "brand_profiles".'; the column name when the detail cannot be read."""
    match = _KEY_DETAIL.match(detail or "")
    if match is None:
        return column
    columns = [name.strip() for name in match["columns"].split(",")]
    values = [value.strip() for value in match["values"].split(",")]
    if len(columns) != len(values) or column not in columns:
        return column
    return values[columns.index(column)]


def translate_integrity_error(exc: BaseException) -> DomainError:
    """The domain error a violated constraint stands for (see the module docstring); ``exc``
    is asyncpg's integrity error, or SQLAlchemy's ``IntegrityError`` wrapping it."""
    driver = _driver_error(exc)
    sqlstate = getattr(driver, "sqlstate", None) or getattr(
        getattr(exc, "orig", None), "sqlstate", None
    )
    constraint = getattr(driver, "constraint_name", None)
    table = getattr(driver, "table_name", None) or "row"
    target = constraint_targets().get(constraint or "")
    if sqlstate == NOT_NULL_VIOLATION:
        column = getattr(driver, "column_name", None) or "value"
        return ValidationError(column, "must not be null")
    if target is None:
        fallback = ConstraintTarget(entity_name(table), constraint or "unknown")
        return _by_state(sqlstate, fallback, driver, exc)
    return _by_state(sqlstate, target, driver, exc)


def _by_state(
    sqlstate: str | None, target: ConstraintTarget, driver: Any, exc: BaseException
) -> DomainError:
    if sqlstate == UNIQUE_VIOLATION:
        return ConflictError(target.entity, target.field, "already exists")
    if sqlstate == FOREIGN_KEY_VIOLATION:
        detail = getattr(driver, "detail", None)
        return NotFoundError(target.entity, _missing_id(detail, target.field))
    if sqlstate == CHECK_VIOLATION:
        return ValidationError(target.field, f"breaks a {target.entity} constraint")
    return DomainError(f"{target.entity}: integrity error {sqlstate}: {driver}")
