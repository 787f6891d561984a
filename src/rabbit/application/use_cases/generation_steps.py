"""The steps of one generation, shared by the manual use case and the autopilot tick.

No model call runs inside a transaction (ADR 0011), so :class:`GenerationSteps` splits it:
``angle_rates`` (in the caller's unit of work), ``draft`` (outside any: angle, generator,
embedder), ``lock_sources`` and ``store`` (in the unit of work that writes: brand and
material locked again, duplicates checked, GENERATE charged once, pending posts created),
then ``notify`` after the commit. A :class:`GenerationBrief` is what one
generation asks for; a :class:`DraftBatch` what the models answered.
The rules: docs/behaviour.md#generation-and-approval.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from rabbit.application.credits import Credits
from rabbit.application.ports import (
    ApprovalRequest,
    Clock,
    ContentGenerator,
    Embedder,
    GeneratedContent,
    GenerationRequest,
    IdGenerator,
    Notifier,
    RandomSource,
    UnitOfWork,
)
from rabbit.application.use_cases._lookups import existing_brand, existing_material
from rabbit.application.use_cases.deduplication import DuplicateCheck, NewPost, check_new_posts
from rabbit.application.use_cases.embeddings import embed_one, store_embedding
from rabbit.domain.enums import (
    ContentAngle,
    ContentType,
    CreditAction,
    GenerationMode,
    PendingPostStatus,
    SocialPlatform,
)
from rabbit.domain.errors import ValidationError
from rabbit.domain.model import BrandProfile, Material, PendingPost, Schedule
from rabbit.domain.policies.analytics import angle_rates
from rabbit.domain.policies.angles import AngleChoice, choose_angle
from rabbit.domain.policies.approval import auto_approves
from rabbit.domain.policies.pricing import price

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GenerationBrief:
    """What one generation asks for: from which material, in which brand's voice, for which
    platforms, and whether its posts skip review."""

    brand: BrandProfile
    material: Material
    platforms: tuple[SocialPlatform, ...]
    mode: GenerationMode
    unique_per_platform: bool = False
    schedule: Schedule | None = None
    scheduled_for: datetime | None = None

    @property
    def auto_approve(self) -> bool:
        """Whether its posts skip review (the brand's and the schedule's say)."""
        schedule_says = self.schedule.auto_approve if self.schedule else None
        return auto_approves(self.brand.auto_approve, schedule_says)


@dataclass(frozen=True, slots=True)
class DraftPost:
    """One post as the models wrote it: not checked for duplicates, not stored."""

    pending_id: str
    platforms: tuple[SocialPlatform, ...]
    content: GeneratedContent
    vector: tuple[float, ...] = field(repr=False)


@dataclass(frozen=True, slots=True)
class DraftBatch:
    """The drafts of one generation and the angle they were written from."""

    choice: AngleChoice
    drafts: tuple[DraftPost, ...]


class GenerationSteps:
    """The steps of a generation (see the module): :meth:`angle_rates` reads, :meth:`draft`
    calls the models (no unit of work), :meth:`lock_sources` and :meth:`store` write (in a
    caller's unit of work, which commits), :meth:`notify` runs after the commit."""

    def __init__(
        self,
        *,
        clock: Clock,
        ids: IdGenerator,
        random: RandomSource,
        generator: ContentGenerator,
        embedder: Embedder,
        notifier: Notifier,
        credits: Credits,
        analytics_window: timedelta,
        exploration_rate: float,
        dedup_window: timedelta,
    ) -> None:
        self._clock = clock
        self._ids = ids
        self._random = random
        self._generator = generator
        self._embedder = embedder
        self._notifier = notifier
        self._credits = credits
        self._analytics_window = analytics_window
        self._exploration_rate = exploration_rate
        self._dedup_window = dedup_window

    async def angle_rates(
        self, uow: UnitOfWork, brand: BrandProfile, now: datetime
    ) -> dict[ContentAngle, float]:
        """The brand's engagement rate per angle over the analytics window."""
        posts = await uow.posts.find(
            brand.organization_id,
            brand_id=brand.id,
            published_since=now - self._analytics_window,
        )
        return angle_rates(posts)

    async def draft(
        self, brief: GenerationBrief, rates: Mapping[ContentAngle, float]
    ) -> DraftBatch:
        """Choose the angle, then ask the content generator and the embedder for each post
        (one per platform with ``unique_per_platform``). Raises the generator's
        DomainError, or ValidationError for a material that cannot be generated from."""
        _require_generatable(brief.material)
        choice = choose_angle(
            brief.material.suggested_angles, rates, self._random, self._exploration_rate
        )
        groups = [(p,) for p in brief.platforms] if brief.unique_per_platform else [brief.platforms]
        drafts = []
        for platforms in groups:
            generated = await self._generator.generate(
                GenerationRequest(
                    brand=brief.brand,
                    material=brief.material,
                    angle=choice.angle,
                    platforms=platforms,
                )
            )
            vector = await embed_one(self._embedder, generated.content)
            drafts.append(DraftPost(self._ids.new_id(), platforms, generated, vector))
        return DraftBatch(choice, tuple(drafts))

    async def lock_sources(self, uow: UnitOfWork, brief: GenerationBrief) -> GenerationBrief:
        """In the unit of work that writes, before :meth:`store`: the brand and the material
        read again and locked (after the organisation and the schedule), so a deletion or an
        archive that committed while the models ran is seen, and one racing this write waits
        for its commit. The brief as it stands now (auto-approval from the brand as read
        again).

        The subscription the charge needs is locked *before* the material, as publishing
        does (it charges, then records the material's use): the other order deadlocks
        against a publication of the same material completing (ADR 0014).

        Raises NotFoundError when the brand or the material is gone (deleted), and
        ValidationError(``material_id``) when the material can no longer be generated from."""
        org = brief.brand.organization_id
        brand = await existing_brand(uow, org, brief.brand.id, for_update=True)
        await uow.subscriptions.get(org, for_update=True)  # see above: before the material
        material = await existing_material(uow, org, brief.material.id, for_update=True)
        _require_generatable(material)
        return replace(brief, brand=brand, material=material)

    async def store(
        self, uow: UnitOfWork, brief: GenerationBrief, batch: DraftBatch, now: datetime
    ) -> list[PendingPost]:
        """Check every draft for duplicates, charge once, create the pending posts.

        Raises DuplicateContentError (a TOO_SIMILAR draft) or InsufficientCreditsError
        before any write, so a caller may go on in its unit of work after catching them."""
        org = brief.brand.organization_id
        _require_generatable(brief.material)
        checks = await check_new_posts(
            uow,
            org,
            brief.material.id,
            [NewPost(d.pending_id, d.content.content, d.vector) for d in batch.drafts],
            now,
            window=self._dedup_window,
        )
        await self._credits.charge(  # every post or (raising before any write) none
            uow,
            org,
            price(CreditAction.GENERATE) * len(batch.drafts),
            CreditAction.GENERATE,
            description=f"generation of {len(batch.drafts)} post(s)",
            related_post_id=batch.drafts[0].pending_id,
        )
        created = []
        for draft, check in zip(batch.drafts, checks, strict=True):
            embedding = await store_embedding(
                self._ids,
                self._clock,
                uow,
                org,
                ContentType.PENDING_POST,
                draft.pending_id,
                draft.content.content,
                draft.vector,
            )
            pending = _pending_post(brief, batch.choice, draft, check, embedding.id, now)
            await uow.pending_posts.add(pending)
            created.append(pending)
        return created

    async def notify(self, brand: BrandProfile, created: list[PendingPost]) -> int:
        """Tell the brand's reviewers about PENDING posts (after the commit; best effort: a
        notifier that fails is logged with the post's ids and the others are still told).
        The number of notices that failed."""
        failed = 0
        for pending in created:
            if pending.status is PendingPostStatus.PENDING:
                try:
                    await self._notifier.approval_requested(
                        ApprovalRequest(
                            organization_id=pending.organization_id,
                            brand_profile_id=brand.id,
                            pending_post_id=pending.id,
                            email=brand.notify_email,
                            webhook=brand.notify_webhook,
                            expires_at=pending.expires_at,
                        )
                    )
                except Exception:
                    _log.exception(
                        "notifying the approval of pending post %s of organisation %s failed",
                        pending.id,
                        pending.organization_id,
                    )
                    failed += 1
        return failed


def _require_generatable(material: Material) -> None:
    if not material.is_selectable:
        raise ValidationError("material_id", "the material is not READY or USED")


def _pending_post(
    brief: GenerationBrief,
    choice: AngleChoice,
    draft: DraftPost,
    check: DuplicateCheck,
    embedding_id: str,
    now: datetime,
) -> PendingPost:
    reason = choice.reason
    if check.verdict.flagged:
        reason += f"; similar ({check.similarity:.2f}) to recent content"
    return PendingPost.generated(
        id=draft.pending_id,
        organization_id=brief.brand.organization_id,
        brand_profile_id=brief.brand.id,
        material_id=brief.material.id,
        schedule_id=brief.schedule.id if brief.schedule else None,
        platforms=draft.platforms,
        content=draft.content.content,
        hashtags=draft.content.hashtags,
        media_urls=draft.content.media_urls,
        angle=choice.angle,
        angle_reason=reason,
        is_exploration=choice.is_exploration,
        mode=brief.mode,
        scheduled_for=brief.scheduled_for,
        embedding_id=embedding_id,
        auto_approve=brief.auto_approve,
        approval_timeout_hours=brief.brand.approval_timeout,
        now=now,
    )
