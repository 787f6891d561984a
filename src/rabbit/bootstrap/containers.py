"""The composition root: the only code that knows both the ports and the adapters.

Two store containers offer the same provider names (``uow``), so swapping the in-memory
store for PostgreSQL is one setting (``RABBIT_STORE``) or one ``override`` call. The unit of
work is a ``Factory``: a fresh one per use-case call, never shared.

Usage::

    await migrate(settings)  # once per deployment, or `rabbit db upgrade`
    async with running(create_container(settings)) as container:  # checks the database
        rabbit = container.rabbit()  # the member facade, for what users do
        system = container.system()  # the system facade, for workers and payment webhooks
        ...
    # leaving the block disposes of the engine

**Development adapters** (ADR 0029): the recording publisher and the logging notifier are
the defaults only where ``Settings.local_conveniences`` holds (``RABBIT_DEV=1``, the embedded
server, the memory store). Elsewhere the publisher refuses every call and the tick stops
with :class:`~rabbit.domain.errors.AdapterNotConfiguredError` until the application plugs
in its own; the notifier logs an ERROR per notice it cannot deliver::

    container = create_container(Settings())
    container.services.publisher.override(providers.Object(MyPlatforms()))
    container.services.notifier.override(providers.Object(MyMailer()))

**Override before first use.** Every provider here refuses an ``override`` once it has
provided something (:class:`OverrideAfterUseError`): the ports and the facades already hold
what it gave, so a late override would be silently ignored. There is no reset; build a new
container (cheap: nothing is shared between containers).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.context import CoreConfig, Ports
from rabbit.application.facade import Rabbit
from rabbit.application.ports.notifier import Notifier
from rabbit.application.ports.publisher import Publisher
from rabbit.application.ports.unconfigured import UnconfiguredNotifier, UnconfiguredPublisher
from rabbit.application.system import RabbitSystem
from rabbit.bootstrap.database import check_schema
from rabbit.bootstrap.keys import build_cipher
from rabbit.bootstrap.settings import Settings, StoreKind
from rabbit_local import (
    Cuid2Ids,
    HashingEmbedder,
    LoggingNotifier,
    RecordingPublisher,
    SeededRandom,
    SystemClock,
    TemplateContentGenerator,
)
from rabbit_memory import MemoryDatabase, MemoryUnitOfWork
from rabbit_postgres.runtime import build_engine, engine_lifecycle
from rabbit_postgres.unit_of_work import PostgresUnitOfWork


class OverrideAfterUseError(RuntimeError):
    """A provider was overridden after it had provided something: whatever holds what it
    gave (the ports, the facades, a unit of work) would keep the old one, so the override
    would be silently ignored. Override before the first ``container.ports()``,
    ``rabbit()`` or ``system()`` (or ``running()``), or build a new container."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} was already used: override it before the first container.ports(), "
            f"container.rabbit() or container.system() (or running()), or build a new container"
        )
        self.name = name


class _RefusesLateOverride:
    """Mixin of this module's providers: remembers its first successful call and refuses an
    ``override`` after it (:class:`OverrideAfterUseError`)."""

    _used = False
    _name = ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = super().__call__(*args, **kwargs)  # type: ignore[misc]
        self._used = True
        return result

    def override(self, provider: Any) -> Any:
        if self._used:
            raise OverrideAfterUseError(self._name or repr(self))
        return super().override(provider)  # type: ignore[misc]


class Singleton(_RefusesLateOverride, providers.Singleton):  # type: ignore[type-arg]
    """``providers.Singleton`` that refuses an override after first use."""


class Factory(_RefusesLateOverride, providers.Factory):  # type: ignore[type-arg]
    """``providers.Factory`` that refuses an override after first use."""


class Dependency(_RefusesLateOverride, providers.Dependency):  # type: ignore[type-arg]
    """``providers.Dependency`` that refuses an override after first use."""


class MemoryStore(containers.DeclarativeContainer):
    """Repositories and unit of work in process memory (tests, demos, embedding)."""

    settings = providers.Dependency(instance_of=Settings)
    database = Singleton(MemoryDatabase)
    uow = Factory(MemoryUnitOfWork, database=database)


def _engine(settings: Settings) -> AsyncEngine:
    """The engine; statement parameters reach logs and error messages only in explicit
    development mode (``RABBIT_DEV=1``, ADR 0021)."""
    return build_engine(settings, hide_parameters=not settings.dev)


class PostgresStore(containers.DeclarativeContainer):
    """Repositories and unit of work on PostgreSQL + pgvector."""

    settings = providers.Dependency(instance_of=Settings)
    engine = Singleton(_engine, settings=settings)
    lifecycle = providers.Resource(engine_lifecycle, engine=engine)
    uow = Factory(PostgresUnitOfWork, engine=engine)


_NOT_CONFIGURED = (
    "override container.services.{name} with your own, or set RABBIT_DEV=1 for the {local} "
    "one ({what}); see ADR 0029"
)


def _publisher(settings: Settings) -> Publisher:
    """The recording publisher in development, else one that refuses every call."""
    if settings.local_conveniences:
        return RecordingPublisher(keep=settings.dev_history)
    return UnconfiguredPublisher(
        _NOT_CONFIGURED.format(name="publisher", local="recording", what="it publishes nowhere")
    )


def _notifier(settings: Settings) -> Notifier:
    """The logging notifier in development, else one that logs each undelivered notice as
    an ERROR."""
    if settings.local_conveniences:
        return LoggingNotifier(keep=settings.dev_history)
    return UnconfiguredNotifier(
        _NOT_CONFIGURED.format(name="notifier", local="logging", what="it only logs")
    )


class LocalServices(containers.DeclarativeContainer):
    """The driven ports that need no database: local defaults, replaceable one by one."""

    settings = providers.Dependency(instance_of=Settings)
    clock = Singleton(SystemClock)
    ids = Singleton(Cuid2Ids)
    random = Singleton(SeededRandom, seed=settings.provided.random_seed)
    cipher = Singleton(build_cipher, settings=settings)
    embedder = Singleton(HashingEmbedder)
    generator = Singleton(TemplateContentGenerator)
    publisher = Singleton(_publisher, settings=settings)
    notifier = Singleton(_notifier, settings=settings)


def _core_config(settings: Settings) -> CoreConfig:
    return CoreConfig(
        exploration_rate=settings.exploration_rate,
        publish_max_attempts=settings.publish_max_attempts,
    )


class Container(containers.DeclarativeContainer):
    """Ports wired to adapters, and the two facades over them: ``rabbit`` (members) and
    ``system`` (workers and payment webhooks, ADR 0018)."""

    settings = providers.Dependency(instance_of=Settings)
    store = providers.DependenciesContainer(uow=Dependency())
    services = providers.Container(LocalServices, settings=settings)
    ports = Singleton(
        Ports,
        uow=store.uow.provider,
        clock=services.clock,
        ids=services.ids,
        random=services.random,
        cipher=services.cipher,
        embedder=services.embedder,
        generator=services.generator,
        publisher=services.publisher,
        notifier=services.notifier,
        config=Singleton(_core_config, settings=settings),
    )
    rabbit = Singleton(Rabbit, ports=ports)
    system = Singleton(RabbitSystem, ports=ports)


def create_container(settings: Settings | None = None) -> Container:
    """A container for ``settings`` (read from the environment when None), with the store
    the settings name."""
    settings = settings or Settings()
    store_class = MemoryStore if settings.store is StoreKind.MEMORY else PostgresStore
    given = providers.Object(settings)
    store = store_class(settings=given)
    container = Container(settings=given, store=store)
    name_providers(container, store)
    return container


def name_providers(container: Container, store: containers.Container) -> None:
    """Give each provider its dotted name (``container.services.publisher``), which
    :class:`OverrideAfterUseError` quotes."""
    named = (
        ("container", container),
        ("container.store", container.store),  # the store's dependencies (``uow``)
        ("container.store", store),
        ("container.services", container.services()),
    )
    for prefix, owner in named:
        for name, provider in owner.providers.items():
            if isinstance(provider, _RefusesLateOverride):
                provider._name = f"{prefix}.{name}"


@asynccontextmanager
async def running(container: Container) -> AsyncIterator[Container]:
    """Start the core and shut it down at exit, whichever store is plugged in.

    A start that cannot run safely fails here, before any work (ADR 0017): the token cipher
    is built first (no configured keys on a ``DATABASE_URL`` server, or a key file others
    may read, is :class:`~rabbit.domain.errors.TokenKeyError` before the database is even
    contacted), then the store's resources start (the engine check), then a PostgreSQL
    schema not at the code's head revision (a fresh database included) is refused with a
    one-line :class:`~rabbit_postgres.errors.SchemaNotCurrentError` saying how to migrate
    (ADR 0027), then the cipher's key fingerprints are registered and compared with the
    database's, so a key id naming another key than on the other workers refuses the start.
    """
    container.services.cipher()
    await _maybe_await(container.init_resources())
    try:
        if container.settings().store is StoreKind.POSTGRES:
            await check_schema(container.store.engine())
        await container.system().token_keys.check_fingerprints()
        yield container
    finally:
        await _maybe_await(container.shutdown_resources())


async def _maybe_await(result: Awaitable[None] | None) -> None:
    """dependency-injector returns an awaitable only when an async resource exists."""
    if result is not None:
        await result
