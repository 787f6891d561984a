"""Metrics recording and the analytics views."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rabbit.application.use_cases.metrics import RecordMetrics
from rabbit.application.use_cases.review import ApprovePost
from rabbit.domain.enums import ContentAngle, MemberRole, SocialPlatform
from rabbit.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from rabbit.domain.model import Post

from .app import App
from .content_support import LI, TOPICS, World, X, world


async def published(
    w: World,
    topic: str,
    angle: ContentAngle,
    platforms: tuple[SocialPlatform, ...] = (X,),
) -> list[Post]:
    """A post published from a new material whose only suggested angle is ``angle``."""
    material = await w.ready_material(topic, angles=(angle,))
    await w.generate(material, platforms)
    await w.content.publishing.publish_due(w.app.clock.now())
    async with w.app.ports.uow() as uow:
        return [p for p in await uow.posts.find(w.org) if p.material_id == material.id]


async def test_recording_metrics_updates_the_post_and_appends_history(app: App) -> None:
    w = await world(app)
    (post,) = await published(w, TOPICS[0], ContentAngle.EDUCATIONAL)
    metrics = w.content.metrics
    await metrics.record_metrics(w.org, post.id, RecordMetrics(likes=5, impressions=0))
    app.tick()
    updated = await metrics.record_metrics(
        w.org, post.id, RecordMetrics(likes=10, comments=5, shares=3, clicks=2, impressions=200)
    )
    assert updated.engagement_rate == pytest.approx(0.1)
    assert updated.metrics_updated_at == app.clock.now()
    async with app.ports.uow() as uow:
        history = await uow.post_metrics.list_for_post(w.org, post.id)
        stored = await uow.posts.get(w.org, post.id, for_update=True)
    assert [(m.likes, m.engagement_rate) for m in history] == [(5, None), (10, pytest.approx(0.1))]
    assert stored is not None
    assert (stored.likes, stored.clicks) == (10, 2)


async def test_negative_counters_and_unknown_posts_are_refused(app: App) -> None:
    w = await world(app)
    with pytest.raises(ValidationError) as error:
        RecordMetrics(likes=-1)
    assert error.value.field == "likes"
    with pytest.raises(NotFoundError):
        await w.content.metrics.record_metrics(w.org, "missing", RecordMetrics())


async def test_angle_performance_means_per_angle_without_deleted_posts(app: App) -> None:
    w = await world(app)
    (a,) = await published(w, TOPICS[0], ContentAngle.EDUCATIONAL)
    (b,) = await published(w, TOPICS[1], ContentAngle.EDUCATIONAL)
    (c,) = await published(w, TOPICS[2], ContentAngle.STORYTELLING)
    (gone,) = await published(w, TOPICS[3], ContentAngle.STORYTELLING)
    m = w.content.metrics
    await m.record_metrics(w.org, a.id, RecordMetrics(likes=10, comments=2, impressions=100))
    await m.record_metrics(w.org, b.id, RecordMetrics(likes=4, shares=4, impressions=0))
    await m.record_metrics(w.org, c.id, RecordMetrics(likes=1, impressions=10))
    await m.record_metrics(w.org, gone.id, RecordMetrics(likes=999, impressions=1000))
    async with app.ports.uow() as uow:
        stored = await uow.posts.get(w.org, gone.id, for_update=True)
        assert stored is not None
        stored.deleted_at = app.clock.now()
        await uow.posts.update(stored)
        await uow.commit()
    rows = await w.content.analytics.angle_performance(w.owner, w.org, w.brand)
    as_tuples = [(r.angle, r.post_count, r.mean_engagement, r.mean_engagement_rate) for r in rows]
    assert as_tuples == [
        (ContentAngle.STORYTELLING, 1, 1.0, pytest.approx(0.1)),
        (ContentAngle.EDUCATIONAL, 2, 10.0, pytest.approx(0.12)),
    ]


async def test_platform_performance_sums_per_platform(app: App) -> None:
    w = await world(app)
    posts = await published(w, TOPICS[0], ContentAngle.EDUCATIONAL, (X, LI))
    for post in posts:
        likes = 7 if post.platform == X else 3
        await w.content.metrics.record_metrics(
            w.org, post.id, RecordMetrics(likes=likes, comments=1, impressions=100)
        )
    rows = await w.content.analytics.platform_performance(w.owner, w.org)
    assert [(r.platform, r.post_count, r.likes, r.comments, r.shares) for r in rows] == [
        (X, 1, 7, 1, 0),
        (LI, 1, 3, 1, 0),
    ]
    assert [r.mean_engagement_rate for r in rows] == [pytest.approx(0.08), pytest.approx(0.04)]
    app.clock.advance(timedelta(days=31))
    assert await w.content.analytics.platform_performance(w.owner, w.org) == []


async def test_the_dashboard_counts_brands_posts_materials_and_credits(app: App) -> None:
    w = await world(app)
    await app.brand(w.org, w.owner, "Second")
    await published(w, TOPICS[0], ContentAngle.EDUCATIONAL, (X, LI))
    await w.ready_material(TOPICS[1])
    dashboard = await w.content.analytics.dashboard(w.owner, w.org)
    assert dashboard.active_brands == 2
    assert dashboard.posts_last_30_days == 2
    assert dashboard.ready_materials == 1  # the published one is USED
    assert dashboard.credits_remaining == await w.credits()


async def test_analytics_need_membership(app: App) -> None:
    w = await world(app)
    stranger, _ = await app.organization("other")
    with pytest.raises(NotFoundError):
        await w.content.analytics.dashboard(w.owner, stranger)
    viewer = await app.member(w.org, w.owner, MemberRole.VIEWER)
    assert (await w.content.analytics.dashboard(viewer, w.org)).active_brands == 1
    with pytest.raises(PermissionDeniedError):
        await w.content.review.approve(viewer, w.org, "any", ApprovePost())
