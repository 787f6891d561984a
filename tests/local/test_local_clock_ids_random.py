"""Clocks, id generators and the seeded random source."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cuid2 import Cuid

from rabbit.domain.errors import ValidationError
from rabbit_local import Cuid2Ids, FakeClock, SeededRandom, SequentialIds, SystemClock

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_system_clock_is_aware_utc() -> None:
    assert SystemClock().now().utcoffset() == timedelta(0)


def test_fake_clock_stands_still_until_moved() -> None:
    clock = FakeClock(START)
    assert clock.now() == clock.now() == START
    assert clock.advance(timedelta(minutes=5)) == START + timedelta(minutes=5)
    clock.set(START + timedelta(days=1))
    assert clock.now() == START + timedelta(days=1)


def test_fake_clock_converts_other_zones_to_utc() -> None:
    clock = FakeClock(datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=1))))
    assert clock.now() == START
    assert clock.now().tzinfo is UTC


def test_fake_clock_refuses_naive_instants() -> None:
    with pytest.raises(ValidationError) as caught:
        FakeClock(datetime(2026, 3, 1))
    assert caught.value.field == "start"


def test_fake_clock_never_goes_backwards() -> None:
    clock = FakeClock(START)
    with pytest.raises(ValidationError):
        clock.set(START - timedelta(seconds=1))
    with pytest.raises(ValidationError):
        clock.advance(timedelta(seconds=-1))
    assert clock.now() == START


def test_cuid2_ids_are_valid_and_distinct() -> None:
    ids = Cuid2Ids()
    made = [ids.new_id() for _ in range(500)]
    assert len(set(made)) == 500
    assert all(Cuid.is_cuid(i) and len(i) == 24 for i in made)


def test_sequential_ids_sort_in_creation_order() -> None:
    ids = SequentialIds("m")
    made = [ids.new_id() for _ in range(12)]
    assert made[0] == "m000001"
    assert sorted(made) == made


def test_seeded_random_is_reproducible() -> None:
    first, second = SeededRandom(7), SeededRandom(7)
    assert [first.random() for _ in range(5)] == [second.random() for _ in range(5)]
    assert first.choice("abcdef") == second.choice("abcdef")


def test_weighted_choice_never_picks_a_zero_weight() -> None:
    source = SeededRandom(1)
    picks = Counter(source.weighted_choice(["a", "b", "c"], [0.0, 1.0, 3.0]) for _ in range(400))
    assert picks["a"] == 0
    assert picks["c"] > picks["b"] > 0


@pytest.mark.parametrize(
    ("items", "weights"),
    [
        pytest.param([], [], id="empty"),
        pytest.param(["a"], [1.0, 2.0], id="lengths-differ"),
        pytest.param(["a", "b"], [0.0, 0.0], id="all-zero"),
        pytest.param(["a", "b"], [-1.0, 2.0], id="negative"),
    ],
)
def test_weighted_choice_rejects_bad_weights(items: list[str], weights: list[float]) -> None:
    with pytest.raises(ValueError, match=r"."):
        SeededRandom(1).weighted_choice(items, weights)


def test_choice_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        SeededRandom(1).choice([])
