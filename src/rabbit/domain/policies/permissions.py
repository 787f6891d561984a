"""Who may do what in an organisation: the role table
(docs/behaviour.md#roles-and-permissions) and the membership rules.

Membership rules (docs/behaviour.md#organisations-and-members: an organisation always keeps
at least one OWNER; only an OWNER grants OWNER), with one decision of ours made explicit:

- Changing roles or removing members needs MANAGE_MEMBERS (OWNER or ADMIN).
- Only an OWNER grants OWNER.
- Only an OWNER changes or removes an OWNER. Otherwise an ADMIN could demote or remove the
  owners and, together with the rule above, leave nobody able to grant OWNER again.
- The last OWNER can neither be demoted nor removed (nor remove themself).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from rabbit.domain.enums import MemberRole
from rabbit.domain.errors import PermissionDeniedError, ValidationError


class Permission(StrEnum):
    MANAGE_MEMBERS = "MANAGE_MEMBERS"
    MANAGE_BILLING = "MANAGE_BILLING"
    MANAGE_BRANDS = "MANAGE_BRANDS"
    VIEW_ANALYTICS = "VIEW_ANALYTICS"
    CREATE_CONTENT = "CREATE_CONTENT"


_P = Permission
ROLE_PERMISSIONS: Mapping[MemberRole, frozenset[Permission]] = {
    MemberRole.OWNER: frozenset(Permission),
    MemberRole.ADMIN: frozenset(
        {_P.MANAGE_MEMBERS, _P.MANAGE_BRANDS, _P.VIEW_ANALYTICS, _P.CREATE_CONTENT}
    ),
    MemberRole.MEMBER: frozenset({_P.MANAGE_BRANDS, _P.VIEW_ANALYTICS, _P.CREATE_CONTENT}),
    MemberRole.VIEWER: frozenset({_P.VIEW_ANALYTICS}),
}
"""The permissions table (docs/behaviour.md#roles-and-permissions), row by row."""


def allows(role: MemberRole, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` according to the table."""
    return permission in ROLE_PERMISSIONS[role]


def require(role: MemberRole, permission: Permission, actor_id: str) -> None:
    """Raise PermissionDeniedError unless ``role`` holds ``permission``."""
    if not allows(role, permission):
        raise PermissionDeniedError(actor_id, permission)


def check_role_change(
    actor_role: MemberRole,
    current_role: MemberRole,
    new_role: MemberRole,
    owners_count: int,
    *,
    actor_id: str = "",
) -> None:
    """Check that an actor may move a member from ``current_role`` to ``new_role``.

    ``owners_count`` is the number of OWNERs of the organisation before the change.
    Raises PermissionDeniedError for a missing right and ValidationError("role") when the
    change would leave the organisation without an OWNER.
    """
    require(actor_role, Permission.MANAGE_MEMBERS, actor_id)
    touches_owner = MemberRole.OWNER in (current_role, new_role)
    if touches_owner and actor_role is not MemberRole.OWNER:
        raise PermissionDeniedError(actor_id, "GRANT_OR_REVOKE_OWNER")
    if current_role is MemberRole.OWNER and new_role is not MemberRole.OWNER:
        _keep_an_owner(owners_count, "role")


def check_member_removal(
    actor_role: MemberRole,
    member_role: MemberRole,
    owners_count: int,
    *,
    actor_id: str = "",
) -> None:
    """Check that an actor may remove a member whose role is ``member_role``.

    Raises PermissionDeniedError for a missing right and ValidationError("member") when the
    removal would leave the organisation without an OWNER.
    """
    require(actor_role, Permission.MANAGE_MEMBERS, actor_id)
    if member_role is MemberRole.OWNER:
        if actor_role is not MemberRole.OWNER:
            raise PermissionDeniedError(actor_id, "REMOVE_OWNER")
        _keep_an_owner(owners_count, "member")


def _keep_an_owner(owners_count: int, field: str) -> None:
    if owners_count <= 1:
        raise ValidationError(field, "an organisation must keep at least one OWNER")
