"""Generating posts from a material (autopilot or manual).

One generation, inside one unit of work (:class:`Generator`, used by the manual use case and
the autopilot tick):

1. choose the angle (``choose_angle``) from the brand's angle performance over the analytics
   window, with the configured exploration rate and the random port;
2. ask the content generator port for the post, embed it, and check duplicates against the
   organisation's posts and pending posts of the dedup window (the material's own embedding
   is not compared). TOO_SIMILAR raises :class:`DuplicateContentError` before anything is
   written or charged; SIMILAR proceeds and is noted in ``angle_reason``;
3. charge GENERATE once for the generation, priced per generated post (with
   ``unique_per_platform`` every platform gets its own post, so N posts cost N, in one ledger
   row); InsufficientCreditsError stops it before anything is written;
4. create the pending post(s) with their embeddings: AUTO_APPROVED when auto-approval
   applies, else PENDING with ``expires_at = now + approval_timeout`` hours.

Auto-approval: a manual post follows the brand's ``auto_approve``; an autopilot post needs
both the brand's and the schedule's (either one asking for review wins). The notifier is
told about PENDING posts after the commit (best effort), never inside the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field

from rabbit.application.authorization import authorize
from rabbit.application.context import Ports
from rabbit.application.credits import Credits
from rabbit.application.ports import ApprovalRequest, GenerationRequest, UnitOfWork
from rabbit.application.use_cases._base import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases.embeddings import check_duplicate, embed_one, store_embedding
from rabbit.domain.enums import (
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
from rabbit.domain.policies.angles import choose_angle
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.policies.pricing import price
from rabbit.domain.policies.similarity import Verdict

RECENT_CONTENT = frozenset({ContentType.POST, ContentType.PENDING_POST})
GENERATABLE = frozenset({MaterialStatus.READY, MaterialStatus.USED})


class GeneratePost(Command):
    material_id: str = Field(min_length=1)
    brand_profile_id: str = Field(min_length=1)
    platforms: tuple[SocialPlatform, ...] = Field(min_length=1)
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


class Generator:
    """The generation steps inside a caller's unit of work (no commit here)."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports
        self._credits = Credits(ports)

    async def generate(self, uow: UnitOfWork, request: Generation) -> list[PendingPost]:
        ports = self._ports
        now = ports.clock.now()
        org = request.brand.organization_id
        if request.material.status not in GENERATABLE:
            raise ValidationError("material_id", "the material is not READY or USED")
        posts = await uow.posts.find(
            org, brand_id=request.brand.id, published_since=now - ports.config.analytics_window
        )
        choice = choose_angle(
            request.material.suggested_angles,
            angle_rates(posts),
            ports.random,
            ports.config.exploration_rate,
        )
        groups = (
            [(p,) for p in request.platforms]
            if request.unique_per_platform
            else [request.platforms]
        )
        drafts = []
        exclude: list[tuple[ContentType, str]] = [(ContentType.MATERIAL, request.material.id)]
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
            check = await check_duplicate(
                uow,
                org,
                generated.content,
                vector,
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
            pending_id = ports.ids.new_id()
            exclude.append((ContentType.PENDING_POST, pending_id))
            reason = choice.reason
            if check.verdict is Verdict.SIMILAR:
                reason += f"; similar ({check.similarity:.2f}) to recent content"
            drafts.append((pending_id, platforms, generated, vector, reason))
        # One charge for the whole generation: it either books every post or (raising
        # InsufficientCreditsError before any write) none, so a caller may go on in its unit
        # of work after catching it.
        await self._credits.charge(
            uow,
            org,
            price(CreditAction.GENERATE) * len(drafts),
            CreditAction.GENERATE,
            description=f"generation of {len(drafts)} post(s)",
            related_post_id=drafts[0][0],
        )
        created = []
        for pending_id, platforms, generated, vector, reason in drafts:
            embedding = await store_embedding(
                ports, uow, org, ContentType.PENDING_POST, pending_id, generated.content, vector
            )
            pending = PendingPost(
                id=pending_id,
                organization_id=org,
                brand_profile_id=request.brand.id,
                material_id=request.material.id,
                schedule_id=request.schedule.id if request.schedule else None,
                platforms=platforms,
                content=generated.content,
                hashtags=generated.hashtags,
                media_urls=generated.media_urls,
                angle=choice.angle,
                angle_reason=reason,
                is_exploration=choice.is_exploration,
                generation_mode=request.mode.value,
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

    async def notify(self, brand: BrandProfile, created: list[PendingPost]) -> None:
        """Tell the brand's reviewers about PENDING posts (after the commit; best effort)."""
        for pending in created:
            if pending.status is PendingPostStatus.PENDING:
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
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            brand = await uow.brands.get(organization_id, command.brand_profile_id)
            if brand is None:
                raise NotFoundError("brand_profile", command.brand_profile_id)
            material = await uow.materials.get(organization_id, command.material_id)
            if material is None:
                raise NotFoundError("material", command.material_id)
            created = await self._generator.generate(
                uow,
                Generation(
                    brand=brand,
                    material=material,
                    platforms=command.platforms,
                    mode=GenerationMode.MANUAL,
                    auto_approve=brand.auto_approve,
                    unique_per_platform=command.unique_per_platform,
                    scheduled_for=command.scheduled_for,
                ),
            )
            await uow.commit()
        await self._generator.notify(brand, created)
        return created
