"""Manual generation: a member asks for post(s) from a material (CREATE_CONTENT).

The steps (read, draft with the models outside any transaction, lock, check duplicates,
charge, store, notify) are :class:`~.generation_steps.GenerationSteps`, shared with the
autopilot tick. A manual post follows the brand's ``auto_approve``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from rabbit.application.authorization import authorize, live_organization
from rabbit.application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases._lookups import existing_brand, existing_material
from rabbit.application.use_cases.generation_steps import GenerationBrief, GenerationSteps
from rabbit.domain import limits
from rabbit.domain.enums import GenerationMode, SocialPlatform
from rabbit.domain.errors import ValidationError
from rabbit.domain.model import BrandProfile, Material, PendingPost
from rabbit.domain.policies.permissions import Permission


class GeneratePost(Command):
    material_id: str = Field(min_length=1, max_length=limits.MAX_ID)
    brand_profile_id: str = Field(min_length=1, max_length=limits.MAX_ID)
    platforms: tuple[SocialPlatform, ...] = Field(min_length=1, max_length=limits.MAX_PLATFORMS)
    unique_per_platform: bool = False
    scheduled_for: datetime | None = None


class Generations(UseCases):
    """Generation on a member's request (the facade's ``generations``)."""

    def __init__(
        self, *, uow: UnitOfWorkFactory, clock: Clock, generation_steps: GenerationSteps
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._generation_steps = generation_steps

    async def generate_post(
        self, actor_id: str, organization_id: str, command: GeneratePost
    ) -> list[PendingPost]:
        """Raises DuplicateContentError or InsufficientCreditsError having written nothing."""
        if len(set(command.platforms)) != len(command.platforms):
            raise ValidationError("platforms", "platforms must be distinct")
        now = self._clock.now()
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            brand, material = await _brand_and_material(uow, organization_id, command)
            rates = await self._generation_steps.angle_rates(uow, brand, now)
        brief = GenerationBrief(
            brand=brand,
            material=material,
            platforms=command.platforms,
            mode=GenerationMode.MANUAL,
            unique_per_platform=command.unique_per_platform,
            scheduled_for=command.scheduled_for,
        )
        batch = await self._generation_steps.draft(brief, rates)  # the models: no transaction
        async with self._uow() as uow:
            # read again, locked: the organisation, the brand or the material may have been
            # deleted or changed during the models' call
            await live_organization(uow, organization_id, for_update=True)
            brief = await self._generation_steps.lock_sources(uow, brief)
            created = await self._generation_steps.store(uow, brief, batch, now)
            await uow.commit()
        await self._generation_steps.notify(brief.brand, created)
        return created


async def _brand_and_material(
    uow: UnitOfWork, organization_id: str, command: GeneratePost
) -> tuple[BrandProfile, Material]:
    brand = await existing_brand(uow, organization_id, command.brand_profile_id)
    material = await existing_material(uow, organization_id, command.material_id)
    return brand, material
