"""The status lifecycles of materials and pending posts (docs/behaviour.md#material-lifecycle,
docs/behaviour.md#generation-and-approval), as tables."""

from __future__ import annotations

from collections.abc import Mapping

from rabbit.domain.enums import MaterialStatus, PendingPostStatus
from rabbit.domain.errors import InvalidTransitionError

M = MaterialStatus
MATERIAL_TRANSITIONS: Mapping[MaterialStatus, frozenset[MaterialStatus]] = {
    M.UPLOADED: frozenset({M.PROCESSING}),
    M.PROCESSING: frozenset({M.ANALYZED, M.FAILED}),
    M.ANALYZED: frozenset({M.READY}),
    M.READY: frozenset({M.USED, M.ARCHIVED}),
    M.USED: frozenset({M.ARCHIVED}),
    M.ARCHIVED: frozenset({M.READY}),
    M.FAILED: frozenset(),
}
"""UPLOADED → PROCESSING → ANALYZED → READY → USED; PROCESSING → FAILED; READY or USED →
ARCHIVED → READY. A USED material stays USED when used again (not a transition)."""

P = PendingPostStatus
PENDING_POST_TRANSITIONS: Mapping[PendingPostStatus, frozenset[PendingPostStatus]] = {
    P.PENDING: frozenset({P.APPROVED, P.REJECTED, P.EXPIRED}),
    P.AUTO_APPROVED: frozenset({P.PUBLISHED, P.FAILED}),
    P.APPROVED: frozenset({P.PUBLISHED, P.FAILED}),
    P.REJECTED: frozenset(),
    P.EXPIRED: frozenset(),
    P.PUBLISHED: frozenset(),
    P.FAILED: frozenset({P.PUBLISHED}),
}
"""Review moves PENDING to APPROVED, REJECTED or EXPIRED; publishing moves an approved post
(automatically or by review) to PUBLISHED, or to FAILED after the bounded retries. FAILED →
PUBLISHED is the reconciliation of a late success (ADR 0015): a platform answered after the
post was given up, and that answer completed every platform."""


def can_move_material(current: MaterialStatus, target: MaterialStatus) -> bool:
    return target in MATERIAL_TRANSITIONS[current]


def can_move_pending_post(current: PendingPostStatus, target: PendingPostStatus) -> bool:
    return target in PENDING_POST_TRANSITIONS[current]


def check_material_transition(
    material_id: str, current: MaterialStatus, target: MaterialStatus
) -> None:
    if not can_move_material(current, target):
        raise InvalidTransitionError("material", material_id, current, target)


def check_pending_post_transition(
    pending_post_id: str, current: PendingPostStatus, target: PendingPostStatus
) -> None:
    if not can_move_pending_post(current, target):
        raise InvalidTransitionError("pending_post", pending_post_id, current, target)
