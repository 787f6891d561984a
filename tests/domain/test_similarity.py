"""Similarity verdicts, the content hash and cosine similarity."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabbit.domain.errors import ValidationError
from rabbit.domain.policies.similarity import (
    DEFAULT_DEDUP_WINDOW,
    Verdict,
    content_hash,
    cosine_similarity,
    verdict,
)

ORDER = [Verdict.UNIQUE, Verdict.DIFFERENT_ENOUGH, Verdict.SIMILAR, Verdict.TOO_SIMILAR]
similarities = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(a=similarities, b=similarities)
def test_verdict_never_decreases_as_similarity_grows(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert ORDER.index(verdict(low)) <= ORDER.index(verdict(high))


@pytest.mark.parametrize(
    ("similarity", "expected"),
    [
        (0.0, Verdict.UNIQUE),
        (math.nextafter(0.5, 0), Verdict.UNIQUE),
        (0.5, Verdict.DIFFERENT_ENOUGH),
        (math.nextafter(0.7, 0), Verdict.DIFFERENT_ENOUGH),
        (0.7, Verdict.SIMILAR),
        (math.nextafter(0.85, 0), Verdict.SIMILAR),
        (0.85, Verdict.TOO_SIMILAR),
        (1.0, Verdict.TOO_SIMILAR),
    ],
)
def test_thresholds_belong_to_the_higher_band(similarity: float, expected: Verdict) -> None:
    assert verdict(similarity) is expected


def test_only_too_similar_is_skipped_and_only_similar_is_flagged() -> None:
    assert [v.proceeds for v in ORDER] == [True, True, True, False]
    assert [v.flagged for v in ORDER] == [False, False, True, False]


def test_nan_similarity_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        verdict(math.nan)
    assert error.value.field == "similarity"


def test_dedup_window_is_thirty_days() -> None:
    assert DEFAULT_DEDUP_WINDOW.days == 30


# Letters whose upper and swapped case fold back to their own case fold ("ı" does not:
# its upper case is "I", which folds to "i").
letters = st.characters(categories=["L", "N"]).filter(
    lambda c: c.upper().casefold() == c.casefold() == c.swapcase().casefold()
)
words = st.lists(st.text(alphabet=letters, min_size=1), min_size=1)
spaces = st.text(alphabet=" \t\n\u00a0\u2003", min_size=1, max_size=3)


@settings(max_examples=200, deadline=None)
@given(tokens=words, data=st.data())
def test_content_hash_ignores_whitespace_and_case(tokens: list[str], data: st.DataObject) -> None:
    separators = [data.draw(spaces) for _ in tokens]
    spaced = data.draw(spaces) + "".join(t + s for t, s in zip(tokens, separators, strict=True))
    original = " ".join(tokens)

    assert content_hash(spaced.upper()) == content_hash(original)
    assert content_hash(original.swapcase()) == content_hash(original.lower())


def test_content_hash_is_sixteen_hex_characters_of_sha256() -> None:
    # sha256("hello world") = b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9
    assert content_hash("  Hello\n\tWORLD ") == "b94d27b9934d3e08"


def test_content_hash_tells_different_words_apart() -> None:
    assert content_hash("launch day") != content_hash("lunch day")


def test_content_hash_folds_compatibility_forms() -> None:
    assert content_hash("ｆｉｌｅ") == content_hash("file")  # full-width letters, ligature


vectors = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=16)


@settings(max_examples=200, deadline=None)
@given(vector=vectors, scale=st.floats(0.01, 100))
def test_cosine_of_a_vector_with_its_scaling_is_one(vector: list[float], scale: float) -> None:
    if math.fsum(v * v for v in vector) < 1e-6:
        vector = [1.0, *vector]
    assert cosine_similarity(vector, [v * scale for v in vector]) == pytest.approx(1.0)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=st.integers(1, 16))
def test_cosine_is_symmetric_and_bounded(data: st.DataObject, size: int) -> None:
    same_size = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=size, max_size=size)
    left, right = data.draw(same_size), data.draw(same_size)

    value = cosine_similarity(left, right)

    assert -1.0 <= value <= 1.0
    assert value == pytest.approx(cosine_similarity(right, left))


def test_cosine_of_orthogonal_and_opposite_vectors() -> None:
    assert cosine_similarity([1.0, 0.0], [0.0, 2.0]) == 0.0
    assert cosine_similarity([1.0, 2.0], [-1.0, -2.0]) == pytest.approx(-1.0)


def test_cosine_needs_equal_lengths() -> None:
    with pytest.raises(ValidationError) as error:
        cosine_similarity([1.0], [1.0, 2.0])
    assert error.value.field == "embedding"
