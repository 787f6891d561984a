"""The engagement rate of a post (docs/behaviour.md#metrics-and-analytics)."""

from __future__ import annotations

from rabbit.domain.errors import ValidationError


def engagement_rate(
    likes: int, comments: int, shares: int, clicks: int, impressions: int
) -> float | None:
    """(likes + comments + shares + clicks) / impressions; None when there were no impressions.

    Counters come from platforms and are never negative; a negative one is refused with a
    ValidationError naming it. The rate may exceed 1 (a platform can count more interactions
    than impressions), so it is not clamped.
    """
    counters = {
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "clicks": clicks,
        "impressions": impressions,
    }
    for name, value in counters.items():
        if value < 0:
            raise ValidationError(name, "must not be negative")
    if impressions == 0:
        return None
    return (likes + comments + shares + clicks) / impressions
