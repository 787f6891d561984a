"""What the dashboard's front page shows: counts, and how platforms and angles perform."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from examples.dashboard.requests import ActorDep, RabbitDep
from examples.dashboard.views import view, views

router = APIRouter(prefix="/organizations/{organization_id}", tags=["analytics"])

WindowDays = Annotated[int | None, Query(ge=1, le=3650, description="days back from now")]


def _window(days: int | None) -> timedelta | None:
    return None if days is None else timedelta(days=days)


@router.get("/analytics/dashboard")
async def dashboard(rabbit: RabbitDep, actor: ActorDep, organization_id: str) -> dict[str, Any]:
    """Active brands, posts of the last 30 days, READY materials, credits left."""
    return view(await rabbit.analytics.dashboard(actor, organization_id))


@router.get("/analytics/platforms")
async def platform_performance(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, window_days: WindowDays = None
) -> list[dict[str, Any]]:
    found = await rabbit.analytics.platform_performance(
        actor, organization_id, _window(window_days)
    )
    return views(found)


@router.get("/brands/{brand_id}/analytics/angles")
async def angle_performance(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    brand_id: str,
    window_days: WindowDays = None,
) -> list[dict[str, Any]]:
    found = await rabbit.analytics.angle_performance(
        actor, organization_id, brand_id, _window(window_days)
    )
    return views(found)
