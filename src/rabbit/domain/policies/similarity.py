"""How alike two contents are, what that means for a new post, and the exact-duplicate hash.

Similarity is 1 - cosine distance. Thresholds (docs/behaviour.md#deduplication), each bound
belonging to the
higher band: below 0.5 UNIQUE; [0.5, 0.7) DIFFERENT_ENOUGH; [0.7, 0.85) SIMILAR (proceed,
flag it); 0.85 and above TOO_SIMILAR (skip the material, pick another).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum
from typing import Final

from rabbit.domain.errors import ValidationError

DIFFERENT_ENOUGH_FROM: Final = 0.5
SIMILAR_FROM: Final = 0.7
TOO_SIMILAR_FROM: Final = 0.85
DEFAULT_DEDUP_WINDOW: Final = timedelta(days=30)
"""Only the organisation's content of this window counts for deduplication (the default of
``CoreConfig.dedup_window``)."""
CONTENT_HASH_LENGTH: Final = 16

_WHITESPACE = re.compile(r"\s+")


class Verdict(StrEnum):
    UNIQUE = "UNIQUE"
    DIFFERENT_ENOUGH = "DIFFERENT_ENOUGH"
    SIMILAR = "SIMILAR"
    TOO_SIMILAR = "TOO_SIMILAR"

    @property
    def proceeds(self) -> bool:
        """Whether a post with this verdict may go ahead (only TOO_SIMILAR is skipped)."""
        return self is not Verdict.TOO_SIMILAR

    @property
    def flagged(self) -> bool:
        """Whether the post goes ahead but is marked as similar to recent content."""
        return self is Verdict.SIMILAR


def verdict(similarity: float) -> Verdict:
    """The band of a similarity; NaN is refused (ValidationError("similarity"))."""
    if math.isnan(similarity):
        raise ValidationError("similarity", "must be a number")
    if similarity >= TOO_SIMILAR_FROM:
        return Verdict.TOO_SIMILAR
    if similarity >= SIMILAR_FROM:
        return Verdict.SIMILAR
    if similarity >= DIFFERENT_ENOUGH_FROM:
        return Verdict.DIFFERENT_ENOUGH
    return Verdict.UNIQUE


def normalise_text(text: str) -> str:
    """The form hashed for exact duplicates.

    Unicode NFKC (so compatibility forms such as full-width letters or ligatures compare
    equal), then casefold (case-insensitive, including ß/ss), then every run of whitespace
    becomes one space, then leading and trailing space is stripped. Punctuation is kept: it
    changes meaning often enough ("Let's eat, grandma").
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WHITESPACE.sub(" ", folded).strip()


def content_hash(text: str) -> str:
    """The first 16 hex characters of the SHA-256 of the normalised UTF-8 text."""
    digest = hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()
    return digest[:CONTENT_HASH_LENGTH]


def cosine_similarity(left: Sequence[float], right: Sequence[float]) -> float:
    """1 - cosine distance of two equal-length vectors; 0.0 when either is all zeros."""
    if len(left) != len(right):
        raise ValidationError("embedding", "vectors must have the same length")
    dot = math.fsum(a * b for a, b in zip(left, right, strict=True))
    norm = math.sqrt(math.fsum(a * a for a in left)) * math.sqrt(math.fsum(b * b for b in right))
    if norm == 0:
        return 0.0
    return max(-1.0, min(1.0, dot / norm))
