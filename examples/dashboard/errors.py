"""Errors as HTTP responses, in one place: the table :data:`STATUSES`.

Every failure a route can meet is a typed error: the core's ``DomainError``\\ s (each with
its ``code``), the store's ``DatabaseUnavailableError`` and the application's own
:class:`NotAuthenticatedError`. An error takes the status of the nearest of its classes in
the table (``ConnectionLostError`` is a ``DatabaseUnavailableError``), and the body is
always ``{"code", "message", "field"}``: ``field`` names the input to fix when the error
has one (a ``ValidationError``'s dotted field, a ``ConflictError``'s field), else null.
A 500 says no more than that (its message, which may name a table or a statement, goes to
the log instead).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from rabbit.errors import (
    ConcurrentUpdateError,
    ConflictError,
    DatabaseUnavailableError,
    DomainError,
    DuplicateContentError,
    InsufficientCreditsError,
    InvalidTransitionError,
    LimitExceededError,
    NotFoundError,
    PermissionDeniedError,
    PlatformUnavailableError,
    StoreError,
    UnreadableSecretError,
    ValidationError,
)

log = logging.getLogger(__name__)
INTERNAL = "the server could not complete the request"


class NotAuthenticatedError(Exception):
    """No bearer token, or one this application did not sign (401)."""

    code = "not_authenticated"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


STATUSES: dict[type[Exception], int] = {
    NotAuthenticatedError: 401,
    ValidationError: 422,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    InvalidTransitionError: 409,
    DuplicateContentError: 409,
    InsufficientCreditsError: 402,
    LimitExceededError: 402,
    UnreadableSecretError: 500,
    PlatformUnavailableError: 503,
    ConcurrentUpdateError: 503,
    DatabaseUnavailableError: 503,
    StoreError: 500,
    DomainError: 400,
}
"""Each error type's status; the nearest class of an error in this table wins."""

RETRY_LATER = frozenset({PlatformUnavailableError, ConcurrentUpdateError, DatabaseUnavailableError})
"""Errors after which nothing was written and the same request may simply be sent again."""

CODES: dict[type[Exception], str] = {
    DatabaseUnavailableError: "database_unavailable",
    StoreError: "database_error",
}
"""Codes of the errors that carry none (the domain's and ours have a ``code``)."""


def status_of(exc: Exception) -> tuple[int, type[Exception]]:
    """The status of ``exc`` and the class of the table that gave it."""
    for cls in type(exc).__mro__:
        if cls in STATUSES:
            return STATUSES[cls], cls
    return 500, Exception


def error_body(exc: Exception) -> dict[str, Any]:
    """``{"code", "message", "field"}`` for an error of the table."""
    status, matched = status_of(exc)
    code = getattr(exc, "code", None) or CODES.get(matched, "error")
    if status >= 500 and matched not in RETRY_LATER:
        return {"code": code, "message": INTERNAL, "field": None}
    message = getattr(exc, "message", None) or str(exc)
    return {"code": code, "message": message, "field": getattr(exc, "field", None)}


async def _typed_error(request: Request, exc: Exception) -> JSONResponse:
    status, matched = status_of(exc)
    if status >= 500:
        log.error("%s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    headers = {}
    if matched is NotAuthenticatedError:
        headers["WWW-Authenticate"] = "Bearer"
    if matched in RETRY_LATER:
        headers["Retry-After"] = "1"
    return JSONResponse(error_body(exc), status_code=status, headers=headers)


async def _request_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own 422 (a path or query parameter of the wrong type) in the same shape."""
    if not isinstance(exc, RequestValidationError):
        raise exc
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "is not valid"}
    field = ".".join(str(part) for part in first["loc"] if part not in ("path", "query"))
    body = {"code": ValidationError.code, "message": f"{field}: {first['msg']}", "field": field}
    return JSONResponse(body, status_code=422)


def install(app: FastAPI) -> None:
    """Answer every error of the table, and FastAPI's request errors, with the JSON body."""
    for cls in STATUSES:
        app.add_exception_handler(cls, _typed_error)
    app.add_exception_handler(RequestValidationError, _request_error)
