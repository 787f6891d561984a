"""The autopilot tick: the main job (behaviour.md, "The autopilot tick").

One tick at ``now``:

1. Claim due schedules one at a time, with no model call inside a transaction:
   - claim (one short unit of work): lock a due schedule (skip locked) and *hold* its slot
     (``next_run_at`` pushed to ``now + slot_hold``), load the brand, rank the materials by the
     schedule's strategy, read the angle performance; commit;
   - for each candidate material: the content generator and the embedder write the post(s)
     outside any transaction; then one unit of work locks the organisation, checks the hold
     is still this worker's, reads the brand and the material again, locked (a deleted
     brand skips the slot, an archived or deleted material moves on to the next candidate;
     ADR 0014), checks duplicates (a TOO_SIMILAR candidate is rolled back and the next one
     tried), charges, creates the pending posts scheduled for the claimed slot and advances
     ``next_run_at`` past ``now`` — all commit together;
   - a slot that gets no post (brand gone, no usable material, all too similar, no credits,
     the generator refused) still advances, counted as skipped, so one bad schedule never
     blocks the others;
   - a generator or embedder that breaks (any other exception) stops only its slot: logged
     with its ids and counted in ``errors``, the slot stays held and runs again when the
     hold runs out; a notifier that breaks is logged per notice, the others are still sent.
   A worker that dies while holding a slot leaves it due again when the hold runs out; a
   schedule edited, paused or deleted (or its organisation deleted) during the hold is
   left as the edit made it (the worker writes nothing for that slot). A slot is never run
   twice. A deleted organisation's schedules are not claimed at all.
2. Publish one fair batch of due approved posts (:class:`~.publishing.Publishing`; an
   error in one publication backs that post off and the others go on).
3. Expire stale pending posts (of live organisations).

A second tick at the same ``now`` finds no due schedule (they were advanced or held past
``now``),
no due post without a recorded outcome, and nothing left to expire: it changes nothing.
Several workers at once claim disjoint schedules and posts (skip locked), and the publish
attempts' uniqueness keeps each platform post single.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from rabbit.application.context import Ports
from rabbit.application.use_cases._base import UseCases
from rabbit.application.use_cases.generation_steps import (
    DraftBatch,
    GenerationBrief,
    GenerationSteps,
)
from rabbit.application.use_cases.materials import rank_materials
from rabbit.application.use_cases.publishing import Publishing
from rabbit.application.use_cases.review import ReviewExpiry
from rabbit.application.use_cases.schedules import SlotClaim, claim_next_due, finish_claim
from rabbit.domain.enums import GenerationMode
from rabbit.domain.errors import (
    ConflictError,
    DomainError,
    DuplicateContentError,
    NotFoundError,
    ValidationError,
)
from rabbit.domain.model import BrandProfile, PendingPost

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TickReport:
    schedules_run: int = 0
    posts_generated: int = 0
    duplicates_skipped: int = 0
    slots_skipped: int = 0
    """Claimed slots that produced no post (no material, all too similar, no credits)."""
    published: int = 0
    """Platform posts recorded."""
    failed: int = 0
    """Pending posts that became FAILED."""
    expired: int = 0
    errors: int = 0
    """Slots and publications an unexpected error stopped (logged; each retried later)."""


class _Outcome(Enum):
    DUPLICATE = "duplicate"
    UNUSABLE = "material gone"
    SKIPPED = "skipped"
    HOLD_LOST = "hold lost"


@dataclass
class _SlotResult:
    brand: BrandProfile | None = None
    created: tuple[PendingPost, ...] = ()
    duplicates: int = 0
    errors: int = 0


class Autopilot(UseCases):
    """A system use case: no actor; run by a scheduler, any number of workers at once."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports
        self._generator = GenerationSteps(ports)
        self._publishing = Publishing(ports)
        self._review = ReviewExpiry(ports)

    async def tick(self, now: datetime | None = None) -> TickReport:
        now = now or self._ports.clock.now()
        runs = generated = duplicates = skipped = errors = 0
        for _ in range(self._ports.config.tick_batch_size):
            result = await self._run_one_schedule(now)
            if result is None:
                break
            runs += 1
            generated += len(result.created)
            duplicates += result.duplicates
            errors += result.errors
            skipped += 0 if result.created or result.errors else 1
            if result.brand is not None:
                errors += await self._generator.notify(result.brand, list(result.created))
        publishing = await self._publishing.publish_due(now)
        expired = await self._review.expire_stale(now)
        return TickReport(
            schedules_run=runs,
            posts_generated=generated,
            duplicates_skipped=duplicates,
            slots_skipped=skipped,
            published=publishing.published,
            failed=publishing.failed,
            expired=expired,
            errors=errors + publishing.errors,
        )

    async def _run_one_schedule(self, now: datetime) -> _SlotResult | None:
        """Claim one due slot and give it its posts (or skip it); None when none is due."""
        ports = self._ports
        async with ports.uow() as uow:
            claim = await claim_next_due(uow, now, hold=ports.config.slot_hold)
            if claim is None:
                return None
            schedule = claim.schedule
            brand = await uow.brands.get(schedule.organization_id, schedule.brand_profile_id)
            candidates = []
            rates = {}
            if brand is not None:
                candidates = await rank_materials(
                    ports, uow, brand, schedule.material_strategy, now
                )
                rates = await self._generator.angle_rates(uow, brand, now)
            await uow.commit()
        result = _SlotResult(brand=brand)
        if brand is not None:
            for material in candidates:
                request = GenerationBrief(
                    brand=brand,
                    material=material,
                    platforms=schedule.platforms,
                    mode=GenerationMode.AUTOPILOT,
                    unique_per_platform=schedule.unique_per_platform,
                    schedule=schedule,
                    scheduled_for=claim.slot,
                )
                try:
                    drafted = await self._generator.draft(request, rates)  # no transaction
                except DomainError:
                    break  # the generator refused: the slot is skipped
                except Exception:  # a model broke: this slot only, retried after its hold
                    _log.exception(
                        "drafting for schedule %s of organisation %s (material %s) failed; "
                        "the slot is retried when its hold runs out",
                        schedule.id,
                        schedule.organization_id,
                        material.id,
                    )
                    result.errors += 1
                    return result
                outcome = await self._store(claim, request, drafted, now)
                if outcome is _Outcome.DUPLICATE:
                    result.duplicates += 1
                    continue
                if outcome is _Outcome.UNUSABLE:
                    continue  # archived or deleted while the models wrote: the next one
                if isinstance(outcome, tuple):
                    result.created = outcome
                    return result
                if outcome is _Outcome.HOLD_LOST:
                    return result
                break  # no credits: the slot is skipped
        await self._finish_without_posts(claim, now)
        return result

    async def _store(
        self, claim: SlotClaim, request: GenerationBrief, drafted: DraftBatch, now: datetime
    ) -> tuple[PendingPost, ...] | _Outcome:
        """One unit of work: if the slot is still held, the posts, the charge and the
        schedule's advance commit together.

        Everything the write depends on is read again, locked: the organisation and the
        schedule (:func:`finish_claim`: the hold is lost when either changed), then the
        brand, the subscription and the material (:meth:`GenerationSteps.lock_sources`; the
        subscription before the material, as publishing locks them, ADR 0014). A deletion,
        an archive or a pause that committed while the models ran is seen here, and nothing
        is written or charged from it."""
        async with self._ports.uow() as uow:
            if await finish_claim(uow, claim, now) is None:
                return _Outcome.HOLD_LOST
            try:
                request = await self._generator.lock_sources(uow, request)
            except NotFoundError as gone:
                if gone.entity == "material":
                    return _Outcome.UNUSABLE  # rolled back: the slot stays held
                return _Outcome.SKIPPED  # the brand was deleted: the slot advances empty
            except ValidationError:
                return _Outcome.UNUSABLE  # the material was archived meanwhile
            try:
                created = await self._generator.store(uow, request, drafted, now)
            except DuplicateContentError:
                return _Outcome.DUPLICATE  # rolled back: the slot stays held
            except ConflictError:
                raise  # a write was refused: nothing commits; the hold runs out, then a retry
            except DomainError:
                return _Outcome.SKIPPED  # no credits: raised before any write
            await uow.commit()
        return tuple(created)

    async def _finish_without_posts(self, claim: SlotClaim, now: datetime) -> None:
        """A slot that gets no post still advances (if it is still held)."""
        async with self._ports.uow() as uow:
            if await finish_claim(uow, claim, now) is not None:
                await uow.commit()
