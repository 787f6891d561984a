"""Settings from the environment: ``DATABASE_URL`` and ``RABBIT_``-prefixed variables.

Only the composition root reads the environment; the core receives plain values.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    )
    store: StoreKind = Field(default=StoreKind.POSTGRES, description="postgres or memory")
    data_dir: Path = Field(
        default=Path(".rabbit"), description="where the embedded server and local keys live"
    )
    token_keys: str | None = Field(
        default=None,
        description="token cipher keys as 'id=base64key,…'; unset: a key kept in data_dir",
    )
    token_key_id: str | None = Field(
        default=None, description="the key id new values are encrypted with (default: first)"
    )
    exploration_rate: float = Field(default=0.1, ge=0.0, le=1.0)
    publish_max_attempts: int = Field(default=3, ge=1, le=20)
    random_seed: int | None = Field(default=None, description="seed the random source")
