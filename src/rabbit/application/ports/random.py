"""The random source port, so that every random choice of the core is reproducible."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class RandomSource(Protocol):
    def random(self) -> float:
        """A float uniformly drawn from [0, 1)."""
        ...

    def choice(self, items: Sequence[T]) -> T:
        """One item uniformly drawn from a non-empty sequence (ValueError when empty)."""
        ...

    def weighted_choice(self, items: Sequence[T], weights: Sequence[float]) -> T:
        """One item drawn with probability proportional to its non-negative weight.

        Raises ValueError when the sequences differ in length, are empty, or every weight
        is zero.
        """
        ...
