"""The embedder port: text to a 768-dimensional vector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Embedder(Protocol):
    """Turns text into a vector of ``EMBEDDING_DIMENSIONS`` (768) floats, L2-normalised.

    Deterministic for a given model: the same text always gives the same vector. Similar
    texts give a cosine similarity near 1, unrelated ones near 0.
    """

    async def embed(self, texts: Sequence[str]) -> list[tuple[float, ...]]:
        """One vector per text, in the order given."""
        ...
