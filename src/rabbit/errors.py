"""Every error an application using rabbit may catch, from one module.

- :class:`DomainError` and its subclasses: a rule of the core refused the request; nothing
  was written. Each has a stable ``code`` (``not_found``, ``permission_denied``, …) to map to
  a response (a 404, a 403, a 409…).
- :class:`StoreError` and its subclasses: the store failed in a way no rule stands for.
  :class:`DatabaseUnavailableError` and :class:`ConnectionLostError` (nothing committed)
  are worth a retry; :class:`SchemaNotCurrentError` means the database needs
  ``await rabbit.api.migrate(settings)`` (or ``rabbit db upgrade``).
- :class:`TokenKeyError`: the token cipher's keys cannot be used safely; the core refuses
  to start.
- :class:`MissingExtraError`: an optional part (the embedded PostgreSQL, the studio, the
  demo) is used without the extra that installs it.

Importing this module loads no database driver.
"""

from __future__ import annotations

from rabbit._extras import MissingExtraError
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
from rabbit.domain.errors import (
    AdapterNotConfiguredError,
    ConcurrentUpdateError,
    ConflictError,
    DomainError,
    DuplicateContentError,
    InsufficientCreditsError,
    InvalidTransitionError,
    LimitExceededError,
    NotFoundError,
    PermissionDeniedError,
    PlatformUnavailableError,
    TokenKeyError,
    UnreadableSecretError,
    ValidationError,
)

__all__ = [
    "AdapterNotConfiguredError",
    "ConcurrentUpdateError",
    "ConflictError",
    "ConnectionLostError",
    "DatabaseConfigError",
    "DatabaseUnavailableError",
    "DomainError",
    "DuplicateContentError",
    "InsufficientCreditsError",
    "InvalidTransitionError",
    "LimitExceededError",
    "MigrationsMissingError",
    "MissingExtraError",
    "NotFoundError",
    "PermissionDeniedError",
    "PgVectorMissingError",
    "PlatformUnavailableError",
    "SchemaNotCurrentError",
    "StatementError",
    "StoreError",
    "TokenKeyError",
    "UnreadableSecretError",
    "ValidationError",
]
