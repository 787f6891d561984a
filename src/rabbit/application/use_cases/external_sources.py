"""External sources (shops, feeds) a brand's materials come from.

Each source type declares its connection fields, each secret or not
(:data:`~rabbit.domain.values.SOURCE_CONFIGS`, docs/adr/0016-secrets-bound-to-their-place.md):
an undeclared key is refused, naming ``connection_config.<key>``. Every secret value is
encrypted with the token cipher, bound to its source's row and field, before the entity is
built, so it reaches no repository, log or repr in plain text; callers get a read model
(:class:`ExternalSourceView`) in which a secret that is set shows as
:data:`~rabbit.domain.values.SECRET_MASK`, never its ciphertext. The crawl frequency is a
cron expression checked by the cron policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from types import MappingProxyType
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from rabbit.application.authorization import authorize
from rabbit.application.ports import (
    Clock,
    IdGenerator,
    SecretContext,
    TokenCipher,
    UnitOfWorkFactory,
)
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases._lookups import existing_brand
from rabbit.domain import limits
from rabbit.domain.enums import ExternalSourceType
from rabbit.domain.model import ExternalSource
from rabbit.domain.policies.cron import validate_cron
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.values import ExternalSourceConfig, PublicUrl, source_config_input

TABLE = "external_sources"


class AddExternalSource(Command):
    """A new source. ``connection_config`` is given as a mapping of the type's declared
    fields and held as that type's config, whose secret values no repr shows."""

    type: ExternalSourceType
    name: str = Field(min_length=1, max_length=limits.MAX_NAME)
    store_url: PublicUrl | None = Field(default=None, max_length=limits.MAX_URL)
    connection_config: ExternalSourceConfig = Field(
        default_factory=dict,  # validated into the type's config (validate_default)
        validate_default=True,
        repr=False,  # its secrets are SecretStr too; the plain settings need no repr either
    )
    crawl_frequency: str = Field(default="0 0 * * *", max_length=limits.MAX_SHORT_TEXT)

    @field_validator("connection_config", mode="before")
    @classmethod
    def _declared_fields(cls, value: Any, info: ValidationInfo) -> Any:
        source_type = info.data.get("type")
        if source_type is None or isinstance(value, ExternalSourceConfig):
            return value  # the type itself is invalid: that error is reported
        return source_config_input(source_type, value)


@dataclass(frozen=True, slots=True)
class ExternalSourceView:
    """What a caller sees of a source: its settings, each secret that is set as
    :data:`~rabbit.domain.values.SECRET_MASK` (so a VIEWER learns that a key is set and
    nothing of it), no ciphertext."""

    id: str
    organization_id: str
    brand_profile_id: str
    type: ExternalSourceType
    name: str
    store_url: str | None
    connection_config: Mapping[str, Any]
    last_crawl_at: datetime | None
    crawl_frequency: str
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, source: ExternalSource) -> ExternalSourceView:
        """Every field as the source holds it, but its configuration masked."""
        shown = {f.name: getattr(source, f.name) for f in fields(cls)}
        shown["connection_config"] = MappingProxyType(source.connection_config.masked())
        return cls(**shown)


class ExternalSources(UseCases):
    """Add and list a brand's sources (MANAGE_BRANDS to add, VIEW_ANALYTICS to list)."""

    def __init__(
        self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, cipher: TokenCipher
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._cipher = cipher

    async def add_external_source(
        self, actor_id: str, organization_id: str, brand_id: str, command: AddExternalSource
    ) -> ExternalSourceView:
        crawl_frequency = validate_cron(command.crawl_frequency, "crawl_frequency")
        source_id = self._ids.new_id()  # before encrypting: each secret is bound to it
        source = ExternalSource.added(
            id=source_id,
            organization_id=organization_id,
            brand_profile_id=brand_id,
            type=command.type,
            name=command.name,
            store_url=command.store_url,
            connection_config=encrypt_secrets(
                self._cipher, command.connection_config, organization_id, source_id
            ),
            crawl_frequency=crawl_frequency,
            now=self._clock.now(),
        )
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            await existing_brand(uow, organization_id, brand_id)
            await uow.external_sources.add(source)
            await uow.commit()
        return ExternalSourceView.of(source)

    async def list_external_sources(
        self, actor_id: str, organization_id: str, brand_id: str | None = None
    ) -> list[ExternalSourceView]:
        """Sources by created_at, their secrets masked."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            sources = await uow.external_sources.find(organization_id, brand_id=brand_id)
        return [ExternalSourceView.of(source) for source in sources]


def secret_context(organization_id: str, source_id: str, path: str) -> SecretContext:
    """The place of the secret at ``path`` (``api_key``, ``headers.Authorization``) of a
    source's ``connection_config``."""
    return SecretContext(TABLE, f"connection_config.{path}", organization_id, source_id)


def encrypt_secrets(
    cipher: TokenCipher, config: ExternalSourceConfig, organization_id: str, source_id: str
) -> ExternalSourceConfig:
    """The config with every secret value replaced by its stored form, bound to its place."""
    return config.with_secrets(
        {
            path: cipher.encrypt(value, secret_context(organization_id, source_id, path))
            for path, value in config.secrets().items()
        }
    )


def decrypt_secret(cipher: TokenCipher, source: ExternalSource, path: str) -> str:
    """The plain value of one secret of a stored source (the crawler's use);
    UnreadableSecretError when it was not encrypted for this source and field."""
    stored = source.connection_config.secrets()[path]
    return cipher.decrypt(stored, secret_context(source.organization_id, source.id, path))
