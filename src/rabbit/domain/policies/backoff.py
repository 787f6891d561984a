"""How long a pending post waits after publishing runs that made no progress (ADR 0015).

A run without progress (no credits, a retry, an unknown outcome, an error) puts the post
back by ``base``, doubling with each further such run, never more than ``cap``; progress
clears it (:meth:`~rabbit.domain.model.PendingPost.back_off`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DEFAULT_PUBLISH_BACKOFF: Final = timedelta(minutes=1)
"""The first delay (``CoreConfig.publish_backoff``)."""
DEFAULT_PUBLISH_BACKOFF_MAX: Final = timedelta(hours=1)
"""The longest delay (``CoreConfig.publish_backoff_max``)."""


def backoff_delay(failures: int, base: timedelta, cap: timedelta) -> timedelta:
    """How long a pending post waits after ``failures`` runs in a row without progress:
    ``base``, then doubling, never more than ``cap`` (zero for no failure)."""
    if failures <= 0:
        return timedelta(0)
    delay: timedelta = base * 2 ** min(failures - 1, 32)
    return min(delay, cap)
