"""Which soft-deleted rows a purge may hard-delete now (docs/behaviour.md#soft-delete-and-purge).

A row is due when it was soft-deleted before the retention cutoff. A due row that a
surviving row still references (a live post naming its account, a pending post naming its
material) must wait: deleting it would leave a dangling reference or force touching a live
row. Repositories hard-delete "everything soft-deleted before an instant", so the rule is
expressed as that instant: the cutoff, lowered to the deletion time of the earliest due row
that is still referenced. That row and every later one wait for a later run; nothing
referenced is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

DEFAULT_PURGE_RETENTION: Final = timedelta(days=30)
"""How long a soft-deleted row is kept before a purge may remove it
(``CoreConfig.purge_retention``)."""


def is_due(deleted_at: datetime | None, cutoff: datetime) -> bool:
    """Soft-deleted strictly before ``cutoff``."""
    return deleted_at is not None and deleted_at < cutoff


def purge_before(
    cutoff: datetime,
    rows: Iterable[tuple[str, datetime | None]],
    referenced: set[str],
) -> datetime:
    """The instant below which the ``rows`` (id, deleted_at) may be hard-deleted."""
    blocked = [
        deleted_at
        for row_id, deleted_at in rows
        if deleted_at is not None and is_due(deleted_at, cutoff) and row_id in referenced
    ]
    return min([cutoff, *blocked])
