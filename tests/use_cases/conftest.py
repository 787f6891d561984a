"""The ``ports`` the use-case tests run on: the memory store plus the local adapters.

``make_app`` builds a fresh, empty application (property tests need one per example);
``app`` is one of them. ``store_factory`` is parametrised: every test runs on the memory
store and on Postgres (the migrated test database, emptied before a new application's first
unit of work).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Self

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit.application.context import CoreConfig, Ports
from rabbit.application.ports import UnitOfWorkFactory
from rabbit_local.cipher import AesGcmTokenCipher
from rabbit_local.clock import FakeClock
from rabbit_local.embedder import HashingEmbedder
from rabbit_local.generator import TemplateContentGenerator
from rabbit_local.ids import SequentialIds
from rabbit_local.notifier import LoggingNotifier
from rabbit_local.publisher import RecordingPublisher
from rabbit_local.random import SeededRandom
from rabbit_memory import MemoryUnitOfWorkFactory
from rabbit_postgres.schema import metadata
from rabbit_postgres.unit_of_work import PostgresUnitOfWork, PostgresUnitOfWorkFactory

from .app import App

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEYS = {"k1": bytes(range(32)), "k2": bytes(range(32, 64))}


def cipher(current: str = "k1") -> AesGcmTokenCipher:
    """The test cipher: both keys known, ``current`` encrypts."""
    return AesGcmTokenCipher(KEYS, current)


class EmptyPostgresStore(PostgresUnitOfWorkFactory):
    """A Postgres store that is empty for its application: the shared test database is
    truncated when its first unit of work begins."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.emptied = False

    def __call__(self) -> PostgresUnitOfWork:
        return _EmptyingUnitOfWork(self)


class _EmptyingUnitOfWork(PostgresUnitOfWork):
    def __init__(self, store: EmptyPostgresStore) -> None:
        super().__init__(store.engine)
        self._store = store

    async def __aenter__(self) -> Self:
        if not self._store.emptied:
            self._store.emptied = True
            names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
            async with self._store.engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {names} CASCADE"))
        return await super().__aenter__()


@pytest.fixture(scope="session")
async def use_case_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(postgres_url)
    yield engine
    await engine.dispose()


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_factory(request: pytest.FixtureRequest) -> Callable[[], UnitOfWorkFactory]:
    """A maker of empty stores (looked up lazily, so memory runs start no server)."""
    if request.param == "memory":
        return MemoryUnitOfWorkFactory
    engine: AsyncEngine = request.getfixturevalue("use_case_engine")
    return lambda: EmptyPostgresStore(engine)


@pytest.fixture
def make_app(store_factory: Callable[[], UnitOfWorkFactory]) -> Callable[[], App]:
    def build() -> App:
        clock = FakeClock(START)
        ports = Ports(
            uow=store_factory(),
            clock=clock,
            ids=SequentialIds(),
            random=SeededRandom(7),
            cipher=cipher(),
            embedder=HashingEmbedder(),
            generator=TemplateContentGenerator(),
            publisher=RecordingPublisher(),
            notifier=LoggingNotifier(),
            config=CoreConfig(),
        )
        return App(ports, clock)

    return build


@pytest.fixture
def app(make_app: Callable[[], App]) -> App:
    return make_app()
