"""The autopilot tick: the main job (behaviour.md, "The autopilot tick").

One tick at ``now``:

1. Claim due schedules one at a time. Each claim is one unit of work: lock the schedule
   (skip locked), advance ``next_run_at`` past ``now``, select materials by the schedule's
   strategy, generate and deduplicate (a TOO_SIMILAR candidate is skipped and the next one
   tried), create the pending posts scheduled for the claimed slot, commit. The slot and its
   posts therefore commit together: a crash before the commit leaves the slot due for the
   next tick, and a slot is never run twice. A schedule whose brand is gone, that has no
   usable material, or whose organisation lacks credits still advances (the slot is
   skipped, counted in the report), so one bad schedule never blocks the others.
2. Publish every due approved post (:class:`~.publishing.Publishing`).
3. Expire stale pending posts.

A second tick at the same ``now`` finds no due schedule (they were advanced past ``now``),
no due post without a recorded outcome, and nothing left to expire: it changes nothing.
Several workers at once claim disjoint schedules and posts (skip locked), and the publish
attempts' uniqueness keeps each platform post single.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rabbit.application.context import Ports
from rabbit.application.ports import UnitOfWork
from rabbit.application.use_cases._base import UseCases
from rabbit.application.use_cases.generation import Generation, Generator
from rabbit.application.use_cases.materials import rank_materials
from rabbit.application.use_cases.publishing import Publishing
from rabbit.application.use_cases.review import Review
from rabbit.application.use_cases.schedules import claim_next_due
from rabbit.domain.enums import GenerationMode
from rabbit.domain.errors import ConflictError, DomainError, DuplicateContentError
from rabbit.domain.model import BrandProfile, PendingPost, Schedule


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


@dataclass
class _SlotResult:
    brand: BrandProfile | None = None
    created: tuple[PendingPost, ...] = ()
    duplicates: int = 0


class Autopilot(UseCases):
    """A system use case: no actor; run by a scheduler, any number of workers at once."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports
        self._generator = Generator(ports)
        self._publishing = Publishing(ports)
        self._review = Review(ports)

    async def tick(self, now: datetime | None = None) -> TickReport:
        now = now or self._ports.clock.now()
        runs = generated = duplicates = skipped = 0
        for _ in range(self._ports.config.tick_batch_size):
            result = await self._run_one_schedule(now)
            if result is None:
                break
            runs += 1
            generated += len(result.created)
            duplicates += result.duplicates
            skipped += 0 if result.created else 1
            if result.brand is not None:
                await self._generator.notify(result.brand, list(result.created))
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
        )

    async def _run_one_schedule(self, now: datetime) -> _SlotResult | None:
        async with self._ports.uow() as uow:
            claimed = await claim_next_due(uow, now)
            if claimed is None:
                return None
            schedule, slot = claimed
            result = await self._generate_for(uow, schedule, slot, now)
            await uow.commit()
        return result

    async def _generate_for(
        self, uow: UnitOfWork, schedule: Schedule, slot: datetime, now: datetime
    ) -> _SlotResult:
        brand = await uow.brands.get(schedule.organization_id, schedule.brand_profile_id)
        if brand is None:
            return _SlotResult()
        result = _SlotResult(brand=brand)
        for material in await rank_materials(
            self._ports, uow, brand, schedule.material_strategy, now
        ):
            try:
                created = await self._generator.generate(
                    uow,
                    Generation(
                        brand=brand,
                        material=material,
                        platforms=schedule.platforms,
                        mode=GenerationMode.AUTOPILOT,
                        auto_approve=brand.auto_approve and schedule.auto_approve,
                        unique_per_platform=schedule.unique_per_platform,
                        schedule=schedule,
                        scheduled_for=slot,
                    ),
                )
            except DuplicateContentError:
                result.duplicates += 1
                continue
            except ConflictError:
                raise  # a write was refused: roll the whole slot back, retry next tick
            except DomainError:
                # no credits, or the generator refused: raised before any write of this
                # generation, so the slot is skipped and the schedule still advances
                break
            result.created = tuple(created)
            break
        return result
