"""Material selection strategies as preference orders."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabbit.domain.enums import (
    ContentAngle,
    MaterialStatus,
    MaterialStrategy,
    MaterialType,
    SocialPlatform,
)
from rabbit.domain.errors import ValidationError
from rabbit.domain.model import Material, Post
from rabbit.domain.policies.randomness import RandomDraw
from rabbit.domain.policies.selection import (
    MaterialCandidate,
    candidates,
    is_candidate,
    mean_engagement,
    pillar_balanced,
    pillar_counts,
    rank,
    round_robin,
    select,
    weighted,
)
from rabbit.domain.values import ContentPillars

Draws = Callable[[int], RandomDraw]
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def used(candidate: MaterialCandidate, at: datetime) -> MaterialCandidate:
    return replace(candidate, usage_count=candidate.usage_count + 1, last_used_at=at)


@settings(max_examples=100, deadline=None)
@given(
    ids=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=12, unique=True),
    rounds=st.integers(1, 4),
)
def test_round_robin_uses_every_material_before_repeating_one(ids: list[str], rounds: int) -> None:
    pool = {i: MaterialCandidate(id=i) for i in ids}
    picks: list[str] = []

    for step in range(rounds * len(ids)):
        picked = round_robin(list(pool.values()))[0]
        pool[picked.id] = used(picked, T0 + timedelta(hours=step))
        picks.append(picked.id)

    for start in range(0, len(picks), len(ids)):
        assert sorted(picks[start : start + len(ids)]) == sorted(ids)


def test_round_robin_prefers_least_used_then_never_used_then_least_recent() -> None:
    candidates = [
        MaterialCandidate(id="a", usage_count=2, last_used_at=T0),
        MaterialCandidate(id="b", usage_count=1, last_used_at=T0 + timedelta(days=2)),
        MaterialCandidate(id="c", usage_count=1, last_used_at=T0 + timedelta(days=1)),
        MaterialCandidate(id="d", usage_count=1, last_used_at=None),
        MaterialCandidate(id="e", usage_count=0),
    ]

    assert [c.id for c in round_robin(candidates)] == ["e", "d", "c", "b", "a"]


candidate_lists = st.lists(
    st.builds(
        MaterialCandidate,
        id=st.uuids().map(str),
        usage_count=st.integers(0, 5),
        mean_engagement=st.none() | st.floats(0, 1),
    ),
    max_size=10,
    unique_by=lambda c: c.id,
)


@settings(max_examples=150, deadline=None)
@given(
    strategy=st.sampled_from(MaterialStrategy),
    candidates=candidate_lists,
    seed=st.integers(0, 2**32),
)
def test_every_strategy_ranks_each_candidate_exactly_once(
    make_draw: Draws,
    strategy: MaterialStrategy,
    candidates: list[MaterialCandidate],
    seed: int,
) -> None:
    order = rank(strategy, candidates, make_draw(seed))

    assert sorted(c.id for c in order) == sorted(c.id for c in candidates)
    assert select(strategy, candidates, make_draw(seed)) == (order[0] if order else None)


def test_random_first_pick_is_spread_over_all_candidates(make_draw: Draws) -> None:
    rng = make_draw(7)
    candidates = [MaterialCandidate(id=str(i)) for i in range(4)]

    firsts = Counter(rank("random", candidates, rng)[0].id for _ in range(4000))

    assert set(firsts) == {"0", "1", "2", "3"}
    assert all(count == pytest.approx(1000, abs=120) for count in firsts.values())


def test_weighted_favours_engagement_but_still_picks_unproven_material(
    make_draw: Draws,
) -> None:
    rng = make_draw(3)
    candidates = [
        MaterialCandidate(id="proven", mean_engagement=0.09),
        MaterialCandidate(id="unproven", mean_engagement=None),
    ]

    firsts = Counter(weighted(candidates, rng)[0].id for _ in range(5000))

    assert firsts["proven"] > 0.8 * 5000
    assert firsts["unproven"] > 0


def pillars(**targets: float) -> ContentPillars:
    return ContentPillars.of([{"name": n, "percentage": p} for n, p in targets.items()])


@st.composite
def pillar_targets(draw: st.DrawFn) -> dict[str, int]:
    """2–4 pillars whose integer percentages sum to 100."""
    cuts = draw(st.lists(st.integers(0, 100), min_size=1, max_size=3))
    bounds = [0, *sorted(cuts), 100]
    return {f"p{i}": bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)}


@settings(max_examples=60, deadline=None)
@given(targets=pillar_targets(), seed=st.integers(0, 2**32))
def test_pillar_balanced_converges_to_the_target_percentages(
    make_draw: Draws, targets: dict[str, int], seed: int
) -> None:
    rng = make_draw(seed)
    targets_obj = pillars(**targets)
    candidates = [
        MaterialCandidate(id=f"{name}-{k}", content_pillar=name)
        for name in targets
        for k in range(3)
    ]
    counts: Counter[str] = Counter()
    picks = 200

    for _ in range(picks):
        picked = pillar_balanced(candidates, targets_obj, counts, rng)[0]
        assert picked.content_pillar is not None
        counts[picked.content_pillar] += 1

    for name, target in targets.items():
        assert 100 * counts[name] / picks == pytest.approx(target, abs=1.0)


def test_pillar_balanced_starts_with_the_pillar_furthest_below_target(make_draw: Draws) -> None:
    candidates = [
        MaterialCandidate(id="t1", content_pillar="tips", usage_count=3),
        MaterialCandidate(id="t2", content_pillar="Tips", usage_count=1),
        MaterialCandidate(id="n1", content_pillar="news"),
        MaterialCandidate(id="x1", content_pillar=None),
    ]
    recent = {"news": 6, "tips": 4}  # news 60 % of a 30 % target, tips 40 % of 70 %

    order = pillar_balanced(candidates, pillars(tips=70, news=30), recent, make_draw(0))

    assert [c.id for c in order] == ["t2", "t1", "n1", "x1"]


def test_pillar_balanced_falls_back_when_the_neediest_pillar_has_no_material(
    make_draw: Draws,
) -> None:
    candidates = [MaterialCandidate(id="n1", content_pillar="news")]

    order = pillar_balanced(candidates, pillars(tips=90, news=10), {}, make_draw(0))

    assert [c.id for c in order] == ["n1"]


def test_no_candidates_select_nothing(make_draw: Draws) -> None:
    assert select(MaterialStrategy.ROUND_ROBIN, [], make_draw(0)) is None


def test_an_unknown_strategy_is_refused(make_draw: Draws) -> None:
    with pytest.raises(ValidationError) as error:
        rank("fifo", [], make_draw(0))
    assert error.value.field == "material_strategy"


def _material(id: str, brand: str | None, status: MaterialStatus, **kw: object) -> Material:
    return Material(
        id=id,
        organization_id="o",
        brand_profile_id=brand,
        type=MaterialType.TEXT,
        status=status,
        created_at=T0,
        updated_at=T0,
        **kw,  # type: ignore[arg-type]
    )


def _post(material_id: str | None, rate: float | None) -> Post:
    return Post(
        id=f"p-{material_id}-{rate}",
        organization_id="o",
        brand_profile_id="b",
        social_account_id="a",
        material_id=material_id,
        content="x",
        platform=SocialPlatform.LINKEDIN,
        angle=ContentAngle.EDUCATIONAL,
        engagement_rate=rate,
        created_at=T0,
        updated_at=T0,
    )


@pytest.mark.parametrize(
    ("brand", "status", "expected"),
    [
        ("b", MaterialStatus.READY, True),
        ("b", MaterialStatus.USED, True),
        (None, MaterialStatus.READY, True),
        ("other", MaterialStatus.READY, False),
        ("b", MaterialStatus.ARCHIVED, False),
        ("b", MaterialStatus.ANALYZED, False),
    ],
)
def test_a_candidate_is_selectable_and_the_brands_or_of_no_brand(
    brand: str | None, status: MaterialStatus, expected: bool
) -> None:
    assert is_candidate(_material("m", brand, status), "b") is expected


def test_mean_engagement_averages_the_rated_posts_of_each_material() -> None:
    posts = [_post("m1", 0.1), _post("m1", 0.3), _post("m2", None), _post(None, 0.5)]
    assert mean_engagement(posts) == {"m1": pytest.approx(0.2)}


def test_candidates_carry_use_pillar_and_mean_engagement() -> None:
    at = T0 + timedelta(days=1)
    m1 = _material(
        "m1", "b", MaterialStatus.USED, usage_count=2, last_used_at=at, content_pillar="tips"
    )
    m2 = _material("m2", None, MaterialStatus.READY)
    found = candidates([m1, m2], [_post("m1", 0.04), _post("m2", None)])
    assert found == [
        MaterialCandidate(
            id="m1", usage_count=2, last_used_at=at, content_pillar="tips", mean_engagement=0.04
        ),
        MaterialCandidate(id="m2"),
    ]


def test_pillar_counts_count_posts_by_their_materials_pillar() -> None:
    posts = [_post("m1", None), _post("m1", 0.1), _post("m2", None), _post(None, None)]
    counts = pillar_counts(posts, {"m1": "tips", "m2": None})
    assert counts == Counter({"tips": 2})
