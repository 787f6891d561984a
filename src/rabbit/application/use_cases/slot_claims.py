"""The autopilot's hold on a due slot of a schedule: claim it, then finish it once.

Claiming locks a due schedule, skipping rows other workers hold, and holds its slot for a
while (``next_run_at`` pushed past the hold) so the models can write the posts outside any
transaction (ADR 0011); finishing advances ``next_run_at`` to the first slot after ``now``:
slots missed while no worker ran are not replayed, the claimed one runs once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rabbit.application.ports import UnitOfWork
from rabbit.domain.model import Schedule


@dataclass(frozen=True, slots=True)
class SlotClaim:
    """One worker's hold on one due slot of a schedule (:func:`claim_next_due`)."""

    schedule: Schedule
    """The schedule as claimed (a copy: the stored row may change while it is held)."""
    slot: datetime
    """The claimed slot: the schedule's next_run_at before the claim."""
    held_until: datetime
    """next_run_at while the slot is held; the slot falls due again then."""
    claimed_at: datetime


async def claim_next_due(uow: UnitOfWork, now: datetime, *, hold: timedelta) -> SlotClaim | None:
    """Inside the caller's (short) unit of work: lock one due schedule, skipping rows other
    workers hold, and hold its slot: ``next_run_at`` becomes ``now + hold``, so no other
    worker sees it due while this one calls the models outside any transaction. The caller
    commits, then ends the hold with :func:`finish_claim`; a worker that dies leaves the slot
    due again when the hold runs out. None when nothing is due."""
    claimed = await uow.schedules.claim_due(now, limit=1)
    if not claimed:
        return None
    schedule = claimed[0]
    slot = schedule.next_run_at
    assert slot is not None  # claim_due returns only schedules with a due next_run_at
    held_until = schedule.hold_slot(now, hold)
    await uow.schedules.update(schedule)
    return SlotClaim(replace(schedule), slot, held_until, now)


async def finish_claim(uow: UnitOfWork, claim: SlotClaim, now: datetime) -> Schedule | None:
    """Inside the unit of work that records the slot's outcome: lock the schedule and, if it
    is still held by ``claim``, advance ``next_run_at`` to the first slot after ``now``
    (stored with the caller's commit). None when the hold was lost — the schedule was
    edited, paused or deleted meanwhile, its organisation was deleted, or the hold ran out
    and another worker took the slot: the caller then writes nothing for it.

    The organisation's row is locked first, then the schedule (the rows the caller locks
    come after: ADR 0012, ADR 0014), so a deletion of the organisation either committed
    before (None here) or waits for this unit of work."""
    held = claim.schedule
    if await uow.organizations.get(held.organization_id, for_update=True) is None:
        return None
    schedule = await uow.schedules.get(held.organization_id, held.id, for_update=True)
    if (
        schedule is None
        or not schedule.is_active
        or schedule.next_run_at != claim.held_until
        or schedule.updated_at != claim.claimed_at
    ):
        return None
    schedule.advance_past(now)
    await uow.schedules.update(schedule)
    return schedule
