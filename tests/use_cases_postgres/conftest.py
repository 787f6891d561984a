"""Fixtures of the use cases run on Postgres: under contention, across workers, inspected
with raw SQL.

- ``pg_engine`` and ``second_engine``: two pools on the migrated test database for the
  session (two processes, as far as the server can tell), for the workers of support.py;
- ``wide_engine``: an engine of its own with a pool wide enough for the concurrent tests'
  units of work to overlap (:data:`POOL_SIZE` connections at once), disposed after each test
  so that it keeps no connection of the server's limited supply;
- ``pg_app``: the use-case application (``use_cases.app.build_app``) over ``wide_engine``,
  on a store emptied before its first unit of work;
- ``checkouts``: the connections ``wide_engine`` hands out at once, which shows that
  concurrent calls really overlapped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from support.postgres import EmptyPostgresStore
from use_cases.app import App, build_app

#: Connections the concurrent tests may hold at once (the server allows 100 in all).
POOL_SIZE = 40


@pytest.fixture(scope="session")
async def pg_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(postgres_url, pool_size=10, max_overflow=10)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def second_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(postgres_url, pool_size=10, max_overflow=10)
    yield engine
    await engine.dispose()


@pytest.fixture
async def wide_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(
        postgres_url, pool_size=POOL_SIZE, max_overflow=0, pool_timeout=120
    )
    yield engine
    await engine.dispose()


@pytest.fixture
def pg_app(wide_engine: AsyncEngine) -> App:
    return build_app(EmptyPostgresStore(wide_engine))


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
