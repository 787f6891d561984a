"""Clocks: the system's, and a fake one that tests and simulations move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rabbit.domain.errors import ValidationError


class SystemClock:
    """The wall clock, always timezone-aware in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that stands still until told to move; never goes backwards.

    Refuses naive datetimes, so a test cannot smuggle a zone-less instant into the core.
    """

    def __init__(self, start: datetime) -> None:
        self._now = _utc(start, "start")

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        instant = _utc(instant, "instant")
        if instant < self._now:
            raise ValidationError("instant", "a clock never goes backwards")
        self._now = instant

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new instant."""
        if delta < timedelta(0):
            raise ValidationError("delta", "a clock never goes backwards")
        self._now += delta
        return self._now


def _utc(instant: datetime, field: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValidationError(field, "must be timezone-aware")
    return instant.astimezone(UTC)
