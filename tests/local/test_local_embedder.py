"""The hashing embedder: shape, determinism, and similarity that means something."""

from __future__ import annotations

import math
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rabbit.domain.model import EMBEDDING_DIMENSIONS
from rabbit_local import HashingEmbedder

embedder = HashingEmbedder()


def similarity(a: str, b: str) -> float:
    va, vb = embedder.embed_one(a), embedder.embed_one(b)
    return math.fsum(x * y for x, y in zip(va, vb, strict=True))


async def test_one_unit_vector_of_768_floats_per_text_in_order() -> None:
    texts = ["Fresh coffee, roasted daily.", "", "Winter jackets on sale"]
    vectors = await embedder.embed(texts)
    assert len(vectors) == 3
    for vector in vectors:
        assert len(vector) == EMBEDDING_DIMENSIONS
        assert math.fsum(x * x for x in vector) == pytest.approx(1.0)
    assert vectors[2] == embedder.embed_one("Winter jackets on sale")


def test_empty_text_has_a_fixed_unit_vector() -> None:
    assert embedder.embed_one("") == embedder.embed_one("  ?! ")
    assert math.fsum(x * x for x in embedder.embed_one("")) == pytest.approx(1.0)


def test_the_same_text_gives_the_same_vector_in_a_new_embedder() -> None:
    text = "Meet the lunchbox that keeps food warm for six hours."
    assert HashingEmbedder().embed_one(text) == embedder.embed_one(text)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            "Our new running shoes keep your feet dry on every rainy morning jog.",
            "Our new running shoes keep your feet dry on every rainy evening jog.",
            id="one-word-changed",
        ),
        pytest.param(
            "Save 20% on all winter jackets this weekend only!",
            "save 20% on all winter jackets, this weekend only",
            id="case-and-punctuation",
        ),
        pytest.param(
            "Discover how our project management app helps remote teams ship faster.",
            "Discover how our project management tool helps remote teams ship faster.",
            id="synonym-swapped",
        ),
        pytest.param(
            "Fresh coffee beans, roasted daily in small batches in our Lisbon shop.",
            "Fresh coffee beans, roasted daily in small batches in our Porto shop.",
            id="place-changed",
        ),
    ],
)
def test_near_identical_texts_are_too_similar(first: str, second: str) -> None:
    assert similarity(first, second) > 0.85


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            "Our new running shoes keep your feet dry on every rainy morning jog.",
            "Learn how to automate your quarterly tax filings with our accounting software.",
            id="shoes-vs-tax",
        ),
        pytest.param(
            "Save 20% on all winter jackets this weekend only!",
            "Meet the engineers behind our award-winning cloud security platform.",
            id="jackets-vs-security",
        ),
        pytest.param(
            "Fresh coffee beans, roasted daily in small batches.",
            "Our customer success team helped Acme cut onboarding time in half.",
            id="coffee-vs-onboarding",
        ),
        pytest.param(
            "Introducing the all-new electric SUV with 500 km of range.",
            "Our yoga retreat in Bali offers daily meditation and vegan meals.",
            id="car-vs-yoga",
        ),
    ],
)
def test_unrelated_texts_are_unique(first: str, second: str) -> None:
    assert similarity(first, second) < 0.5


VOCABULARY = (
    "brand",
    "launch",
    "coffee",
    "summer",
    "sale",
    "team",
    "product",
    "customer",
    "guide",
    "story",
    "week",
    "city",
    "design",
    "fresh",
    "simple",
    "quality",
    "service",
    "garden",
    "travel",
    "music",
    "data",
    "cloud",
    "health",
    "family",
)
words = st.sampled_from(VOCABULARY)


@given(st.lists(words, min_size=25, max_size=40), st.data())
def test_a_long_text_with_one_word_replaced_stays_too_similar(
    text_words: list[str], data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(text_words) - 1))
    edited = [*text_words]
    edited[position] = data.draw(st.sampled_from(["zebra", "quantum", "velvet", "orbit"]))
    assert similarity(" ".join(text_words), " ".join(edited)) > 0.85


@given(st.text(alphabet=string.ascii_letters + " ,.!?", max_size=200))
def test_case_and_punctuation_do_not_matter(text: str) -> None:
    assert embedder.embed_one(text) == embedder.embed_one(f"  {text.upper()}!! ")
