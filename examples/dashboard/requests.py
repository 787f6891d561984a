"""What a route asks for: the facade, the acting user, a command parsed from the body.

Bodies are parsed by the use cases' own commands (``Command.parse``), so a bad body fails
exactly as a bad command built in code does: the domain's ``ValidationError`` naming the
field (422), with the core's door checks (sizes, NUL characters, naive datetimes) applied.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, Self, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from examples.dashboard.auth import TokenSigner
from examples.dashboard.errors import NotAuthenticatedError
from rabbit.api import Rabbit
from rabbit.errors import ValidationError
from rabbit_local import RecordingPublisher


class ParsedCommand(Protocol):
    """A use case's command: ``parse`` validates a mapping, raising the domain's errors."""

    @classmethod
    def parse(cls, data: Any) -> Self: ...


C = TypeVar("C", bound=ParsedCommand)


@dataclass(frozen=True, slots=True)
class Services:
    """What the routes use, set on ``app.state`` while the core runs (the lifespan)."""

    rabbit: Rabbit
    signer: TokenSigner
    platform: RecordingPublisher | None
    """The local recording platform, when it is the one plugged in (it issues tokens)."""


def services(request: Request) -> Services:
    found = getattr(request.app.state, "services", None)
    if not isinstance(found, Services):
        raise RuntimeError("the dashboard's core is not running (lifespan not entered)")
    return found


def member_facade(request: Request) -> Rabbit:
    return services(request).rabbit


_bearer = HTTPBearer(auto_error=False, description="the token POST /users returned")


def acting_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The id of the user the bearer token names; NotAuthenticatedError (401) otherwise."""
    if credentials is None:
        raise NotAuthenticatedError("a bearer token is required (Authorization: Bearer …)")
    user_id = services(request).signer.verify(credentials.credentials)
    if user_id is None:
        raise NotAuthenticatedError("the bearer token is not valid")
    return user_id


RabbitDep = Annotated[Rabbit, Depends(member_facade)]
ActorDep = Annotated[str, Depends(acting_user)]


def body(command: type[C]) -> Callable[[Request], Awaitable[C]]:
    """A dependency reading the request's JSON body as ``command``."""

    async def parse(request: Request) -> C:
        raw = await request.body()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            raise ValidationError("body", "is not a JSON document") from None
        return command.parse(data)

    parse.__name__ = f"parse_{command.__name__}"
    return parse
