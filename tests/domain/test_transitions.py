"""The status lifecycles accept exactly the pairs of their tables, every other pair fails."""

from __future__ import annotations

import itertools

import pytest

from rabbit.domain.enums import MaterialStatus, PendingPostStatus
from rabbit.domain.errors import InvalidTransitionError
from rabbit.domain.policies.transitions import (
    check_material_transition,
    check_pending_post_transition,
)

M = MaterialStatus
P = PendingPostStatus

ALLOWED_MATERIAL = {
    (M.UPLOADED, M.PROCESSING),
    (M.PROCESSING, M.ANALYZED),
    (M.PROCESSING, M.FAILED),
    (M.ANALYZED, M.READY),
    (M.READY, M.USED),
    (M.READY, M.ARCHIVED),
    (M.USED, M.ARCHIVED),
    (M.ARCHIVED, M.READY),
}
ALLOWED_PENDING_POST = {
    (P.PENDING, P.APPROVED),
    (P.PENDING, P.REJECTED),
    (P.PENDING, P.EXPIRED),
    (P.AUTO_APPROVED, P.PUBLISHED),
    (P.AUTO_APPROVED, P.FAILED),
    (P.APPROVED, P.PUBLISHED),
    (P.APPROVED, P.FAILED),
    (P.FAILED, P.PUBLISHED),  # a late success reconciled (ADR 0015)
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(M, M)))
def test_material_transition_is_accepted_only_when_behaviour_md_lists_it(
    current: MaterialStatus, target: MaterialStatus
) -> None:
    if (current, target) in ALLOWED_MATERIAL:
        check_material_transition("m1", current, target)
    else:
        with pytest.raises(InvalidTransitionError) as error:
            check_material_transition("m1", current, target)
        assert (error.value.current, error.value.target) == (current, target)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(P, P)))
def test_pending_post_transition_is_accepted_only_when_behaviour_md_lists_it(
    current: PendingPostStatus, target: PendingPostStatus
) -> None:
    if (current, target) in ALLOWED_PENDING_POST:
        check_pending_post_transition("p1", current, target)
    else:
        with pytest.raises(InvalidTransitionError) as error:
            check_pending_post_transition("p1", current, target)
        assert error.value.entity == "pending_post"
