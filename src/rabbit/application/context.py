"""The ports the facades unpack, and the tunable rules of the core.

Each use case takes only the ports and rules it uses (ADR 0025); ``Rabbit`` and
``RabbitSystem`` are built over one ``Ports`` and hand each its share."""

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
from rabbit.domain.policies.analytics import DEFAULT_ANALYTICS_WINDOW
from rabbit.domain.policies.angles import DEFAULT_EXPLORATION_RATE
from rabbit.domain.policies.backoff import DEFAULT_PUBLISH_BACKOFF, DEFAULT_PUBLISH_BACKOFF_MAX
from rabbit.domain.policies.pricing import DEFAULT_ENTERPRISE_ALLOWANCE
from rabbit.domain.policies.publishing import DEFAULT_ATTEMPT_LEASE, DEFAULT_MAX_PUBLISH_ATTEMPTS
from rabbit.domain.policies.purging import DEFAULT_PURGE_RETENTION
from rabbit.domain.policies.scheduling import DEFAULT_SLOT_HOLD, DEFAULT_TICK_BATCH_SIZE
from rabbit.domain.policies.similarity import DEFAULT_DEDUP_WINDOW


@dataclass(frozen=True, slots=True)
class CoreConfig:
    """Rules of the core that a deployment may tune. Every default is the domain's constant
    named beside the rule it tunes (docs/architecture.md, "Where each rule lives"); none is
    written here."""

    exploration_rate: float = DEFAULT_EXPLORATION_RATE
    publish_max_attempts: int = DEFAULT_MAX_PUBLISH_ATTEMPTS
    publish_attempt_lease: timedelta = DEFAULT_ATTEMPT_LEASE
    """How long a STARTED publish attempt is presumed in flight before a lookup settles it."""
    publish_backoff: timedelta = DEFAULT_PUBLISH_BACKOFF
    """The first delay before a pending post that made no progress (no credits, an error, an
    unknown outcome) is tried again; it doubles with each further run without progress."""
    publish_backoff_max: timedelta = DEFAULT_PUBLISH_BACKOFF_MAX
    """The longest such delay."""
    purge_retention: timedelta = DEFAULT_PURGE_RETENTION
    dedup_window: timedelta = DEFAULT_DEDUP_WINDOW
    analytics_window: timedelta = DEFAULT_ANALYTICS_WINDOW
    slot_hold: timedelta = DEFAULT_SLOT_HOLD
    """How long a claimed schedule slot stays with its worker while the models write its
    posts (outside any transaction); a worker that dies lets the slot fall due again after
    this."""
    tick_batch_size: int = DEFAULT_TICK_BATCH_SIZE
    enterprise_allowance: int = DEFAULT_ENTERPRISE_ALLOWANCE


@dataclass(frozen=True, slots=True)
class Ports:
    """Every port of the core. Built once by the container; the facades unpack it."""

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
