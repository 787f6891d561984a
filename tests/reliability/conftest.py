"""Reliability tests: the use cases on the migrated Postgres test database (emptied per app)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from support.postgres import EmptyPostgresStore, truncate_all
from use_cases.app import App, build_app


@pytest.fixture(scope="session")
async def reliability_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(postgres_url, pool_size=20, max_overflow=10)
    yield engine
    await engine.dispose()


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
        await truncate_all(engine)
    finally:
        await engine.dispose()
