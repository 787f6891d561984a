"""The engagement rate of a post."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabbit.domain.errors import ValidationError
from rabbit.domain.policies.engagement import engagement_rate

counts = st.integers(min_value=0, max_value=10**9)


@settings(max_examples=300, deadline=None)
@given(likes=counts, comments=counts, shares=counts, clicks=counts, impressions=counts)
def test_rate_is_interactions_per_impression_and_none_without_impressions(
    likes: int, comments: int, shares: int, clicks: int, impressions: int
) -> None:
    rate = engagement_rate(likes, comments, shares, clicks, impressions)

    if impressions == 0:
        assert rate is None
    else:
        assert rate is not None
        assert rate >= 0
        assert rate == pytest.approx((likes + comments + shares + clicks) / impressions)


@settings(max_examples=200, deadline=None)
@given(impressions=st.integers(min_value=1, max_value=10**9), data=st.data())
def test_rate_stays_within_zero_and_one_when_interactions_do_not_exceed_impressions(
    impressions: int, data: st.DataObject
) -> None:
    remaining = impressions
    parts: list[int] = []
    for _ in range(4):
        part = data.draw(st.integers(0, remaining))
        parts.append(part)
        remaining -= part
    likes, comments, shares, clicks = parts

    rate = engagement_rate(likes, comments, shares, clicks, impressions)

    assert rate is not None
    assert 0.0 <= rate <= 1.0


def test_known_example() -> None:
    assert engagement_rate(10, 5, 3, 2, 400) == 0.05


@pytest.mark.parametrize("field", ["likes", "comments", "shares", "clicks", "impressions"])
def test_a_negative_counter_is_refused_by_name(field: str) -> None:
    values = {"likes": 1, "comments": 1, "shares": 1, "clicks": 1, "impressions": 10, field: -1}

    with pytest.raises(ValidationError) as error:
        engagement_rate(**values)

    assert error.value.field == field
