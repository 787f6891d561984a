"""The role table and the owner-keeping membership rules.

See docs/behaviour.md#roles-and-permissions and docs/behaviour.md#organisations-and-members.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabbit.domain.enums import MemberRole
from rabbit.domain.errors import PermissionDeniedError, ValidationError
from rabbit.domain.policies.permissions import (
    Permission,
    allows,
    check_member_removal,
    check_role_change,
    require,
)

R = MemberRole
P = Permission
# docs/behaviour.md#roles-and-permissions, row by row: manage members, billing, brands,
# view analytics, create content.
TABLE = {
    R.OWNER: (True, True, True, True, True),
    R.ADMIN: (True, False, True, True, True),
    R.MEMBER: (False, False, True, True, True),
    R.VIEWER: (False, False, False, True, False),
}
COLUMNS = (P.MANAGE_MEMBERS, P.MANAGE_BILLING, P.MANAGE_BRANDS, P.VIEW_ANALYTICS, P.CREATE_CONTENT)


@pytest.mark.parametrize(("role", "permission"), list(itertools.product(R, P)))
def test_permissions_equal_the_table(role: MemberRole, permission: Permission) -> None:
    expected = TABLE[role][COLUMNS.index(permission)]

    assert allows(role, permission) is expected
    if expected:
        require(role, permission, "u1")
    else:
        with pytest.raises(PermissionDeniedError) as error:
            require(role, permission, "u1")
        assert (error.value.actor_id, error.value.permission) == ("u1", permission)


roles = st.sampled_from(R)
owner_counts = st.integers(min_value=1, max_value=5)


def owners_after_change(current: MemberRole, new: MemberRole, owners: int) -> int:
    return owners - (current is R.OWNER) + (new is R.OWNER)


@settings(max_examples=300, deadline=None)
@given(actor=roles, current=roles, new=roles, owners=owner_counts)
def test_an_accepted_role_change_keeps_an_owner_and_only_owners_touch_ownership(
    actor: MemberRole, current: MemberRole, new: MemberRole, owners: int
) -> None:
    try:
        check_role_change(actor, current, new, owners, actor_id="a1")
    except (PermissionDeniedError, ValidationError):
        accepted = False
    else:
        accepted = True

    expected = (
        allows(actor, P.MANAGE_MEMBERS)
        and (actor is R.OWNER or R.OWNER not in (current, new))
        and owners_after_change(current, new, owners) >= 1
    )
    assert accepted is expected


@settings(max_examples=300, deadline=None)
@given(actor=roles, member=roles, owners=owner_counts)
def test_an_accepted_removal_keeps_an_owner(
    actor: MemberRole, member: MemberRole, owners: int
) -> None:
    try:
        check_member_removal(actor, member, owners, actor_id="a1")
    except (PermissionDeniedError, ValidationError):
        accepted = False
    else:
        accepted = True

    expected = allows(actor, P.MANAGE_MEMBERS) and (
        member is not R.OWNER or (actor is R.OWNER and owners >= 2)
    )
    assert accepted is expected


def test_the_last_owner_cannot_step_down() -> None:
    with pytest.raises(ValidationError) as error:
        check_role_change(R.OWNER, R.OWNER, R.ADMIN, owners_count=1)
    assert error.value.field == "role"


def test_the_last_owner_cannot_be_removed() -> None:
    with pytest.raises(ValidationError) as error:
        check_member_removal(R.OWNER, R.OWNER, owners_count=1)
    assert error.value.field == "member"


def test_an_admin_cannot_grant_owner() -> None:
    with pytest.raises(PermissionDeniedError):
        check_role_change(R.ADMIN, R.MEMBER, R.OWNER, owners_count=1)
