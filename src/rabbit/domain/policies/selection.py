"""Material selection strategies (docs/behaviour.md#material-selection), as preference orders.

Each strategy returns the candidates best first rather than a single pick, so that the
caller can skip a candidate whose content is too similar to recent posts and take the next
one. The caller passes only selectable materials (READY or USED, not deleted or archived).

- round_robin: least used first, then least recently used, never-used before used; ties
  by id so the order is total and deterministic.
- random: a uniform random permutation drawn from the random port.
- weighted: successive draws without replacement, weight = mean engagement + EPSILON; a
  material without data counts as engagement 0, so it keeps a small chance to prove itself.
- pillar_balanced: pillars ordered by how far their share of recent posts lies below the
  target percentage (ties go to the larger target, so a 0 % pillar is not picked while all
  are on target; remaining ties are drawn at random), round_robin inside each pillar; materials of
  no targeted pillar come last, in round_robin order. Pillar names match case-insensitively.

Which materials are candidates (:func:`is_candidate`) and what the strategies know of each
(:func:`candidates`: the mean engagement of its posts) are decided here too; the use case
only loads the rows.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rabbit.domain.enums import MaterialStrategy
from rabbit.domain.errors import ValidationError
from rabbit.domain.limits import quote
from rabbit.domain.model import Material, Post
from rabbit.domain.policies.randomness import RandomDraw
from rabbit.domain.values import ContentPillars

EPSILON = 0.01
"""Weight added to every material in the weighted strategy (engagement rates are ~0.01–0.1)."""


@dataclass(frozen=True, slots=True)
class MaterialCandidate:
    """What the strategies need to know of a selectable material."""

    id: str
    usage_count: int = 0
    last_used_at: datetime | None = None
    content_pillar: str | None = None
    mean_engagement: float | None = None


def is_candidate(material: Material, brand_id: str) -> bool:
    """Whether the brand may post from ``material``: selectable (READY or USED,
    :attr:`~rabbit.domain.model.Material.is_selectable`) and the brand's own or of no brand."""
    return material.is_selectable and material.brand_profile_id in (brand_id, None)


def mean_engagement(posts: Iterable[Post]) -> dict[str, float]:
    """Per material id, the mean engagement rate of its posts; posts of no material or
    without a rate yet are left out (a material with none of them has no entry)."""
    rates: dict[str, list[float]] = defaultdict(list)
    for post in posts:
        if post.material_id is not None and post.engagement_rate is not None:
            rates[post.material_id].append(post.engagement_rate)
    return {material_id: sum(found) / len(found) for material_id, found in rates.items()}


def candidates(materials: Iterable[Material], posts: Iterable[Post]) -> list[MaterialCandidate]:
    """What the strategies know of each material: its use, pillar and the mean engagement
    of its ``posts`` (:func:`mean_engagement`)."""
    engagement = mean_engagement(posts)
    return [
        MaterialCandidate(
            id=m.id,
            usage_count=m.usage_count,
            last_used_at=m.last_used_at,
            content_pillar=m.content_pillar,
            mean_engagement=engagement.get(m.id),
        )
        for m in materials
    ]


def pillar_counts(posts: Iterable[Post], pillar_of: Mapping[str, str | None]) -> Counter[str]:
    """Recent posts per pillar of their material (``pillar_of``: material id → pillar);
    posts of no material, or of a material of no pillar, are not counted."""
    counts: Counter[str] = Counter()
    for post in posts:
        pillar = pillar_of.get(post.material_id) if post.material_id is not None else None
        if pillar:
            counts[pillar] += 1
    return counts


def round_robin(candidates: Sequence[MaterialCandidate]) -> list[MaterialCandidate]:
    """Least used first, then least recently used (never used first), then by id."""

    def key(candidate: MaterialCandidate) -> tuple[int, bool, float, str]:
        used_at = candidate.last_used_at
        return (
            candidate.usage_count,
            used_at is not None,
            used_at.timestamp() if used_at is not None else 0.0,
            candidate.id,
        )

    return sorted(candidates, key=key)


def random_order(
    candidates: Sequence[MaterialCandidate], rng: RandomDraw
) -> list[MaterialCandidate]:
    """A uniform random permutation; its first item is a uniform pick."""
    remaining = list(candidates)
    order: list[MaterialCandidate] = []
    while remaining:
        picked = rng.choice(remaining)
        remaining.remove(picked)
        order.append(picked)
    return order


def engagement_weight(candidate: MaterialCandidate) -> float:
    """The weighted strategy's weight: mean engagement (0 when unknown) plus EPSILON."""
    engagement = candidate.mean_engagement
    if engagement is None or math.isnan(engagement) or engagement < 0:
        engagement = 0.0
    return engagement + EPSILON


def weighted(candidates: Sequence[MaterialCandidate], rng: RandomDraw) -> list[MaterialCandidate]:
    """Draws without replacement, each with probability proportional to its weight."""
    remaining = list(candidates)
    order: list[MaterialCandidate] = []
    while remaining:
        picked = rng.weighted_choice(remaining, [engagement_weight(c) for c in remaining])
        remaining.remove(picked)
        order.append(picked)
    return order


def pillar_deficits(pillars: ContentPillars, recent_counts: Mapping[str, int]) -> dict[str, float]:
    """Per target pillar (casefolded name): target percentage minus its share of recent posts.

    The share is taken over every counted recent post, including posts of pillars that are
    no longer targeted; with no recent posts the deficit is the target itself.
    """
    counts: dict[str, int] = {}
    for name, count in recent_counts.items():
        if count < 0:
            raise ValidationError("recent_pillar_counts", "counts must not be negative")
        counts[name.strip().casefold()] = counts.get(name.strip().casefold(), 0) + count
    total = sum(counts.values())
    deficits: dict[str, float] = {}
    for pillar in pillars.pillars:
        name = pillar.name.strip().casefold()
        share = 100.0 * counts.get(name, 0) / total if total else 0.0
        deficits[name] = pillar.percentage - share
    return deficits


def pillar_balanced(
    candidates: Sequence[MaterialCandidate],
    pillars: ContentPillars,
    recent_counts: Mapping[str, int],
    rng: RandomDraw,
) -> list[MaterialCandidate]:
    """Materials of the pillar furthest below its target first (round_robin inside it)."""
    deficits = pillar_deficits(pillars, recent_counts)
    targets = {pillar.name.strip().casefold(): pillar.percentage for pillar in pillars.pillars}
    groups: dict[str, list[MaterialCandidate]] = {}
    untargeted: list[MaterialCandidate] = []
    for candidate in candidates:
        name = (candidate.content_pillar or "").strip().casefold()
        if name in deficits:
            groups.setdefault(name, []).append(candidate)
        else:
            untargeted.append(candidate)
    order: list[MaterialCandidate] = []
    while groups:
        best = max((deficits[name], targets[name]) for name in groups)
        tied = sorted(name for name in groups if (deficits[name], targets[name]) == best)
        chosen = tied[0] if len(tied) == 1 else rng.choice(tied)
        order.extend(round_robin(groups.pop(chosen)))
    order.extend(round_robin(untargeted))
    return order


def rank(
    strategy: MaterialStrategy | str,
    candidates: Sequence[MaterialCandidate],
    rng: RandomDraw,
    *,
    pillars: ContentPillars | None = None,
    recent_pillar_counts: Mapping[str, int] | None = None,
) -> list[MaterialCandidate]:
    """The candidates in the strategy's order of preference (empty when there are none)."""
    try:
        chosen = MaterialStrategy(strategy)
    except ValueError:
        raise ValidationError("material_strategy", f"{quote(strategy)} is not a strategy") from None
    strategies: dict[MaterialStrategy, Callable[[], list[MaterialCandidate]]] = {
        MaterialStrategy.ROUND_ROBIN: lambda: round_robin(candidates),
        MaterialStrategy.RANDOM: lambda: random_order(candidates, rng),
        MaterialStrategy.WEIGHTED: lambda: weighted(candidates, rng),
        MaterialStrategy.PILLAR_BALANCED: lambda: pillar_balanced(
            candidates, pillars or ContentPillars(), recent_pillar_counts or {}, rng
        ),
    }
    return strategies[chosen]()


def select(
    strategy: MaterialStrategy | str,
    candidates: Sequence[MaterialCandidate],
    rng: RandomDraw,
    *,
    pillars: ContentPillars | None = None,
    recent_pillar_counts: Mapping[str, int] | None = None,
) -> MaterialCandidate | None:
    """The strategy's first choice, or None when there is no candidate."""
    order = rank(
        strategy, candidates, rng, pillars=pillars, recent_pillar_counts=recent_pillar_counts
    )
    return order[0] if order else None
