"""Schedule validation and the next slot of a schedule
(docs/behaviour.md#schedules-and-daylight-saving).

A schedule lists local wall-clock times ("HH:MM", 24 h) on weekdays (0 = Sunday … 6 =
Saturday) in an IANA timezone. ``next_run_at`` turns that into the first UTC instant strictly
after a given one. Daylight-saving changes:

- A wall time that does not exist that day (the spring-forward gap) runs at the first valid
  instant after it, which is the instant of the transition itself (02:30 on the spring-forward
  day in America/New_York runs at 03:00 EDT). Several slots inside one gap therefore collapse
  into that one run.
- A wall time that happens twice (the fall-back overlap) runs once, at its first occurrence
  (``fold=0``).

With these two rules the map from a slot to its instant never decreases, which is what lets
``next_run_at`` stop at the first day that has a slot after the given instant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rabbit.domain.enums import ScheduleFrequency, SocialPlatform
from rabbit.domain.errors import ValidationError
from rabbit.domain.limits import quote

DEFAULT_SLOT_HOLD: Final = timedelta(minutes=10)
"""How long a claimed slot stays with its worker while the models write its posts (outside
any transaction); a worker that dies lets it fall due again after this
(``CoreConfig.slot_hold``)."""
DEFAULT_TICK_BATCH_SIZE: Final = 100
"""How many slots, due posts and stale posts one autopilot tick takes of each
(``CoreConfig.tick_batch_size``)."""

_HH_MM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")

REQUIRED_TIMES: dict[ScheduleFrequency, int] = {
    ScheduleFrequency.ONE_PER_DAY: 1,
    ScheduleFrequency.TWO_PER_DAY: 2,
    ScheduleFrequency.THREE_PER_DAY: 3,
    ScheduleFrequency.WEEKLY: 1,
}
"""Exact number of times per frequency; ``custom`` needs at least one."""

_SEARCH_DAYS = 9
"""Local days searched after the day of the instant: a week plus margin for a slot pushed
past midnight by a gap; any non-empty weekday set has a day in every 7."""


def parse_time(value: str, field: str = "times") -> time:
    """Parse a strict 24 h "HH:MM" (two digits each) or raise ValidationError(field)."""
    match = _HH_MM.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError(field, f"{quote(value)} is not a 24h time HH:MM")
    return time(int(match.group(1)), int(match.group(2)))


def parse_times(values: Sequence[str], field: str = "times") -> tuple[time, ...]:
    """Parse distinct "HH:MM" times, sorted; at least one is required."""
    if isinstance(values, str) or not values:
        raise ValidationError(field, "at least one time is required")
    parsed = [parse_time(value, field) for value in values]
    if len(set(parsed)) != len(parsed):
        raise ValidationError(field, "times must be distinct")
    return tuple(sorted(parsed))


def parse_timezone(name: str, field: str = "timezone") -> ZoneInfo:
    """Load an IANA timezone by name or raise ValidationError(field)."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValidationError(field, f"{quote(name)} is not an IANA timezone name")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(field, f"{quote(name)} is not an IANA timezone name") from None


def parse_days(values: Iterable[int], field: str = "days_of_week") -> frozenset[int]:
    """Distinct weekdays 0–6 (0 = Sunday); at least one is required."""
    days = list(values)
    if not days:
        raise ValidationError(field, "at least one day is required")
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise ValidationError(field, f"{quote(day)} is not a weekday 0-6 (0 = Sunday)")
    if len(set(days)) != len(days):
        raise ValidationError(field, "days must be distinct")
    return frozenset(days)


def validate_schedule(
    frequency: ScheduleFrequency | str,
    times: Sequence[str],
    timezone: str,
    days_of_week: Sequence[int],
    platforms: Sequence[SocialPlatform | str],
) -> None:
    """Raise ValidationError naming the first offending field, or return when valid.

    Beyond the usual checks: days must be distinct and non-empty (a schedule with no day
    never runs), and platforms must be distinct known social platforms.
    """
    try:
        freq = ScheduleFrequency(frequency)
    except ValueError:
        raise ValidationError("frequency", f"{quote(frequency)} is not a frequency") from None
    parsed_times = parse_times(times)
    parse_timezone(timezone)
    days = parse_days(days_of_week)
    required = REQUIRED_TIMES.get(freq)
    if required is not None and len(parsed_times) != required:
        raise ValidationError("times", f"{freq} needs exactly {required} time(s)")
    if freq is ScheduleFrequency.WEEKLY and len(days) != 1:
        raise ValidationError("days_of_week", "weekly needs exactly one day")
    _validate_platforms(platforms)


def _validate_platforms(platforms: Sequence[SocialPlatform | str]) -> None:
    if isinstance(platforms, str) or not platforms:
        raise ValidationError("platforms", "at least one platform is required")
    known: list[SocialPlatform] = []
    for platform in platforms:
        try:
            known.append(SocialPlatform(platform))
        except ValueError:
            raise ValidationError("platforms", f"{quote(platform)} is not a platform") from None
    if len(set(known)) != len(known):
        raise ValidationError("platforms", "platforms must be distinct")


def sunday_based_weekday(day: date) -> int:
    """The weekday of ``day`` with 0 = Sunday … 6 = Saturday (the schedules' convention)."""
    return (day.weekday() + 1) % 7


def next_run_at(
    after: datetime,
    times: Sequence[str],
    timezone: str,
    days_of_week: Iterable[int],
) -> datetime:
    """The first slot strictly after ``after`` (aware), as an aware UTC datetime."""
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValidationError("after", "must be timezone-aware")
    slots = parse_times(times)
    zone = parse_timezone(timezone)
    days = parse_days(days_of_week)
    start = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(_SEARCH_DAYS + 2):
        day = start + timedelta(days=offset)
        if sunday_based_weekday(day) not in days:
            continue
        for slot in slots:
            instant = resolve_local(day, slot, zone)
            if instant > after:
                return instant
    raise AssertionError("unreachable: every week has an allowed day")  # pragma: no cover


def resolve_local(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall time on a local day, with the DST rules of this module."""
    local = datetime.combine(day, wall).replace(tzinfo=zone, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    return _transition_within(local, zone)


def _transition_within(local: datetime, zone: ZoneInfo) -> datetime:
    """The instant at which the gap holding the nonexistent wall time ``local`` ends.

    With fold=1 the wall time is read with the offset after the transition (an instant
    before it), with fold=0 with the offset before (an instant at or after it); a binary
    search over whole seconds finds the first instant carrying the later offset.
    """
    before = int(local.replace(fold=1).timestamp())
    after = int(local.replace(fold=0).timestamp())
    target = datetime.fromtimestamp(after, UTC).astimezone(zone).utcoffset()
    low, high = before, after  # offset(low) differs from target, offset(high) equals it
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)
