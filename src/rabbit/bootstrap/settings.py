"""Settings from the environment: ``DATABASE_URL`` and ``RABBIT_``-prefixed variables.

Only the composition root reads the environment; the core receives plain values.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from rabbit.domain.policies.angles import DEFAULT_EXPLORATION_RATE
from rabbit.domain.policies.publishing import DEFAULT_MAX_PUBLISH_ATTEMPTS
from rabbit_local.history import DEFAULT_DEV_HISTORY


class StoreKind(StrEnum):
    POSTGRES = "postgres"
    MEMORY = "memory"


class Settings(BaseSettings):
    """Every knob of the service core, with the defaults a local run needs."""

    model_config = SettingsConfigDict(env_prefix="RABBIT_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "RABBIT_DATABASE_URL"),
        description="postgresql://user:pass@host:5432/db; unset: the embedded server",
        repr=False,  # holds the database password (ADR 0021)
    )
    store: StoreKind = Field(default=StoreKind.POSTGRES, description="postgres or memory")
    dev: bool = Field(
        default=False,
        description="explicit development mode (RABBIT_DEV=1): conveniences that must never "
        "switch on by themselves where a real database is configured",
    )
    data_dir: Path = Field(
        default=Path(".rabbit"), description="where the embedded server and local keys live"
    )
    token_keys: str | None = Field(
        default=None,
        description="token cipher keys as 'id=base64key,…'; unset: RABBIT_TOKEN_KEYS_FILE, "
        "else (local conveniences only) a development key kept in data_dir",
        repr=False,  # the keys themselves (ADR 0021)
    )
    token_keys_file: Path | None = Field(
        default=None,
        description="a file of 'id=base64key' entries (one a line or comma-separated), owned "
        "by the service's user and private to it (no group or other permission bits)",
    )
    token_key_id: str | None = Field(
        default=None, description="the key id new values are encrypted with (default: first)"
    )
    exploration_rate: float = Field(default=DEFAULT_EXPLORATION_RATE, ge=0.0, le=1.0)
    publish_max_attempts: int = Field(default=DEFAULT_MAX_PUBLISH_ATTEMPTS, ge=1, le=20)
    random_seed: int | None = Field(default=None, description="seed the random source")
    dev_history: int = Field(
        default=DEFAULT_DEV_HISTORY,
        ge=0,
        le=1_000_000,
        description="how many recent publications and notices the development publisher and "
        "notifier keep in memory (RABBIT_DEV_HISTORY); older ones are dropped",
    )

    @property
    def uses_embedded_server(self) -> bool:
        """True when no ``DATABASE_URL`` is configured: the embedded server in the data folder
        (or the memory store), a developer's own local database."""
        return self.store is StoreKind.MEMORY or not (
            self.database_url and self.database_url.strip()
        )

    @property
    def local_conveniences(self) -> bool:
        """Whether development conveniences (a token key generated into the data folder, the
        recording publisher and the logging notifier as defaults, ADR 0017 and 0029) may be
        used: in explicit development mode, or on the local embedded server or the memory
        store, never silently on a ``DATABASE_URL`` server."""
        return self.dev or self.uses_embedded_server
