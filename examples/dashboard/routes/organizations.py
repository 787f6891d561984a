"""Sign-up, organisations and their members."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from examples.dashboard.requests import ActorDep, RabbitDep, body, services
from examples.dashboard.views import view, views
from rabbit.commands import (
    ChangeRole,
    CreateOrganization,
    InviteMember,
    RegisterUser,
)

router = APIRouter(tags=["organisations"])
ORG = "/organizations/{organization_id}"


@router.post("/users", status_code=201)
async def sign_up(
    request: Request, command: Annotated[RegisterUser, Depends(body(RegisterUser))]
) -> dict[str, Any]:
    """Register a user; the answer holds the bearer token for every other route."""
    found = services(request)
    user = await found.rabbit.organizations.register_user(command)
    return {"user": view(user), "token": found.signer.issue(user.id)}


@router.get("/me")
async def me(rabbit: RabbitDep, actor: ActorDep) -> dict[str, Any]:
    """The acting user's own account."""
    return view(await rabbit.organizations.get_me(actor))


@router.get("/me/organizations")
async def my_organizations(rabbit: RabbitDep, actor: ActorDep) -> list[dict[str, Any]]:
    """The organisations the acting user belongs to or is invited to, with their role."""
    return views(await rabbit.organizations.list_my_organizations(actor))


@router.post("/organizations", status_code=201)
async def create_organization(
    rabbit: RabbitDep,
    actor: ActorDep,
    command: Annotated[CreateOrganization, Depends(body(CreateOrganization))],
) -> dict[str, Any]:
    """A new organisation, owned by the acting user, in its trial."""
    return view(await rabbit.organizations.create_organization(actor, command))


@router.get(ORG + "/members")
async def list_members(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str
) -> list[dict[str, Any]]:
    return views(await rabbit.organizations.list_members(actor, organization_id))


@router.post(ORG + "/members", status_code=201)
async def invite_member(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    command: Annotated[InviteMember, Depends(body(InviteMember))],
) -> dict[str, Any]:
    """Invite a registered user (by id) with a role; they join with ``/invitation/accept``."""
    return view(await rabbit.organizations.invite_member(actor, organization_id, command))


@router.post(ORG + "/invitation/accept")
async def accept_invitation(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str
) -> dict[str, Any]:
    return view(await rabbit.organizations.accept_invitation(actor, organization_id))


@router.put(ORG + "/members/{user_id}/role")
async def change_role(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    user_id: str,
    command: Annotated[ChangeRole, Depends(body(ChangeRole))],
) -> dict[str, Any]:
    return view(await rabbit.organizations.change_role(actor, organization_id, user_id, command))


@router.delete(ORG + "/members/{user_id}", status_code=204)
async def remove_member(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, user_id: str
) -> Response:
    await rabbit.organizations.remove_member(actor, organization_id, user_id)
    return Response(status_code=204)


@router.get(ORG + "/billing/balance", tags=["billing"])
async def balance(rabbit: RabbitDep, actor: ActorDep, organization_id: str) -> dict[str, Any]:
    """The current period's credits (changed only by the payment provider, never here)."""
    return view(await rabbit.billing.balance(actor, organization_id))


@router.get(ORG + "/billing/ledger", tags=["billing"])
async def ledger(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, current_period_only: bool = False
) -> list[dict[str, Any]]:
    return views(
        await rabbit.billing.ledger(actor, organization_id, current_period_only=current_period_only)
    )
