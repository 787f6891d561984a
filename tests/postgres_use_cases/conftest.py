"""Fixtures of the Postgres-specific use-case proofs.

``pg_engine`` is one engine on the migrated test database for the session; ``second_engine``
is another pool on the same database (a second process, as far as the server can tell).
``pg_app`` is an application over an emptied Postgres store (see ``support.postgres_app``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from use_cases.app import App

from .support import postgres_app


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
def pg_app(pg_engine: AsyncEngine) -> App:
    return postgres_app(pg_engine)
