"""Brand profiles: create with every default, update, soft delete, restore, read.

The JSON settings arrive as value objects (validated by pydantic inside the command, so a
bad colour fails as ``colors.primary``); fields left out take the entity's defaults on
create and stay as they are on update.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from rabbit.application.authorization import authorize
from rabbit.application.ports import Clock, IdGenerator, UnitOfWorkFactory
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases._lookups import existing_brand
from rabbit.domain import limits
from rabbit.domain.enums import FontPreference, VisualStyle
from rabbit.domain.model import BrandProfile
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.values import (
    BrandColors,
    ContentPillars,
    ExamplePost,
    LanguageRules,
    PlatformSettings,
    PublicUrl,
    Word,
)


class _BrandFields(Command):
    """The editable fields of a brand; every one optional here."""

    logo: PublicUrl | None = Field(default=None, max_length=limits.MAX_URL)
    icon: PublicUrl | None = Field(default=None, max_length=limits.MAX_URL)
    colors: BrandColors | None = None
    visual_style: VisualStyle | None = None
    font_preference: FontPreference | None = None
    tone: tuple[Word, ...] | None = Field(default=None, max_length=limits.MAX_WORDS)
    personality: str | None = Field(default=None, max_length=limits.MAX_TEXT)
    language_rules: LanguageRules | None = None
    example_posts: tuple[ExamplePost, ...] | None = Field(
        default=None, max_length=limits.MAX_EXAMPLE_POSTS
    )
    custom_context: str | None = Field(default=None, max_length=limits.MAX_TEXT)
    target_audience: str | None = Field(default=None, max_length=limits.MAX_TEXT)
    content_pillars: ContentPillars | None = None
    platform_settings: PlatformSettings | None = None
    auto_approve: bool | None = None
    notify_email: str | None = Field(
        default=None,
        max_length=limits.MAX_EMAIL,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        repr=False,  # personal data (ADR 0021)
    )
    notify_webhook: PublicUrl | None = Field(
        default=None,
        max_length=limits.MAX_URL,
        repr=False,  # a webhook URL is often its own credential (ADR 0021)
    )
    approval_timeout: int | None = Field(default=None, ge=1, le=24 * 30)

    @field_validator("content_pillars", mode="before")
    @classmethod
    def _pillars_as_list(cls, value: Any) -> Any:
        """Accept the stored form (a bare list of pillars) as well as the wrapped one."""
        return {"pillars": value} if isinstance(value, list | tuple) else value

    @field_validator("platform_settings", mode="before")
    @classmethod
    def _settings_as_mapping(cls, value: Any) -> Any:
        """Accept the stored form (a bare mapping keyed by platform)."""
        if isinstance(value, dict) and "platforms" not in value:
            return {"platforms": value}
        return value

    def changes(self) -> dict[str, Any]:
        """The fields the caller set, as entity attribute values (None left out)."""
        return {
            name: getattr(self, name)
            for name in self.model_fields_set
            if getattr(self, name) is not None or name in _NULLABLE
        }


_NULLABLE = frozenset(
    {
        "logo",
        "icon",
        "personality",
        "custom_context",
        "target_audience",
        "notify_email",
        "notify_webhook",
    }
)


class CreateBrand(_BrandFields):
    name: str = Field(min_length=1, max_length=limits.MAX_NAME)


class UpdateBrand(_BrandFields):
    name: str | None = Field(default=None, min_length=1, max_length=limits.MAX_NAME)


class Brands(UseCases):
    """Brand profiles of an organisation (MANAGE_BRANDS to change, VIEW_ANALYTICS to read)."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def create_brand(
        self, actor_id: str, organization_id: str, command: CreateBrand
    ) -> BrandProfile:
        now = self._clock.now()
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            brand = BrandProfile.created(
                id=self._ids.new_id(),
                organization_id=organization_id,
                settings=command.changes(),
                now=now,
            )
            await uow.brands.add(brand)
            await uow.commit()
        return brand

    async def update_brand(
        self, actor_id: str, organization_id: str, brand_id: str, command: UpdateBrand
    ) -> BrandProfile:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            brand = await existing_brand(uow, organization_id, brand_id, for_update=True)
            brand.edit(command.changes(), self._clock.now())
            await uow.brands.update(brand)
            await uow.commit()
        return brand

    async def delete_brand(self, actor_id: str, organization_id: str, brand_id: str) -> None:
        """Soft delete: hidden from every ordinary query until restored or purged."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            brand = await existing_brand(uow, organization_id, brand_id, for_update=True)
            brand.delete(self._clock.now())
            await uow.brands.update(brand)
            await uow.commit()

    async def restore_brand(
        self, actor_id: str, organization_id: str, brand_id: str
    ) -> BrandProfile:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            brand = await existing_brand(
                uow, organization_id, brand_id, include_deleted=True, for_update=True
            )
            brand.restore(self._clock.now())
            await uow.brands.update(brand)
            await uow.commit()
        return brand

    async def get_brand(self, actor_id: str, organization_id: str, brand_id: str) -> BrandProfile:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            return await existing_brand(uow, organization_id, brand_id)

    async def list_brands(
        self, actor_id: str, organization_id: str, *, include_deleted: bool = False
    ) -> list[BrandProfile]:
        """Brands by created_at; ``include_deleted`` for audit views."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            return await uow.brands.find(organization_id, include_deleted=include_deleted)
