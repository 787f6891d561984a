"""The Postgres side of the contract suite: one engine per session, TRUNCATE between tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit.application.ports.unit_of_work import UnitOfWork
from support.postgres import truncate_all


def _async_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


class PostgresBackend:
    name = "postgres"

    def __init__(self, engine: AsyncEngine, factory: Any) -> None:
        self._engine = engine
        self._factory = factory

    @classmethod
    async def connect(cls, url: str) -> PostgresBackend:
        from rabbit_postgres import unit_of_work as pg_unit_of_work

        engine = create_async_engine(_async_url(url))
        factory = pg_unit_of_work.PostgresUnitOfWorkFactory(engine)
        return cls(engine, factory)

    def uow_factory(self) -> UnitOfWork:
        return self._factory()  # type: ignore[no-any-return]

    async def reset(self) -> None:
        await truncate_all(self._engine)

    async def close(self) -> None:
        await self._engine.dispose()
