"""Generating posts from a material (autopilot or manual).

One generation (:class:`Generator`, used by the manual use case and the autopilot tick), with
no model call inside a transaction (ADR 0011):

1. read the brand's angle performance over the analytics window (a unit of work);
2. draft, outside any unit of work: choose the angle (``choose_angle``, with the configured
   exploration rate and the random port), ask the content generator port for the post(s) and
   embed them;
3. in the unit of work that writes: lock the brand and the material again
   (:meth:`Generator.lock_sources`, after the organisation and, for the autopilot, the
   schedule), so whatever changed while the models ran is seen; check duplicates against
   the organisation's posts and pending posts of the dedup window (the material's own
   embedding is not compared).
   TOO_SIMILAR raises :class:`DuplicateContentError` before anything is written or charged;
   SIMILAR proceeds and is noted in ``angle_reason``;
4. charge GENERATE once for the generation, priced per generated post (with
   ``unique_per_platform`` every platform gets its own post, so N posts cost N, in one ledger
   row); InsufficientCreditsError stops it before anything is written;
5. create the pending post(s) with their embeddings: AUTO_APPROVED when auto-approval
   applies, else PENDING with ``expires_at = now + approval_timeout`` hours.

Auto-approval: a manual post follows the brand's ``auto_approve``; an autopilot post needs
both the brand's and the schedule's (either one asking for review wins). The notifier is
told about PENDING posts after the commit (best effort), never inside the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import Field

from rabbit.application.authorization import authorize, live_organization
from rabbit.application.context import Ports
from rabbit.application.credits import Credits
from rabbit.application.ports import (
    ApprovalRequest,
    GeneratedContent,
    GenerationRequest,
    UnitOfWork,
)
from rabbit.application.use_cases._base import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases.embeddings import check_duplicate, embed_one, store_embedding
from rabbit.domain import limits
from rabbit.domain.enums import (
    ContentAngle,
    ContentType,
    CreditAction,
    GenerationMode,
    MaterialStatus,
    PendingPostStatus,
    SocialPlatform,
)
from rabbit.domain.errors import DuplicateContentError, NotFoundError, ValidationError
from rabbit.domain.model import BrandProfile, Material, PendingPost, Schedule
from rabbit.domain.policies.analytics import angle_rates
from rabbit.domain.policies.angles import AngleChoice, choose_angle
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.policies.pricing import price
from rabbit.domain.policies.similarity import Verdict

RECENT_CONTENT = frozenset({ContentType.POST, ContentType.PENDING_POST})
GENERATABLE = frozenset({MaterialStatus.READY, MaterialStatus.USED})

_log = logging.getLogger(__name__)


class GeneratePost(Command):
    material_id: str = Field(min_length=1, max_length=limits.MAX_ID)
    brand_profile_id: str = Field(min_length=1, max_length=limits.MAX_ID)
    platforms: tuple[SocialPlatform, ...] = Field(min_length=1, max_length=limits.MAX_PLATFORMS)
    unique_per_platform: bool = False
    scheduled_for: datetime | None = None


@dataclass(frozen=True, slots=True)
class Generation:
    """What one generation asked for."""

    brand: BrandProfile
    material: Material
    platforms: tuple[SocialPlatform, ...]
    mode: GenerationMode
    auto_approve: bool
    unique_per_platform: bool = False
    schedule: Schedule | None = None
    scheduled_for: datetime | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """One post as the models wrote it: not checked for duplicates, not stored."""

    pending_id: str
    platforms: tuple[SocialPlatform, ...]
    content: GeneratedContent
    vector: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Drafted:
    """A generation's drafts and the angle they were written from."""

    choice: AngleChoice
    drafts: tuple[Draft, ...]


class Generator:
    """The steps of a generation, split so that no model call runs inside a transaction:
    :meth:`angle_rates` reads (a caller's unit of work), :meth:`draft` calls the models (no
    unit of work), :meth:`store` checks duplicates, charges and writes (a caller's unit of
    work, which commits)."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports
        self._credits = Credits(ports)

    async def angle_rates(
        self, uow: UnitOfWork, brand: BrandProfile, now: datetime
    ) -> dict[ContentAngle, float]:
        """The brand's engagement rate per angle over the analytics window."""
        posts = await uow.posts.find(
            brand.organization_id,
            brand_id=brand.id,
            published_since=now - self._ports.config.analytics_window,
        )
        return angle_rates(posts)

    async def draft(self, request: Generation, rates: Mapping[ContentAngle, float]) -> Drafted:
        """Choose the angle, then ask the content generator and the embedder for each post
        (one per platform with ``unique_per_platform``). Raises the generator's
        DomainError, or ValidationError for a material that cannot be generated from."""
        ports = self._ports
        _require_generatable(request.material)
        choice = choose_angle(
            request.material.suggested_angles, rates, ports.random, ports.config.exploration_rate
        )
        groups = (
            [(p,) for p in request.platforms]
            if request.unique_per_platform
            else [request.platforms]
        )
        drafts = []
        for platforms in groups:
            generated = await ports.generator.generate(
                GenerationRequest(
                    brand=request.brand,
                    material=request.material,
                    angle=choice.angle,
                    platforms=platforms,
                )
            )
            vector = await embed_one(ports, generated.content)
            drafts.append(Draft(ports.ids.new_id(), platforms, generated, vector))
        return Drafted(choice, tuple(drafts))

    async def lock_sources(self, uow: UnitOfWork, request: Generation) -> Generation:
        """In the unit of work that writes, before :meth:`store`: the brand and the material
        read again and locked (after the organisation and the schedule), so a deletion or an
        archive that committed while the models ran is seen, and one racing this write waits
        for its commit. The request as it stands now (auto-approval from the brand as read
        again).

        The subscription the charge needs is locked *before* the material, as publishing
        does (it charges, then records the material's use): the other order deadlocks
        against a publication of the same material completing (ADR 0014).

        Raises NotFoundError when the brand or the material is gone (deleted), and
        ValidationError(``material_id``) when the material can no longer be generated from."""
        org = request.brand.organization_id
        brand = await uow.brands.get(org, request.brand.id, for_update=True)
        if brand is None:
            raise NotFoundError("brand_profile", request.brand.id)
        await uow.subscriptions.get(org, for_update=True)  # see above: before the material
        material = await uow.materials.get(org, request.material.id, for_update=True)
        if material is None:
            raise NotFoundError("material", request.material.id)
        _require_generatable(material)
        schedule = request.schedule
        auto_approve = brand.auto_approve and (schedule is None or schedule.auto_approve)
        return replace(request, brand=brand, material=material, auto_approve=auto_approve)

    async def store(
        self, uow: UnitOfWork, request: Generation, drafted: Drafted, now: datetime
    ) -> list[PendingPost]:
        """Check every draft for duplicates, charge once, create the pending posts.

        Raises DuplicateContentError (a TOO_SIMILAR draft) or InsufficientCreditsError
        before any write, so a caller may go on in its unit of work after catching them."""
        ports = self._ports
        org = request.brand.organization_id
        _require_generatable(request.material)
        exclude: list[tuple[ContentType, str]] = [(ContentType.MATERIAL, request.material.id)]
        reasons = []
        for draft in drafted.drafts:
            check = await check_duplicate(
                uow,
                org,
                draft.content.content,
                draft.vector,
                now,
                window=ports.config.dedup_window,
                exclude=exclude,
                kinds=RECENT_CONTENT,
            )
            if check.verdict is Verdict.TOO_SIMILAR:
                assert check.match is not None
                raise DuplicateContentError(
                    check.similarity, check.match.content_type, check.match.content_id
                )
            exclude.append((ContentType.PENDING_POST, draft.pending_id))
            reason = drafted.choice.reason
            if check.verdict is Verdict.SIMILAR:
                reason += f"; similar ({check.similarity:.2f}) to recent content"
            reasons.append(reason)
        # One charge for the whole generation: it either books every post or (raising
        # InsufficientCreditsError before any write) none.
        drafts = drafted.drafts
        await self._credits.charge(
            uow,
            org,
            price(CreditAction.GENERATE) * len(drafts),
            CreditAction.GENERATE,
            description=f"generation of {len(drafts)} post(s)",
            related_post_id=drafts[0].pending_id,
        )
        created = []
        for draft, reason in zip(drafts, reasons, strict=True):
            embedding = await store_embedding(
                ports,
                uow,
                org,
                ContentType.PENDING_POST,
                draft.pending_id,
                draft.content.content,
                draft.vector,
            )
            pending = PendingPost(
                id=draft.pending_id,
                organization_id=org,
                brand_profile_id=request.brand.id,
                material_id=request.material.id,
                schedule_id=request.schedule.id if request.schedule else None,
                platforms=draft.platforms,
                content=draft.content.content,
                hashtags=draft.content.hashtags,
                media_urls=draft.content.media_urls,
                angle=drafted.choice.angle,
                angle_reason=reason,
                is_exploration=drafted.choice.is_exploration,
                generation_mode=request.mode,
                scheduled_for=request.scheduled_for or now,
                embedding_id=embedding.id,
                created_at=now,
                updated_at=now,
            )
            if request.auto_approve:
                pending.status = PendingPostStatus.AUTO_APPROVED
            else:
                pending.status = PendingPostStatus.PENDING
                pending.expires_at = now + timedelta(hours=request.brand.approval_timeout)
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
                    await self._ports.notifier.approval_requested(
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
    if material.status not in GENERATABLE:
        raise ValidationError("material_id", "the material is not READY or USED")


class Generations(UseCases):
    """Manual generation (CREATE_CONTENT)."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports
        self._generator = Generator(ports)

    async def generate_post(
        self, actor_id: str, organization_id: str, command: GeneratePost
    ) -> list[PendingPost]:
        """Raises DuplicateContentError or InsufficientCreditsError having written nothing."""
        if len(set(command.platforms)) != len(command.platforms):
            raise ValidationError("platforms", "platforms must be distinct")
        ports = self._ports
        now = ports.clock.now()
        async with ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            brand, material = await _brand_and_material(uow, organization_id, command)
            rates = await self._generator.angle_rates(uow, brand, now)
        request = Generation(
            brand=brand,
            material=material,
            platforms=command.platforms,
            mode=GenerationMode.MANUAL,
            auto_approve=brand.auto_approve,
            unique_per_platform=command.unique_per_platform,
            scheduled_for=command.scheduled_for,
        )
        drafted = await self._generator.draft(request, rates)  # the models: no transaction
        async with ports.uow() as uow:
            # read again, locked: the organisation, the brand or the material may have been
            # deleted or changed during the models' call
            await live_organization(uow, organization_id, for_update=True)
            request = await self._generator.lock_sources(uow, request)
            created = await self._generator.store(uow, request, drafted, now)
            await uow.commit()
        await self._generator.notify(request.brand, created)
        return created


async def _brand_and_material(
    uow: UnitOfWork, organization_id: str, command: GeneratePost
) -> tuple[BrandProfile, Material]:
    brand = await uow.brands.get(organization_id, command.brand_profile_id)
    if brand is None:
        raise NotFoundError("brand_profile", command.brand_profile_id)
    material = await uow.materials.get(organization_id, command.material_id)
    if material is None:
        raise NotFoundError("material", command.material_id)
    return brand, material
