"""The stores the use-case tests run on, under the local adapters of ``app.build_app``.

``make_app`` builds a fresh, empty application (property tests need one per example);
``app`` is one of them. ``store_factory`` is parametrised: every test runs on the memory
store and on Postgres (the migrated test database, emptied before a new application's first
unit of work).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit.application.ports import UnitOfWorkFactory
from rabbit_memory import MemoryUnitOfWorkFactory
from support.postgres import EmptyPostgresStore

from .app import App, build_app


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
    return lambda: build_app(store_factory())


@pytest.fixture
def app(make_app: Callable[[], App]) -> App:
    return make_app()
