"""Sort keys shared by the repositories (ties are broken by id in ``Table.select``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

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
