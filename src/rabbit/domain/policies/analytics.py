"""Aggregations of published posts for the learning loop and the analytics views.

Callers pass the posts of the window (deleted ones already excluded). Means over engagement
rates skip posts without a rate (no impressions yet); a group with no rate at all has a
mean rate of None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from rabbit.domain.enums import ContentAngle, SocialPlatform
from rabbit.domain.model import Post

DEFAULT_ANALYTICS_WINDOW: Final = timedelta(days=30)
"""How far back published posts count for angle choice, pillar balance and the analytics
views (``CoreConfig.analytics_window``)."""


@dataclass(frozen=True, slots=True)
class AnglePerformance:
    angle: ContentAngle
    post_count: int
    mean_engagement: float
    """Mean of likes + comments + shares per post."""
    mean_engagement_rate: float | None


@dataclass(frozen=True, slots=True)
class PlatformPerformance:
    platform: SocialPlatform
    post_count: int
    likes: int
    comments: int
    shares: int
    mean_engagement_rate: float | None


def mean_rate(posts: Iterable[Post]) -> float | None:
    rates = [p.engagement_rate for p in posts if p.engagement_rate is not None]
    return sum(rates) / len(rates) if rates else None


def angle_performance(posts: Sequence[Post]) -> list[AnglePerformance]:
    """Per angle with at least one post, in enum order."""
    result = []
    for angle in ContentAngle:
        group = [p for p in posts if p.angle == angle]
        if group:
            result.append(
                AnglePerformance(
                    angle=angle,
                    post_count=len(group),
                    mean_engagement=sum(p.engagement for p in group) / len(group),
                    mean_engagement_rate=mean_rate(group),
                )
            )
    return result


def angle_rates(posts: Sequence[Post]) -> dict[ContentAngle, float]:
    """The mean engagement rate per angle, for angle choice (angles without a rate left out)."""
    return {
        entry.angle: entry.mean_engagement_rate
        for entry in angle_performance(posts)
        if entry.mean_engagement_rate is not None
    }


def platform_performance(posts: Sequence[Post]) -> list[PlatformPerformance]:
    """Per platform with at least one post, in enum order."""
    result = []
    for platform in SocialPlatform:
        group = [p for p in posts if p.platform == platform]
        if group:
            result.append(
                PlatformPerformance(
                    platform=platform,
                    post_count=len(group),
                    likes=sum(p.likes for p in group),
                    comments=sum(p.comments for p in group),
                    shares=sum(p.shares for p in group),
                    mean_engagement_rate=mean_rate(group),
                )
            )
    return result
