"""A seeded random source, so every random choice of the core is reproducible."""

from __future__ import annotations

import math
import random as _random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class SeededRandom:
    """The RandomSource port over :class:`random.Random` (not for secrets)."""

    def __init__(self, seed: int | str | None = None) -> None:
        self._random = _random.Random(seed)

    def random(self) -> float:
        return self._random.random()

    def choice(self, items: Sequence[T]) -> T:
        if not items:
            raise ValueError("cannot choose from an empty sequence")
        return self._random.choice(items)

    def weighted_choice(self, items: Sequence[T], weights: Sequence[float]) -> T:
        if len(items) != len(weights):
            raise ValueError("items and weights differ in length")
        if not items:
            raise ValueError("cannot choose from an empty sequence")
        if any(w < 0 or not math.isfinite(w) for w in weights):
            raise ValueError("weights must be finite and non-negative")
        if not any(w > 0 for w in weights):
            raise ValueError("at least one weight must be positive")
        return self._random.choices(items, weights=weights, k=1)[0]
