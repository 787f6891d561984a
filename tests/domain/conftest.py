"""Shared fixtures of the domain tests: a seeded random draw behind the RandomDraw protocol."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TypeVar

import pytest

from rabbit.domain.policies.randomness import RandomDraw

T = TypeVar("T")


class SeededDraw:
    """A reproducible RandomDraw over ``random.Random`` (what a fake RandomSource does)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def random(self) -> float:
        return self._random.random()

    def choice(self, items: Sequence[T]) -> T:
        if not items:
            raise ValueError("empty sequence")
        return self._random.choice(items)

    def weighted_choice(self, items: Sequence[T], weights: Sequence[float]) -> T:
        if not items or len(items) != len(weights) or not any(w > 0 for w in weights):
            raise ValueError("bad weights")
        return self._random.choices(items, weights=weights, k=1)[0]


@pytest.fixture(scope="session")
def make_draw() -> Callable[[int], RandomDraw]:
    """A factory of seeded draws; session-scoped so hypothesis tests may use it."""
    return SeededDraw
