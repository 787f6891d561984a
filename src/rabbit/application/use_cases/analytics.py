"""Analytics views (VIEW_ANALYTICS): angle and platform performance, and the dashboard.

Windows default to ``CoreConfig.analytics_window`` (30 days) back from the clock's now and
count posts by ``published_at``; deleted posts never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rabbit.application.authorization import authorize
from rabbit.application.ports import Clock, UnitOfWorkFactory
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._lookups import existing_brand
from rabbit.domain.enums import MaterialStatus
from rabbit.domain.policies.analytics import (
    AnglePerformance,
    PlatformPerformance,
    angle_performance,
    platform_performance,
)
from rabbit.domain.policies.permissions import Permission

DASHBOARD_WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Dashboard:
    active_brands: int
    posts_last_30_days: int
    ready_materials: int
    credits_remaining: int


class Analytics(UseCases):
    def __init__(
        self, *, uow: UnitOfWorkFactory, clock: Clock, analytics_window: timedelta
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._analytics_window = analytics_window

    async def angle_performance(
        self,
        actor_id: str,
        organization_id: str,
        brand_id: str,
        window: timedelta | None = None,
    ) -> list[AnglePerformance]:
        since = self._clock.now() - (window or self._analytics_window)
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            await existing_brand(uow, organization_id, brand_id)
            posts = await uow.posts.find(organization_id, brand_id=brand_id, published_since=since)
        return angle_performance(posts)

    async def platform_performance(
        self, actor_id: str, organization_id: str, window: timedelta | None = None
    ) -> list[PlatformPerformance]:
        since = self._clock.now() - (window or self._analytics_window)
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            posts = await uow.posts.find(organization_id, published_since=since)
        return platform_performance(posts)

    async def dashboard(self, actor_id: str, organization_id: str) -> Dashboard:
        since = self._clock.now() - DASHBOARD_WINDOW
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            brands = await uow.brands.find(organization_id)
            published = await uow.posts.count_published(organization_id, since=since)
            ready = await uow.materials.count(organization_id, statuses=[MaterialStatus.READY])
            subscription = await uow.subscriptions.get(organization_id)
        return Dashboard(
            active_brands=len(brands),
            posts_last_30_days=published,
            ready_materials=ready,
            credits_remaining=subscription.credits_remaining if subscription else 0,
        )
