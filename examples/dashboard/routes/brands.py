"""Brand profiles, and the links between a brand and the organisation's social accounts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from examples.dashboard.requests import ActorDep, RabbitDep, body
from examples.dashboard.views import view, views
from rabbit.commands import CreateBrand, LinkAccount, UpdateBrand

router = APIRouter(prefix="/organizations/{organization_id}/brands", tags=["brands"])


@router.post("", status_code=201)
async def create_brand(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    command: Annotated[CreateBrand, Depends(body(CreateBrand))],
) -> dict[str, Any]:
    return view(await rabbit.brands.create_brand(actor, organization_id, command))


@router.get("")
async def list_brands(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, include_deleted: bool = False
) -> list[dict[str, Any]]:
    return views(
        await rabbit.brands.list_brands(actor, organization_id, include_deleted=include_deleted)
    )


@router.get("/{brand_id}")
async def get_brand(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, brand_id: str
) -> dict[str, Any]:
    return view(await rabbit.brands.get_brand(actor, organization_id, brand_id))


@router.patch("/{brand_id}")
async def update_brand(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    brand_id: str,
    command: Annotated[UpdateBrand, Depends(body(UpdateBrand))],
) -> dict[str, Any]:
    """Change the fields the body sets; the others stay as they are."""
    return view(await rabbit.brands.update_brand(actor, organization_id, brand_id, command))


@router.delete("/{brand_id}", status_code=204)
async def delete_brand(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, brand_id: str
) -> Response:
    await rabbit.brands.delete_brand(actor, organization_id, brand_id)
    return Response(status_code=204)


@router.get("/{brand_id}/accounts", tags=["accounts"])
async def brand_accounts(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, brand_id: str
) -> list[dict[str, Any]]:
    return views(await rabbit.links.brand_accounts(actor, organization_id, brand_id))


@router.put("/{brand_id}/accounts/{account_id}", tags=["accounts"])
async def link_account(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    brand_id: str,
    account_id: str,
    command: Annotated[LinkAccount, Depends(body(LinkAccount))],
) -> dict[str, Any]:
    """Link (or re-link) an account to the brand; ``is_default`` makes it the brand's
    publishing account on its platform."""
    link = await rabbit.links.link_account(actor, organization_id, brand_id, account_id, command)
    return view(link)


@router.delete("/{brand_id}/accounts/{account_id}", status_code=204, tags=["accounts"])
async def unlink_account(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, brand_id: str, account_id: str
) -> Response:
    await rabbit.links.unlink_account(actor, organization_id, brand_id, account_id)
    return Response(status_code=204)
