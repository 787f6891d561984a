"""Published posts, one pending post and its publish attempts, and a safe retry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter

from examples.dashboard.requests import ActorDep, RabbitDep
from examples.dashboard.routes.content import Cursor, Limit
from examples.dashboard.views import view, views
from rabbit.commands import SocialPlatform
from rabbit.models import DEFAULT_PAGE

router = APIRouter(prefix="/organizations/{organization_id}", tags=["posts"])
PENDING = "/pending-posts/{pending_post_id}"


@router.get("/posts")
async def published_posts(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    brand_id: str | None = None,
    platform: SocialPlatform | None = None,
    published_from: datetime | None = None,
    published_before: datetime | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
) -> dict[str, Any]:
    """Published posts newest first, with their metrics, a page at a time."""
    page = await rabbit.posts.list_published(
        actor,
        organization_id,
        brand_id=brand_id,
        platform=platform,
        published_from=published_from,
        published_before=published_before,
        cursor=cursor,
        limit=limit,
    )
    return view(page)


@router.get(PENDING)
async def pending_post(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, pending_post_id: str
) -> dict[str, Any]:
    """One generated post, whatever its status (pending, approved, published, …)."""
    return view(await rabbit.review.get_pending(actor, organization_id, pending_post_id))


@router.get(PENDING + "/attempts")
async def publish_attempts(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, pending_post_id: str
) -> list[dict[str, Any]]:
    """Every try to publish it, platform by platform."""
    attempts = await rabbit.posts.publish_attempts(actor, organization_id, pending_post_id)
    return views(attempts)


@router.post(PENDING + "/platforms/{platform}/retry")
async def retry_publication(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    pending_post_id: str,
    platform: SocialPlatform,
) -> dict[str, Any]:
    """Publish it on ``platform`` now, if that can help; never twice (``outcome`` says what
    happened: PUBLISHED, ALREADY_PUBLISHED, NOT_DUE, IN_FLIGHT, …)."""
    retry = await rabbit.posts.retry_publication(actor, organization_id, pending_post_id, platform)
    return view(retry)
