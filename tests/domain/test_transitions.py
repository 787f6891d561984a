"""The status lifecycles accept exactly the pairs of their tables, every other pair fails."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from enum import Enum
from typing import Any

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


Check = Callable[[str, Any, Any], None]

#: (entity, its check, its statuses, the pairs docs/behaviour.md lists)
LIFECYCLES: list[tuple[str, Check, type[Enum], set[tuple[Any, Any]]]] = [
    ("material", check_material_transition, M, ALLOWED_MATERIAL),
    ("pending_post", check_pending_post_transition, P, ALLOWED_PENDING_POST),
]
PAIRS = [
    pytest.param(entity, check, current, target, allowed, id=f"{entity}-{current}-{target}")
    for entity, check, statuses, allowed in LIFECYCLES
    for current, target in itertools.product(statuses, statuses)
]


@pytest.mark.parametrize(("entity", "check", "current", "target", "allowed"), PAIRS)
def test_a_transition_is_accepted_only_when_behaviour_md_lists_it(
    entity: str, check: Check, current: Enum, target: Enum, allowed: set[tuple[Any, Any]]
) -> None:
    if (current, target) in allowed:
        check("row-1", current, target)
    else:
        with pytest.raises(InvalidTransitionError) as error:
            check("row-1", current, target)
        assert (error.value.entity, error.value.entity_id) == (entity, "row-1")
        assert (error.value.current, error.value.target) == (current, target)
