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
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.context import CoreConfig, Ports
from rabbit.application.facade import Rabbit
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


class MemoryStore(containers.DeclarativeContainer):
    """Repositories and unit of work in process memory (tests, demos, embedding)."""

    settings = providers.Dependency(instance_of=Settings)
    database = providers.Singleton(MemoryDatabase)
    uow = providers.Factory(MemoryUnitOfWork, database=database)


def _engine(settings: Settings) -> AsyncEngine:
    """The engine; statement parameters reach logs and error messages only in explicit
    development mode (``RABBIT_DEV=1``, ADR 0021)."""
    return build_engine(settings, hide_parameters=not settings.dev)


class PostgresStore(containers.DeclarativeContainer):
    """Repositories and unit of work on PostgreSQL + pgvector."""

    settings = providers.Dependency(instance_of=Settings)
    engine = providers.Singleton(_engine, settings=settings)
    lifecycle = providers.Resource(engine_lifecycle, engine=engine)
    uow = providers.Factory(PostgresUnitOfWork, engine=engine)


class LocalServices(containers.DeclarativeContainer):
    """The driven ports that need no database: local defaults, replaceable one by one."""

    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(Cuid2Ids)
    random = providers.Singleton(SeededRandom, seed=settings.provided.random_seed)
    cipher = providers.Singleton(build_cipher, settings=settings)
    embedder = providers.Singleton(HashingEmbedder)
    generator = providers.Singleton(TemplateContentGenerator)
    publisher = providers.Singleton(RecordingPublisher)
    notifier = providers.Singleton(LoggingNotifier)


def _core_config(settings: Settings) -> CoreConfig:
    return CoreConfig(
        exploration_rate=settings.exploration_rate,
        publish_max_attempts=settings.publish_max_attempts,
    )


class Container(containers.DeclarativeContainer):
    """Ports wired to adapters, and the two facades over them: ``rabbit`` (members) and
    ``system`` (workers and payment webhooks, ADR 0018)."""

    settings = providers.Dependency(instance_of=Settings)
    store = providers.DependenciesContainer(uow=providers.Dependency())
    services = providers.Container(LocalServices, settings=settings)
    ports = providers.Singleton(
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
        config=providers.Singleton(_core_config, settings=settings),
    )
    rabbit = providers.Singleton(Rabbit, ports=ports)
    system = providers.Singleton(RabbitSystem, ports=ports)


def create_container(settings: Settings | None = None) -> Container:
    """A container for ``settings`` (read from the environment when None), with the store
    the settings name."""
    settings = settings or Settings()
    store_class = MemoryStore if settings.store is StoreKind.MEMORY else PostgresStore
    given = providers.Object(settings)
    return Container(settings=given, store=store_class(settings=given))


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
