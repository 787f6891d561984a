"""Angle choice: exploit the best recent engagement, explore at the configured rate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabbit.domain.enums import ContentAngle
from rabbit.domain.errors import ValidationError
from rabbit.domain.policies.angles import choose_angle
from rabbit.domain.policies.randomness import RandomDraw

A = ContentAngle
Draws = Callable[[int], RandomDraw]
rates = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    suggested=st.lists(st.sampled_from(A), max_size=8),
    performance=st.dictionaries(st.sampled_from(A), rates),
    seed=st.integers(0, 2**32),
    exploration_rate=rates,
)
def test_the_choice_is_always_a_candidate(
    make_draw: Draws,
    suggested: list[ContentAngle],
    performance: dict[ContentAngle, float],
    seed: int,
    exploration_rate: float,
) -> None:
    choice = choose_angle(suggested, performance, make_draw(seed), exploration_rate)

    assert choice.angle in (suggested or list(A))
    assert choice.reason
    if len(set(suggested)) == 1:
        assert not choice.is_exploration


@settings(max_examples=200, deadline=None)
@given(
    suggested=st.lists(st.sampled_from(A), max_size=8),
    performance=st.dictionaries(st.sampled_from(A), rates),
    seed=st.integers(0, 2**32),
)
def test_without_exploration_the_best_known_candidate_wins(
    make_draw: Draws,
    suggested: list[ContentAngle],
    performance: dict[ContentAngle, float],
    seed: int,
) -> None:
    candidates = suggested or list(A)
    known = [angle for angle in candidates if angle in performance]

    choice = choose_angle(suggested, performance, make_draw(seed), exploration_rate=0.0)

    assert not choice.is_exploration
    if known:
        assert performance[choice.angle] == max(performance[angle] for angle in known)
    else:
        assert choice.angle == candidates[0]


@pytest.mark.parametrize("rate", [0.05, 0.1, 0.3])
def test_exploration_frequency_matches_the_rate(make_draw: Draws, rate: float) -> None:
    rng = make_draw(1234)
    performance = {A.EDUCATIONAL: 0.08, A.STORYTELLING: 0.02}
    draws = 10_000

    choices = [choose_angle([], performance, rng, rate) for _ in range(draws)]

    explored = sum(choice.is_exploration for choice in choices)
    assert explored / draws == pytest.approx(rate, abs=0.015)
    assert all(c.angle != A.EDUCATIONAL for c in choices if c.is_exploration)
    assert all(c.angle == A.EDUCATIONAL for c in choices if not c.is_exploration)


def test_exploration_spreads_over_every_other_candidate(make_draw: Draws) -> None:
    rng = make_draw(99)
    suggested = [A.PROMOTIONAL, A.SOCIAL_PROOF, A.USER_BENEFIT]

    explored = Counter(
        choice.angle
        for choice in (choose_angle(suggested, {}, rng, 1.0) for _ in range(3000))
        if choice.is_exploration
    )

    assert set(explored) == {A.SOCIAL_PROOF, A.USER_BENEFIT}
    assert explored[A.SOCIAL_PROOF] == pytest.approx(1500, abs=150)


def test_ties_go_to_the_earlier_suggested_angle(make_draw: Draws) -> None:
    performance = {A.STORYTELLING: 0.05, A.PROMOTIONAL: 0.05}

    choice = choose_angle([A.PROMOTIONAL, A.STORYTELLING], performance, make_draw(0), 0.0)

    assert choice.angle is A.PROMOTIONAL


def test_a_proven_angle_beats_an_unknown_one(make_draw: Draws) -> None:
    choice = choose_angle([A.EDUCATIONAL, A.STORYTELLING], {A.STORYTELLING: 0.0}, make_draw(0), 0)

    assert choice.angle is A.STORYTELLING


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan")])
def test_an_exploration_rate_outside_zero_and_one_is_refused(make_draw: Draws, rate: float) -> None:
    with pytest.raises(ValidationError) as error:
        choose_angle([], {}, make_draw(0), rate)
    assert error.value.field == "exploration_rate"
