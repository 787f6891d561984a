"""Materials, schedules, generation and the review queue: the content loop of a brand."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from examples.dashboard.requests import ActorDep, RabbitDep, body
from examples.dashboard.views import view, views
from rabbit.commands import (
    ApprovePost,
    CreateSchedule,
    GeneratePost,
    RecordAnalysis,
    RejectPost,
    UpdateSchedule,
    UploadMaterial,
)
from rabbit.models import DEFAULT_PAGE, MAX_PAGE, MaterialStatus

router = APIRouter(prefix="/organizations/{organization_id}")

Cursor = Annotated[str | None, Query(description="the next_cursor of the previous page")]
Limit = Annotated[int, Query(description=f"rows of a page, 1 to {MAX_PAGE}")]


@router.post("/materials", status_code=201, tags=["materials"])
async def upload_material(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    command: Annotated[UploadMaterial, Depends(body(UploadMaterial))],
) -> dict[str, Any]:
    return view(await rabbit.materials.upload_material(actor, organization_id, command))


@router.get("/materials", tags=["materials"])
async def list_materials(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    brand_id: str | None = None,
    status: MaterialStatus | None = None,
    search: str | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
) -> dict[str, Any]:
    """Materials newest first, a page at a time: ``{"items", "next_cursor"}``."""
    page = await rabbit.materials.list_materials(
        actor,
        organization_id,
        brand_id=brand_id,
        status=status,
        search=search,
        cursor=cursor,
        limit=limit,
    )
    return view(page)


@router.post("/materials/{material_id}/analysis/start", tags=["materials"])
async def start_analysis(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, material_id: str
) -> dict[str, Any]:
    """UPLOADED → PROCESSING: an analysis worker took the material."""
    return view(await rabbit.materials.start_analysis(actor, organization_id, material_id))


@router.post("/materials/{material_id}/analysis", tags=["materials"])
async def record_analysis(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    material_id: str,
    command: Annotated[RecordAnalysis, Depends(body(RecordAnalysis))],
) -> dict[str, Any]:
    """PROCESSING → ANALYZED with what the analysis found."""
    material = await rabbit.materials.record_analysis(actor, organization_id, material_id, command)
    return view(material)


@router.post("/materials/{material_id}/embedding", tags=["materials"])
async def store_embedding(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, material_id: str
) -> dict[str, Any]:
    """ANALYZED → READY: the material's text embedded; posts may now be written from it."""
    return view(await rabbit.materials.store_embedding(actor, organization_id, material_id))


@router.post("/materials/{material_id}/archive", tags=["materials"])
async def archive_material(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, material_id: str
) -> dict[str, Any]:
    return view(await rabbit.materials.archive_material(actor, organization_id, material_id))


@router.post("/materials/{material_id}/unarchive", tags=["materials"])
async def unarchive_material(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, material_id: str
) -> dict[str, Any]:
    return view(await rabbit.materials.unarchive_material(actor, organization_id, material_id))


@router.post("/brands/{brand_id}/schedules", status_code=201, tags=["schedules"])
async def create_schedule(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    brand_id: str,
    command: Annotated[CreateSchedule, Depends(body(CreateSchedule))],
) -> dict[str, Any]:
    schedule = await rabbit.schedules.create_schedule(actor, organization_id, brand_id, command)
    return view(schedule)


@router.get("/schedules", tags=["schedules"])
async def list_schedules(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, brand_id: str | None = None
) -> list[dict[str, Any]]:
    return views(await rabbit.schedules.list_schedules(actor, organization_id, brand_id))


@router.patch("/schedules/{schedule_id}", tags=["schedules"])
async def update_schedule(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    schedule_id: str,
    command: Annotated[UpdateSchedule, Depends(body(UpdateSchedule))],
) -> dict[str, Any]:
    schedule = await rabbit.schedules.update_schedule(actor, organization_id, schedule_id, command)
    return view(schedule)


@router.post("/schedules/{schedule_id}/pause", tags=["schedules"])
async def pause_schedule(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, schedule_id: str
) -> dict[str, Any]:
    return view(await rabbit.schedules.pause_schedule(actor, organization_id, schedule_id))


@router.post("/schedules/{schedule_id}/resume", tags=["schedules"])
async def resume_schedule(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, schedule_id: str
) -> dict[str, Any]:
    """Active again from the first slot after now (missed slots are not run)."""
    return view(await rabbit.schedules.resume_schedule(actor, organization_id, schedule_id))


@router.post("/posts/generate", status_code=201, tags=["review"])
async def generate_post(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    command: Annotated[GeneratePost, Depends(body(GeneratePost))],
) -> list[dict[str, Any]]:
    """Write post(s) from a READY material now: PENDING for review, or APPROVED when the
    brand auto-approves (402 when the credits run out, 409 for a near-duplicate)."""
    return views(await rabbit.generations.generate_post(actor, organization_id, command))


@router.get("/review", tags=["review"])
async def review_queue(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    brand_id: str | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
) -> dict[str, Any]:
    """The PENDING posts (of one brand when asked) oldest first, a page at a time:
    ``{"items", "next_cursor"}``."""
    page = await rabbit.review.list_pending(
        actor, organization_id, brand_id=brand_id, cursor=cursor, limit=limit
    )
    return view(page)


@router.post("/review/{pending_post_id}/approve", tags=["review"])
async def approve(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    pending_post_id: str,
    command: Annotated[ApprovePost, Depends(body(ApprovePost))],
) -> dict[str, Any]:
    """Approve, optionally with edited content or hashtags."""
    post = await rabbit.review.approve(actor, organization_id, pending_post_id, command)
    return view(post)


@router.post("/review/{pending_post_id}/reject", tags=["review"])
async def reject(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    pending_post_id: str,
    command: Annotated[RejectPost, Depends(body(RejectPost))],
) -> dict[str, Any]:
    return view(await rabbit.review.reject(actor, organization_id, pending_post_id, command))
