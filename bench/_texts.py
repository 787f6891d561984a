"""Distinct material texts: random pseudo-words, so no two texts are near duplicates (the
dedup check would otherwise skip them as too similar)."""

from __future__ import annotations

import random

_SYLLABLES = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"]


def texts(count: int, *, seed: int = 1, words: int = 40) -> list[str]:
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(4000)
    ]
    return [
        " ".join(rng.choice(vocabulary) for _ in range(words)).capitalize() + "."
        for _ in range(count)
    ]
