"""Fixtures of the use cases run on Postgres under contention and inspected with raw SQL.

``wide_engine`` is an engine of its own on the migrated test database, with a pool wide
enough for the concurrent tests' units of work to overlap (:data:`POOL_SIZE` connections
at once), disposed after each test so that it keeps no connection of the server's limited
supply. ``pg_app`` is the use-case application (``use_cases.app.App``) over that engine, on
a store emptied before its first unit of work. ``checkouts`` counts the connections the
engine hands out at once, which shows that concurrent calls really overlapped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit.application.context import CoreConfig, Ports
from rabbit_local.clock import FakeClock
from rabbit_local.embedder import HashingEmbedder
from rabbit_local.generator import TemplateContentGenerator
from rabbit_local.ids import SequentialIds
from rabbit_local.notifier import LoggingNotifier
from rabbit_local.publisher import RecordingPublisher
from rabbit_local.random import SeededRandom
from use_cases.app import App
from use_cases.conftest import START, EmptyPostgresStore, cipher

#: Connections the concurrent tests may hold at once (the server allows 100 in all).
POOL_SIZE = 40


@pytest.fixture
async def wide_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(
        postgres_url, pool_size=POOL_SIZE, max_overflow=0, pool_timeout=120
    )
    yield engine
    await engine.dispose()


@pytest.fixture
def pg_app(wide_engine: AsyncEngine) -> App:
    clock = FakeClock(START)
    ports = Ports(
        uow=EmptyPostgresStore(wide_engine),
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


@dataclass
class Checkouts:
    """Connections checked out of the pool now, and the most at any one time."""

    current: int = 0
    peak: int = 0

    def checkout(self, *_: Any) -> None:
        self.current += 1
        self.peak = max(self.peak, self.current)

    def checkin(self, *_: Any) -> None:
        self.current -= 1


@pytest.fixture
def checkouts(wide_engine: AsyncEngine) -> Checkouts:
    counter = Checkouts()
    sa.event.listen(wide_engine.sync_engine, "checkout", counter.checkout)
    sa.event.listen(wide_engine.sync_engine, "checkin", counter.checkin)
    return counter
