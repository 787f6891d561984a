"""Keyset pagination of the read side (ADR 0028): a :class:`Page` and its opaque cursor.

A listing returns at most ``limit`` rows (1 … ``limits.MAX_PAGE``, ``limits.DEFAULT_PAGE``
when not given) newest first, and a ``next_cursor`` when more rows follow. The cursor is
the sort key of the page's last row — the listing's tag, the instant and the id — in
URL-safe base64: the next call passes it back and gets the rows strictly after it, so a
row inserted meanwhile (newer, so before the cursor) never shifts one into the next page
twice or out of it, and a page costs one index seek however deep it is. A cursor that does
not decode to a key of this listing is a ValidationError naming ``cursor``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Generic, TypeVar

from rabbit.application.ports.repositories import Keyset
from rabbit.domain import limits
from rabbit.domain.errors import ValidationError

T = TypeVar("T")
N = TypeVar("N", bound=Enum)
R = TypeVar("R")

_SEPARATOR = "|"
_BAD_CURSOR = "is not a cursor of this listing: pass back a next_cursor it returned"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing: its rows, and the cursor of the next page (None on the last)."""

    items: tuple[T, ...]
    next_cursor: str | None = None


def page_size(limit: int) -> int:
    """``limit``, once it is a page size a listing takes (ValidationError ``limit``)."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise ValidationError("limit", "must be an integer")
    if not 1 <= limit <= limits.MAX_PAGE:
        raise ValidationError("limit", f"must be between 1 and {limits.MAX_PAGE}")
    return limit


def filter_value(field: str, kind: type[N], value: object) -> N | None:
    """A filter's value as the enum ``kind`` (its member or its value), None for None;
    anything else is a ValidationError naming ``field``."""
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        raise ValidationError(field, f"must be one of {', '.join(m.value for m in kind)}") from None


def encode_cursor(listing: str, key: Keyset) -> str:
    """The opaque cursor of ``key`` in ``listing`` (no padding: it travels in URLs)."""
    raw = _SEPARATOR.join((listing, key.at.isoformat(), key.id)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(listing: str, cursor: str | None) -> Keyset | None:
    """The key a cursor of ``listing`` stands for; None for None (the first page)."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.b64decode(padded, altchars=b"-_", validate=True)
        tag, at, row_id = raw.decode().split(_SEPARATOR, 2)
        instant = datetime.fromisoformat(at)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError("cursor", _BAD_CURSOR) from None
    if tag != listing or instant.tzinfo is None or not row_id or _SEPARATOR in row_id:
        raise ValidationError("cursor", _BAD_CURSOR)
    limits.check_instant("cursor", instant)
    limits.check_text("cursor", row_id, limits.MAX_ID)
    return Keyset(instant, row_id)


def page_of(
    listing: str,
    rows: Sequence[R],
    limit: int,
    key: Callable[[R], Keyset],
    view: Callable[[R], T],
) -> Page[T]:
    """The page of ``rows``, read with ``limit + 1`` so that a further row shows there is a
    next page; its cursor is the key of the page's last row."""
    shown = rows[:limit]
    more = len(rows) > limit and bool(shown)
    return Page(
        items=tuple(view(row) for row in shown),
        next_cursor=encode_cursor(listing, key(shown[-1])) if more else None,
    )
