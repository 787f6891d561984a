"""What a use case is given: the ports it may use and the tunable rules of the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from rabbit.application.ports import (
    Clock,
    ContentGenerator,
    Embedder,
    IdGenerator,
    Notifier,
    Publisher,
    RandomSource,
    TokenCipher,
    UnitOfWorkFactory,
)


@dataclass(frozen=True, slots=True)
class CoreConfig:
    """Rules of the core that a deployment may tune (defaults are the spec's)."""

    exploration_rate: float = 0.1
    publish_max_attempts: int = 3
    publish_attempt_lease: timedelta = field(default_factory=lambda: timedelta(minutes=2))
    """How long a STARTED publish attempt is presumed in flight before a lookup settles it."""
    publish_backoff: timedelta = field(default_factory=lambda: timedelta(minutes=1))
    """The first delay before a pending post that made no progress (no credits, an error, an
    unknown outcome) is tried again; it doubles with each further run without progress."""
    publish_backoff_max: timedelta = field(default_factory=lambda: timedelta(hours=1))
    """The longest such delay."""
    purge_retention: timedelta = field(default_factory=lambda: timedelta(days=30))
    dedup_window: timedelta = field(default_factory=lambda: timedelta(days=30))
    analytics_window: timedelta = field(default_factory=lambda: timedelta(days=30))
    slot_hold: timedelta = field(default_factory=lambda: timedelta(minutes=10))
    """How long a claimed schedule slot stays with its worker while the models write its
    posts (outside any transaction); a worker that dies lets the slot fall due again after
    this."""
    tick_batch_size: int = 100
    enterprise_allowance: int = 10_000


@dataclass(frozen=True, slots=True)
class Ports:
    """Every port a use case may call. Built once by the container; cheap to share."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    random: RandomSource
    cipher: TokenCipher
    embedder: Embedder
    generator: ContentGenerator
    publisher: Publisher
    notifier: Notifier
    config: CoreConfig = field(default_factory=CoreConfig)
