"""Reliability tests: the use cases on the migrated Postgres test database (emptied per app)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from rabbit.application.context import CoreConfig, Ports
from rabbit.application.ports import UnitOfWorkFactory
from rabbit_local.clock import FakeClock
from rabbit_local.embedder import HashingEmbedder
from rabbit_local.generator import TemplateContentGenerator
from rabbit_local.ids import SequentialIds
from rabbit_local.notifier import LoggingNotifier
from rabbit_local.publisher import RecordingPublisher
from rabbit_local.random import SeededRandom
from rabbit_postgres.schema import metadata
from use_cases.app import App
from use_cases.conftest import START, EmptyPostgresStore, cipher


@pytest.fixture(scope="session")
async def reliability_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(postgres_url, pool_size=20, max_overflow=10)
    yield engine
    await engine.dispose()


def build_app(uow: UnitOfWorkFactory, clock: FakeClock | None = None) -> App:
    clock = clock or FakeClock(START)
    ports = Ports(
        uow=uow,
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


@pytest.fixture
def postgres_app(reliability_engine: AsyncEngine) -> Callable[[], App]:
    """A maker of applications on the emptied Postgres test database."""
    return lambda: build_app(EmptyPostgresStore(reliability_engine))


@pytest.fixture(autouse=True)
async def leave_postgres_empty(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Postgres tests here leave the shared test database empty for the folders after."""
    yield
    if request.node.get_closest_marker("postgres") is None:
        return
    engine = create_async_engine(request.getfixturevalue("postgres_url"), poolclass=NullPool)
    try:
        names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {names} CASCADE"))
    finally:
        await engine.dispose()
