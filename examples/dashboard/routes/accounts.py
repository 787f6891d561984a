"""Social accounts, and the local platform's stand-in for an OAuth consent screen.

Connecting an account proves ownership: the platform is asked whose the access token is.
With the local recording platform plugged in (the default adapter), ``POST
/local-platform/{platform}/tokens`` plays the platform's part and hands out a token for an
account id, as its OAuth flow would; a real platform client replaces both.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from examples.dashboard.requests import ActorDep, RabbitDep, body, services
from examples.dashboard.views import view, views
from rabbit.commands import Command, ConnectAccount, SocialPlatform
from rabbit.errors import NotFoundError

router = APIRouter(tags=["accounts"])
ACCOUNTS = "/organizations/{organization_id}/accounts"


class TokenRequest(Command):
    """Which platform account the local platform issues a token for (a command like the
    core's, so a bad body is the same 422 naming the field)."""

    account_id: str = Field(min_length=1, max_length=200)


@router.post("/local-platform/{platform}/tokens", status_code=201)
async def issue_platform_token(
    request: Request,
    platform: SocialPlatform,
    command: Annotated[TokenRequest, Depends(body(TokenRequest))],
) -> dict[str, str]:
    """The local platform issues an access token for ``account_id`` (development only)."""
    local = services(request).platform
    if local is None:
        raise NotFoundError("platform", "local")
    return {"access_token": local.issue_token(platform, command.account_id)}


@router.post(ACCOUNTS, status_code=201)
async def connect_account(
    rabbit: RabbitDep,
    actor: ActorDep,
    organization_id: str,
    command: Annotated[ConnectAccount, Depends(body(ConnectAccount))],
) -> dict[str, Any]:
    """Connect the platform account the access token belongs to (422 naming
    ``access_token`` or ``account_id`` when the platform disagrees)."""
    return view(await rabbit.social_accounts.connect_account(actor, organization_id, command))


@router.get(ACCOUNTS)
async def list_accounts(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, include_deleted: bool = False
) -> list[dict[str, Any]]:
    accounts = await rabbit.social_accounts.list_accounts(
        actor, organization_id, include_deleted=include_deleted
    )
    return views(accounts)


@router.delete(ACCOUNTS + "/{account_id}", status_code=204)
async def disconnect_account(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, account_id: str
) -> Response:
    await rabbit.social_accounts.disconnect_account(actor, organization_id, account_id)
    return Response(status_code=204)


@router.get(ACCOUNTS + "/{account_id}/brands")
async def account_brands(
    rabbit: RabbitDep, actor: ActorDep, organization_id: str, account_id: str
) -> list[dict[str, Any]]:
    return views(await rabbit.links.account_brands(actor, organization_id, account_id))
