"""Schedule validation and next_run_at, checked against a minute-by-minute oracle.

The oracle walks UTC minute by minute and knows nothing of the implementation: a minute
fires when its local wall time is a listed time on an allowed weekday at its first
occurrence (fold 0), or when the jump into it skipped a listed wall time (a DST gap).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabbit.domain.enums import ScheduleFrequency, SocialPlatform
from rabbit.domain.errors import ValidationError
from rabbit.domain.policies.scheduling import next_run_at, validate_schedule

MINUTE = timedelta(minutes=1)
DST_ZONES = ("America/New_York", "Europe/London", "Australia/Lord_Howe")
TRANSITIONS = {
    "America/New_York": (date(2024, 3, 10), date(2024, 11, 3)),
    "Europe/London": (date(2024, 3, 31), date(2024, 10, 27)),
    "Australia/Lord_Howe": (date(2024, 4, 7), date(2024, 10, 6)),
}


def sunday_weekday(day: date) -> int:
    return day.isoweekday() % 7


def oracle(
    after: datetime, until: datetime, times: list[str], zone_name: str, days: set[int]
) -> list[datetime]:
    """Every firing instant in (after, until], by brute force over UTC minutes."""
    zone = ZoneInfo(zone_name)
    wanted = {tuple(int(part) for part in t.split(":")) for t in times}

    def listed(wall: datetime) -> bool:
        return (wall.hour, wall.minute) in wanted and sunday_weekday(wall.date()) in days

    fired: list[datetime] = []
    instant = after.replace(second=0, microsecond=0) + MINUTE
    previous = (instant - MINUTE).astimezone(zone).replace(tzinfo=None)
    while instant <= until:
        local = instant.astimezone(zone)
        wall = local.replace(tzinfo=None)
        fires = local.fold == 0 and listed(wall)
        skipped = previous + MINUTE
        while not fires and skipped < wall:  # wall times jumped over: a DST gap
            fires = listed(skipped)
            skipped += MINUTE
        if fires:
            fired.append(instant)
        previous = wall
        instant += MINUTE
    return fired


hh_mm = st.builds(
    lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59)
) | st.sampled_from(["00:00", "01:00", "01:30", "01:59", "02:00", "02:15", "02:30", "03:00"])
time_lists = st.lists(hh_mm, min_size=1, max_size=4, unique=True)
day_sets = st.sets(st.integers(0, 6), min_size=1)


@st.composite
def near_a_transition(draw: st.DrawFn) -> tuple[str, datetime]:
    zone = draw(st.sampled_from(DST_ZONES))
    day = draw(st.sampled_from(TRANSITIONS[zone]))
    offset = draw(st.integers(-20 * 24 * 3600, 3 * 24 * 3600))
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=offset)
    return zone, start


@settings(max_examples=40, deadline=None)
@given(case=near_a_transition(), times=time_lists, days=day_sets)
def test_iterating_next_run_at_visits_every_slot_exactly_once_across_dst(
    case: tuple[str, datetime], times: list[str], days: set[int]
) -> None:
    zone, start = case
    until = start + timedelta(days=30)
    visited: list[datetime] = []
    instant = start
    while (instant := next_run_at(instant, times, zone, days)) <= until:
        visited.append(instant)
    assert visited == oracle(start, until, times, zone, days)


@settings(max_examples=150, deadline=None)
@given(
    after=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from([*DST_ZONES, "UTC", "Asia/Kolkata", "Pacific/Chatham"]),
    times=time_lists,
    days=day_sets,
)
def test_next_run_at_is_the_first_listed_slot_strictly_after(
    after: datetime, zone: str, times: list[str], days: set[int]
) -> None:
    result = next_run_at(after, times, zone, days)

    assert result > after
    assert result.utcoffset() == timedelta(0)
    assert oracle(after, result, times, zone, days) == [result]


@settings(max_examples=100, deadline=None)
@given(
    after=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2037, 12, 31),
        timezones=st.sampled_from([ZoneInfo(z) for z in DST_ZONES]),
    ),
    times=time_lists,
    days=day_sets,
)
def test_next_run_at_accepts_an_instant_in_any_timezone(
    after: datetime, times: list[str], days: set[int]
) -> None:
    as_utc = after.astimezone(UTC)

    assert next_run_at(after, times, "Europe/London", days) == next_run_at(
        as_utc, times, "Europe/London", days
    )


def local(zone: str, wall: datetime, fold: int = 0) -> datetime:
    return wall.replace(tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def test_a_slot_in_the_spring_forward_gap_runs_when_the_gap_ends() -> None:
    after = datetime(2024, 3, 10, 0, 0, tzinfo=UTC)  # Sunday 2024-03-10, New York

    result = next_run_at(after, ["02:30"], "America/New_York", [0])

    assert result == local("America/New_York", datetime(2024, 3, 10, 3, 0))


def test_an_ambiguous_slot_runs_once_at_its_first_occurrence() -> None:
    zone = "America/New_York"
    first = next_run_at(datetime(2024, 11, 3, 0, 0, tzinfo=UTC), ["01:30"], zone, [0])
    second = next_run_at(first, ["01:30"], zone, [0])

    assert first == local(zone, datetime(2024, 11, 3, 1, 30), fold=0)
    assert second == local(zone, datetime(2024, 11, 10, 1, 30))


def test_lord_howe_half_hour_gap_moves_the_slot_to_half_past_two() -> None:
    zone = "Australia/Lord_Howe"
    after = datetime(2024, 10, 5, 12, 0, tzinfo=UTC)

    result = next_run_at(after, ["02:15"], zone, [0])

    assert result.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == datetime(2024, 10, 6, 2, 30)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        next_run_at(datetime(2024, 1, 1), ["09:00"], "UTC", [1])

    assert error.value.field == "after"


VALID = {
    "frequency": ScheduleFrequency.TWO_PER_DAY,
    "times": ["09:00", "17:30"],
    "timezone": "Europe/Berlin",
    "days_of_week": [1, 2, 3, 4, 5],
    "platforms": [SocialPlatform.LINKEDIN],
}


def test_a_valid_schedule_passes() -> None:
    validate_schedule(**VALID)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"frequency": "hourly"}, "frequency"),
        ({"times": []}, "times"),
        ({"times": ["09:00", "09:00"]}, "times"),
        ({"times": ["9:00", "17:30"]}, "times"),
        ({"times": ["24:00", "17:30"]}, "times"),
        ({"times": ["09:60", "17:30"]}, "times"),
        ({"times": ["09:00"]}, "times"),
        ({"frequency": "3_per_day"}, "times"),
        ({"frequency": "1_per_day"}, "times"),
        ({"frequency": "weekly", "times": ["09:00"]}, "days_of_week"),
        ({"frequency": "weekly", "times": ["09:00", "10:00"], "days_of_week": [1]}, "times"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        ({"timezone": "UTC "}, "timezone"),
        ({"days_of_week": [7]}, "days_of_week"),
        ({"days_of_week": [-1]}, "days_of_week"),
        ({"days_of_week": []}, "days_of_week"),
        ({"days_of_week": [1, 1]}, "days_of_week"),
        ({"platforms": []}, "platforms"),
        ({"platforms": ["MYSPACE"]}, "platforms"),
        ({"platforms": ["TWITTER", "TWITTER"]}, "platforms"),
    ],
)
def test_an_invalid_schedule_names_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_schedule(**{**VALID, **change})  # type: ignore[arg-type]

    assert error.value.field == field


@pytest.mark.parametrize(
    ("frequency", "times", "days"),
    [
        ("1_per_day", ["08:00"], [1, 2]),
        ("3_per_day", ["08:00", "12:00", "23:59"], [0, 6]),
        ("weekly", ["00:00"], [0]),
        ("custom", ["01:00", "02:00", "03:00", "04:00", "05:00"], [3]),
    ],
)
def test_each_frequency_accepts_its_number_of_times(
    frequency: str, times: list[str], days: list[int]
) -> None:
    validate_schedule(frequency, times, "America/New_York", days, ["TWITTER", "FACEBOOK"])
