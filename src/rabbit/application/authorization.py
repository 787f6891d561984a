"""Who may do what: every use case starts here.

A caller who is not a joined member of the organisation gets ``NotFoundError`` for the
organisation itself — the core never reveals that another organisation exists.
"""

from __future__ import annotations

from rabbit.application.ports import UnitOfWork
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import OrganizationMember
from rabbit.domain.policies.permissions import Permission, require


async def authorize(
    uow: UnitOfWork, actor_id: str, organization_id: str, permission: Permission
) -> OrganizationMember:
    """The actor's membership, once it is shown to allow ``permission``.

    Raises NotFoundError("organization") when the actor is no joined member of a live
    organisation, PermissionDeniedError when the role lacks the permission.
    """
    member = await uow.members.get(organization_id, actor_id)
    if member is None or not member.has_joined:
        raise NotFoundError("organization", organization_id)
    organization = await uow.organizations.get(organization_id)
    if organization is None:
        raise NotFoundError("organization", organization_id)
    require(member.role, permission, actor_id)
    return member
