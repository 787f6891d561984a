"""External sources (shops, feeds) a brand's materials come from.

Secret values of the connection config are encrypted with the token cipher before the
entity is built, so they reach no repository, log or repr in plain text; the crawl
frequency is a cron expression checked by the cron policy.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from rabbit.application.authorization import authorize
from rabbit.application.context import Ports
from rabbit.application.ports import TokenCipher
from rabbit.application.use_cases._base import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.domain import limits
from rabbit.domain.enums import ExternalSourceType
from rabbit.domain.errors import NotFoundError, ValidationError
from rabbit.domain.model import ExternalSource
from rabbit.domain.policies.cron import validate_cron
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.values import ExternalSourceConfig, PublicUrl, parse_value


class AddExternalSource(Command):
    type: ExternalSourceType
    name: str = Field(min_length=1, max_length=limits.MAX_NAME)
    store_url: PublicUrl | None = Field(default=None, max_length=limits.MAX_URL)
    connection_config: dict[
        Annotated[str, Field(max_length=limits.MAX_SHORT_TEXT)],
        Any,
    ] = Field(default_factory=dict, max_length=limits.MAX_CONFIG_KEYS, repr=False)
    crawl_frequency: str = Field(default="0 0 * * *", max_length=limits.MAX_SHORT_TEXT)

    @field_validator("connection_config")
    @classmethod
    def _values_fit(cls, config: dict[str, Any]) -> dict[str, Any]:
        for key, value in config.items():
            if isinstance(value, str) and len(value) > limits.MAX_SECRET:
                raise ValidationError(
                    f"connection_config.{limits.shorten(key)}",
                    f"must be at most {limits.MAX_SECRET} characters",
                )
        return config


class ExternalSources(UseCases):
    """Add and list a brand's sources (MANAGE_BRANDS to add, VIEW_ANALYTICS to list)."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports

    async def add_external_source(
        self, actor_id: str, organization_id: str, brand_id: str, command: AddExternalSource
    ) -> ExternalSource:
        crawl_frequency = validate_cron(command.crawl_frequency, "crawl_frequency")
        config = parse_value(
            ExternalSourceConfig, command.connection_config, field_prefix="connection_config"
        )
        config = encrypt_secrets(self._ports.cipher, config)
        now = self._ports.clock.now()
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            if await uow.brands.get(organization_id, brand_id) is None:
                raise NotFoundError("brand_profile", brand_id)
            source = ExternalSource(
                id=self._ports.ids.new_id(),
                organization_id=organization_id,
                brand_profile_id=brand_id,
                type=command.type,
                name=command.name,
                store_url=command.store_url,
                connection_config=config,
                crawl_frequency=crawl_frequency,
                created_at=now,
                updated_at=now,
            )
            await uow.external_sources.add(source)
            await uow.commit()
        return source

    async def list_external_sources(
        self, actor_id: str, organization_id: str, brand_id: str | None = None
    ) -> list[ExternalSource]:
        """Sources by created_at (their secrets stay encrypted and masked)."""
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            return await uow.external_sources.find(organization_id, brand_id=brand_id)


def encrypt_secrets(cipher: TokenCipher, config: ExternalSourceConfig) -> ExternalSourceConfig:
    """The config with every secret value replaced by its stored (encrypted) form."""
    return config.with_secrets({k: cipher.encrypt(v) for k, v in config.secrets().items()})


def reencrypt_secrets(
    cipher: TokenCipher, config: ExternalSourceConfig
) -> ExternalSourceConfig | None:
    """The config re-encrypted with the current key, or None when it already is."""
    secrets = config.secrets()
    if all(cipher.key_id_of(v) == cipher.current_key_id for v in secrets.values()):
        return None
    return config.with_secrets({k: cipher.encrypt(cipher.decrypt(v)) for k, v in secrets.items()})
