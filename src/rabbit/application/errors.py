"""The store's failures that no domain rule stands for, and that an application must map.

The PostgreSQL adapter raises them (``rabbit_postgres.errors`` re-exports them under their
old names), the composition root too (``running()``, ``migrate()``); they are defined here,
in the core, so an application catches them from :mod:`rabbit.errors` without importing an
adapter. Each message is one line for an operator, and never holds statement parameters.

- :class:`DatabaseUnavailableError` (the server cannot be reached) and
  :class:`ConnectionLostError` (the connection died mid-transaction, nothing committed):
  worth a retry, a 503 for an HTTP application;
- :class:`SchemaNotCurrentError`, :class:`DatabaseConfigError`,
  :class:`PgVectorMissingError`, :class:`MigrationsMissingError`: the deployment is wrong;
- :class:`StatementError`: the server refused a statement (a bug, or an operator's limit).
"""

from __future__ import annotations


class StoreError(Exception):
    """The root of the store's own (non-domain) failures; the message is one line.
    ``rabbit_postgres.errors.PostgresAdapterError`` is this class."""


class DatabaseConfigError(StoreError):
    """``DATABASE_URL`` (or another database setting) cannot be used as written."""


class DatabaseUnavailableError(StoreError):
    """The server cannot be reached, or refused the connection."""


class ConnectionLostError(DatabaseUnavailableError):
    """The unit of work's connection died mid-transaction (server restart, terminated
    backend, network): nothing of the transaction was committed; the call may be retried."""


class PgVectorMissingError(StoreError):
    """The server has no pgvector extension available to install."""


class SchemaNotCurrentError(StoreError):
    """The database's schema is not at the revision the code needs (a fresh database has
    none): the message says which revision it is at, which one is needed and how to migrate.
    Raised when the core starts (``rabbit.bootstrap.running``), before any work."""


class MigrationsMissingError(StoreError):
    """The migration scripts cannot be found (an incomplete installation)."""


class StatementError(StoreError):
    """The server refused a statement for a reason no domain rule stands for (a bug, or an
    operator's limit such as a statement timeout); ``sqlstate`` says which."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate

    @classmethod
    def of(cls, exc: BaseException) -> StatementError:
        """The refusal ``exc`` (a driver's error carrying ``sqlstate``) as one line."""
        sqlstate = getattr(exc, "sqlstate", None)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return cls(f"the database refused a statement ({sqlstate}): {reason}", sqlstate)
