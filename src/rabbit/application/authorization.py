"""Who may do what: every member use case starts here.

A caller who is not a joined member of the organisation gets ``NotFoundError`` for the
organisation itself — the core never reveals that another organisation exists. A soft-deleted
user is refused by every use case (``NotFoundError`` for the user): deleting an account takes
its permissions away at once, not at purge.
"""

from __future__ import annotations

from rabbit.application.ports import UnitOfWork
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import Organization, OrganizationMember, User
from rabbit.domain.policies.permissions import Permission, require


async def live_actor(uow: UnitOfWork, actor_id: str, *, for_update: bool = False) -> User:
    """The acting user, or NotFoundError("user") when there is none or it is deleted."""
    user = await uow.users.get(actor_id, for_update=for_update)
    if user is None:
        raise NotFoundError("user", actor_id)
    return user


async def authorize(
    uow: UnitOfWork,
    actor_id: str,
    organization_id: str,
    permission: Permission,
    *,
    lock_organization: bool = False,
) -> OrganizationMember:
    """The actor's membership, once it is shown to allow ``permission``.

    Raises NotFoundError("user") for a deleted actor, NotFoundError("organization") when the
    actor is no joined member of a live organisation, PermissionDeniedError when the role
    lacks the permission. With ``lock_organization`` the organisation's row is read first and
    locked until the unit of work ends: the lock of every rule over a set of its rows (the
    last OWNER; ADR 0012), taken before any row but the actor's own.
    """
    organization = await live_organization(uow, organization_id, for_update=lock_organization)
    member = await uow.members.get(organization_id, actor_id)
    if member is None or not member.has_joined:
        raise NotFoundError("organization", organization.id)
    await live_actor(uow, actor_id)
    require(member.role, permission, actor_id)
    return member


async def live_organization(
    uow: UnitOfWork, organization_id: str, *, for_update: bool = False
) -> Organization:
    """The organisation, or NotFoundError when there is none or it is deleted."""
    organization = await uow.organizations.get(organization_id, for_update=for_update)
    if organization is None:
        raise NotFoundError("organization", organization_id)
    return organization
