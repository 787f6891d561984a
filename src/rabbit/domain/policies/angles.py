"""Which content angle a new post takes: exploit what engaged best, sometimes explore.

Rules (docs/behaviour.md#angles-and-exploration), with our tie-breaking made explicit:

- Candidates are the material's suggested angles in the analyser's order, duplicates
  dropped, or every angle in enum order when none is suggested.
- The exploit choice is the candidate with the highest recent mean engagement rate. Angles
  without data rank below every angle with data (a proven angle beats an unknown one; the
  unknown ones are what exploration is for). Equal rates, and the no-data case, are decided
  by candidate order, so the choice is deterministic for given inputs.
- With probability ``exploration_rate`` (one ``rng.random()`` draw, made only when there is
  another candidate) a uniformly drawn other candidate is taken instead and marked
  ``is_exploration``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from rabbit.domain.enums import ContentAngle
from rabbit.domain.errors import ValidationError
from rabbit.domain.policies.randomness import RandomDraw

DEFAULT_EXPLORATION_RATE: Final = 0.1
"""The share of posts that try another angle than the best (``CoreConfig.exploration_rate``)."""


@dataclass(frozen=True, slots=True)
class AngleChoice:
    """The chosen angle, whether it was an exploration, and why (stored as angle_reason)."""

    angle: ContentAngle
    is_exploration: bool
    reason: str


def candidate_angles(suggested: Sequence[ContentAngle]) -> tuple[ContentAngle, ...]:
    """The suggested angles without duplicates, in order; every angle when none is given."""
    unique = tuple(dict.fromkeys(ContentAngle(angle) for angle in suggested))
    return unique or tuple(ContentAngle)


def rank_angles(
    candidates: Sequence[ContentAngle], performance: Mapping[ContentAngle, float]
) -> list[ContentAngle]:
    """Candidates best first: by rate descending, angles without data last, then by order."""

    def key(indexed: tuple[int, ContentAngle]) -> tuple[bool, float, int]:
        index, angle = indexed
        rate = performance.get(angle)
        known = rate is not None and not math.isnan(rate)
        return (not known, -rate if known and rate is not None else 0.0, index)

    return [angle for _, angle in sorted(enumerate(candidates), key=key)]


def choose_angle(
    suggested: Sequence[ContentAngle],
    performance: Mapping[ContentAngle, float],
    rng: RandomDraw,
    exploration_rate: float,
) -> AngleChoice:
    """Pick the angle of a new post; ``performance`` maps angles to mean engagement rates."""
    if math.isnan(exploration_rate) or not 0.0 <= exploration_rate <= 1.0:
        raise ValidationError("exploration_rate", "must be between 0 and 1")
    ranked = rank_angles(candidate_angles(suggested), performance)
    best = ranked[0]
    others = ranked[1:]
    if others and rng.random() < exploration_rate:
        explored = rng.choice(others)
        return AngleChoice(
            angle=explored,
            is_exploration=True,
            reason=(
                f"exploration (rate {exploration_rate:.0%}): trying {explored} "
                f"instead of the best-performing {best}"
            ),
        )
    rate = performance.get(best)
    if rate is None or math.isnan(rate):
        reason = f"no recent engagement data; {best} is the first candidate"
    else:
        reason = f"best recent engagement rate ({rate:.2%}) among {len(ranked)} candidates"
    return AngleChoice(angle=best, is_exploration=False, reason=reason)
