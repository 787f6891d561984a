"""The autopilot tick (``RabbitSystem.autopilot``): fill due slots, publish, expire.

One tick at ``now`` claims due schedules one at a time (:mod:`.slot_claims`), drafts each
slot's posts outside any transaction (ADR 0011) and stores them with their charge and the
slot's advance in one unit of work; then it publishes one fair batch (:mod:`.publishing`)
and expires stale pending posts (:mod:`.review`). A slot that gets no post still advances;
a model that breaks stops only its slot, which runs again when its hold runs out. Workers
may tick at once, and a second tick at the same ``now`` changes nothing. The step-by-step
flow, locks and crash cases: docs/architecture.md, "The data flow of one autopilot tick".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from rabbit.application.ports import Clock, RandomSource, UnitOfWorkFactory
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases.generation_steps import (
    DraftBatch,
    GenerationBrief,
    GenerationSteps,
)
from rabbit.application.use_cases.materials import rank_materials
from rabbit.application.use_cases.publishing import Publishing
from rabbit.application.use_cases.review import ReviewExpiry
from rabbit.application.use_cases.slot_claims import SlotClaim, claim_next_due, finish_claim
from rabbit.domain.enums import ContentAngle, GenerationMode
from rabbit.domain.errors import (
    ConflictError,
    DomainError,
    DuplicateContentError,
    NotFoundError,
    ValidationError,
)
from rabbit.domain.model import BrandProfile, Material, PendingPost

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


class NotStored(Enum):
    """Why a slot's drafted posts were not stored."""

    DUPLICATE = "too similar to recent content"
    """Rolled back: the slot stays held and the next candidate is tried."""
    MATERIAL_GONE = "material archived or deleted"
    """Rolled back while the models wrote: the next candidate is tried."""
    SLOT_SKIPPED = "slot skipped"
    """No credits, or the brand was deleted: the slot advances without posts."""
    HOLD_LOST = "hold lost"
    """The schedule was edited, paused or deleted meanwhile: nothing is written for it."""


@dataclass(frozen=True, slots=True)
class _ClaimedSlot:
    """A held slot and what its generation needs, read in the claim's unit of work."""

    claim: SlotClaim
    brand: BrandProfile | None
    candidates: list[Material]
    """The brand's materials, best first by the schedule's strategy."""
    angle_rates: dict[ContentAngle, float]


@dataclass
class _SlotResult:
    brand: BrandProfile | None = None
    created: tuple[PendingPost, ...] = ()
    duplicates: int = 0
    errors: int = 0


class Autopilot(UseCases):
    """A system use case: no actor; run by a scheduler, any number of workers at once."""

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        random: RandomSource,
        generation_steps: GenerationSteps,
        publishing: Publishing,
        review_expiry: ReviewExpiry,
        tick_batch_size: int,
        slot_hold: timedelta,
        analytics_window: timedelta,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._random = random
        self._generation_steps = generation_steps
        self._publishing = publishing
        self._review_expiry = review_expiry
        self._tick_batch_size = tick_batch_size
        self._slot_hold = slot_hold
        self._analytics_window = analytics_window

    async def tick(self, now: datetime | None = None) -> TickReport:
        """One tick at ``now`` (default: the clock's). Refuses at once, before any slot is
        claimed or any credit charged, when no publisher is configured (ADR 0029)."""
        self._publishing.check_configured()
        now = now or self._clock.now()
        runs = generated = duplicates = skipped = errors = 0
        for _ in range(self._tick_batch_size):
            result = await self._run_one_schedule(now)
            if result is None:
                break
            runs += 1
            generated += len(result.created)
            duplicates += result.duplicates
            errors += result.errors
            skipped += 0 if result.created or result.errors else 1
            if result.brand is not None:
                errors += await self._generation_steps.notify(result.brand, list(result.created))
        publishing = await self._publishing.publish_due(now)
        expired = await self._review_expiry.expire_stale(now)
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
        slot = await self._claim(now)
        if slot is None:
            return None
        result = _SlotResult(brand=slot.brand)
        if slot.brand is None or not await self._fill(slot, result, now):
            await self._finish_without_posts(slot.claim, now)
        return result

    async def _claim(self, now: datetime) -> _ClaimedSlot | None:
        """One short unit of work: hold a due slot, rank its brand's materials by the
        schedule's strategy and read the angle performance."""
        async with self._uow() as uow:
            claim = await claim_next_due(uow, now, hold=self._slot_hold)
            if claim is None:
                return None
            schedule = claim.schedule
            brand = await uow.brands.get(schedule.organization_id, schedule.brand_profile_id)
            candidates: list[Material] = []
            rates: dict[ContentAngle, float] = {}
            if brand is not None:
                strategy = schedule.material_strategy
                candidates = await rank_materials(
                    uow,
                    brand,
                    strategy,
                    now,
                    random=self._random,
                    analytics_window=self._analytics_window,
                )
                rates = await self._generation_steps.angle_rates(uow, brand, now)
            await uow.commit()
        return _ClaimedSlot(claim, brand, candidates, rates)

    async def _fill(self, slot: _ClaimedSlot, result: _SlotResult, now: datetime) -> bool:
        """Try the candidates best first until one gives posts. True when the slot is
        settled (posts stored, hold lost, or a model broke: it runs again after its hold);
        False when it gets no post and must still advance."""
        for material in slot.candidates:
            request = _request(slot, material)
            try:
                drafted = await self._generation_steps.draft(request, slot.angle_rates)  # no UoW
            except DomainError:
                return False  # the generator refused: the slot is skipped
            except Exception:  # a model broke: this slot only, retried after its hold
                _log_broken_draft(slot.claim, material)
                result.errors += 1
                return True
            stored = await self._store(slot.claim, request, drafted, now)
            if isinstance(stored, tuple):
                result.created = stored
                return True
            if stored is NotStored.HOLD_LOST:
                return True  # the edit, pause or deletion stands: nothing is written
            if stored is NotStored.SLOT_SKIPPED:
                return False
            if stored is NotStored.DUPLICATE:
                result.duplicates += 1
            # a duplicate or a material gone while the models wrote: the next candidate
        return False

    async def _store(
        self, claim: SlotClaim, request: GenerationBrief, drafted: DraftBatch, now: datetime
    ) -> tuple[PendingPost, ...] | NotStored:
        """One unit of work: if the slot is still held, the posts, the charge and the
        schedule's advance commit together.

        Everything the write depends on is read again, locked: the organisation and the
        schedule (:func:`finish_claim`: the hold is lost when either changed), then the
        brand, the subscription and the material (:meth:`GenerationSteps.lock_sources`; the
        subscription before the material, as publishing locks them, ADR 0014). A deletion,
        an archive or a pause that committed while the models ran is seen here, and nothing
        is written or charged from it."""
        async with self._uow() as uow:
            if await finish_claim(uow, claim, now) is None:
                return NotStored.HOLD_LOST
            try:
                request = await self._generation_steps.lock_sources(uow, request)
            except NotFoundError as gone:
                if gone.entity == "material":
                    return NotStored.MATERIAL_GONE  # rolled back: the slot stays held
                return NotStored.SLOT_SKIPPED  # the brand was deleted: the slot advances empty
            except ValidationError:
                return NotStored.MATERIAL_GONE  # the material was archived meanwhile
            try:
                created = await self._generation_steps.store(uow, request, drafted, now)
            except DuplicateContentError:
                return NotStored.DUPLICATE  # rolled back: the slot stays held
            except ConflictError:
                raise  # a write was refused: nothing commits; the hold runs out, then a retry
            except DomainError:
                return NotStored.SLOT_SKIPPED  # no credits: raised before any write
            await uow.commit()
        return tuple(created)

    async def _finish_without_posts(self, claim: SlotClaim, now: datetime) -> None:
        """A slot that gets no post still advances (if it is still held)."""
        async with self._uow() as uow:
            if await finish_claim(uow, claim, now) is not None:
                await uow.commit()


def _request(slot: _ClaimedSlot, material: Material) -> GenerationBrief:
    """The generation of one candidate for the claimed slot."""
    schedule = slot.claim.schedule
    assert slot.brand is not None  # only a slot whose brand was found has candidates
    return GenerationBrief(
        brand=slot.brand,
        material=material,
        platforms=schedule.platforms,
        mode=GenerationMode.AUTOPILOT,
        unique_per_platform=schedule.unique_per_platform,
        schedule=schedule,
        scheduled_for=slot.claim.slot,
    )


def _log_broken_draft(claim: SlotClaim, material: Material) -> None:
    schedule = claim.schedule
    _log.exception(
        "drafting for schedule %s of organisation %s (material %s) failed; "
        "the slot is retried when its hold runs out",
        schedule.id,
        schedule.organization_id,
        material.id,
    )
