"""A local, deterministic embedder: hashed character n-grams and words into 768 dimensions.

No network and no model download. Texts that share most of their character n-grams (the
same sentence with a word changed, different case or punctuation) get vectors with a cosine
similarity near 1; texts about different things share few n-grams and score low. Signed
feature hashing (the sign from another bit of the hash) makes collisions cancel out on
average instead of inflating similarity. A real model plugs in behind the same port.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from rabbit.domain.model import EMBEDDING_DIMENSIONS

_NON_WORD = re.compile(r"[^\w]+")
_CHAR_NGRAM_SIZES = (3, 4)
_WORD_WEIGHT = 1.0
_CHAR_WEIGHT = 1.0


def normalise(text: str) -> str:
    """Compatibility-normalised, case-folded words separated by single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).replace("_", " ").split())


def features(text: str) -> Counter[str]:
    """Weighted features of a normalised text: word unigrams and character 3- and 4-grams
    (taken over the text padded with spaces, so word boundaries count)."""
    counts: Counter[str] = Counter()
    for word in text.split():
        counts[f"w:{word}"] += 1
    padded = f" {text} "
    for size in _CHAR_NGRAM_SIZES:
        for start in range(len(padded) - size + 1):
            counts[f"c{size}:{padded[start : start + size]}"] += 1
    return counts


def _slot(feature: str, dimensions: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "big")
    sign = 1.0 if value & 1 else -1.0
    return (value >> 1) % dimensions, sign


class HashingEmbedder:
    """The Embedder port without a model. Deterministic across runs and machines."""

    def __init__(self, dimensions: int = EMBEDDING_DIMENSIONS) -> None:
        if dimensions < 2:
            raise ValueError("dimensions must be at least 2")
        self._dimensions = dimensions

    async def embed(self, texts: Sequence[str]) -> list[tuple[float, ...]]:
        return [self.embed_one(text) for text in texts]

    def embed_one(self, text: str) -> tuple[float, ...]:
        vector = [0.0] * self._dimensions
        for feature, count in features(normalise(text)).items():
            index, sign = _slot(feature, self._dimensions)
            weight = _WORD_WEIGHT if feature.startswith("w:") else _CHAR_WEIGHT
            vector[index] += sign * weight * (1.0 + math.log(count))
        norm = math.sqrt(math.fsum(x * x for x in vector))
        if norm == 0.0:
            # Empty (or punctuation-only) text: a fixed unit vector, so it is still valid.
            return tuple(1.0 if i == 0 else 0.0 for i in range(self._dimensions))
        return tuple(x / norm for x in vector)
