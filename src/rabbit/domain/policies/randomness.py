"""The random draws a policy may make, as a structural type.

The domain must not import the application layer, so it declares the few methods it needs;
the application's ``RandomSource`` port satisfies this protocol structurally, and so does a
seeded ``random.Random`` wrapper in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class RandomDraw(Protocol):
    def random(self) -> float:
        """A float uniformly drawn from [0, 1)."""
        ...

    def choice(self, items: Sequence[T]) -> T:
        """One item uniformly drawn from a non-empty sequence."""
        ...

    def weighted_choice(self, items: Sequence[T], weights: Sequence[float]) -> T:
        """One item drawn with probability proportional to its non-negative weight."""
        ...
