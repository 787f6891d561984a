"""Sort keys shared by the repositories (ties are broken by id in ``Table.select``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from rabbit.application.ports.repositories import Keyset

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def by_created(row: Any) -> datetime:
    created: datetime = row.created_at
    return created


def newest_first_missing_last(instant: datetime | None) -> tuple[bool, int]:
    """A key that sorts instants descending and None after every instant (exactly, in
    integer microseconds, so no float rounding can reorder close instants)."""
    if instant is None:
        return (True, 0)
    return (False, -((instant - _EPOCH) // _MICROSECOND))


def purged_before(deleted_at: datetime | None, before: datetime) -> bool:
    """Soft-deleted strictly before ``before``: due for a hard delete."""
    return deleted_at is not None and deleted_at < before


def newest_page(
    rows: list[Any], key: Callable[[Any], tuple[datetime, str]], after: Keyset | None, limit: int
) -> list[Any]:
    """At most ``limit`` of ``rows`` by ``key`` (an instant and an id) descending, strictly
    after ``after``: PostgreSQL's ``WHERE (at, id) < (:at, :id) ORDER BY at DESC, id DESC``
    (ids compared as code points, the byte order of ``COLLATE "C"`` on UTF-8)."""
    if after is not None:
        rows = [row for row in rows if key(row) < (after.at, after.id)]
    rows.sort(key=key, reverse=True)
    return rows[: max(limit, 0)]


def oldest_page(
    rows: list[Any], key: Callable[[Any], tuple[datetime, str]], after: Keyset | None, limit: int
) -> list[Any]:
    """At most ``limit`` of ``rows`` by ``key`` ascending, strictly after ``after``:
    PostgreSQL's ``WHERE (at, id) > (:at, :id) ORDER BY at, id`` (ids as in
    :func:`newest_page`)."""
    if after is not None:
        rows = [row for row in rows if key(row) > (after.at, after.id)]
    rows.sort(key=key)
    return rows[: max(limit, 0)]
