"""The database runtime: DATABASE_URL as people write it, clear one-line failures, and an
engine whose lifetime a dependency-injector Resource can manage."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa

from rabbit_postgres.errors import (
    ConnectionLostError,
    DatabaseConfigError,
    DatabaseUnavailableError,
)
from rabbit_postgres.runtime import (
    create_engine,
    drop_database,
    engine_resource,
    ensure_database,
    new_engine,
    resolve_database_url,
    to_sqlalchemy_url,
)
from rabbit_postgres.settings import DatabaseSettings
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param(
            "postgresql://rabbit:secret@db.example:5432/rabbit",
            "postgresql+asyncpg://rabbit:secret@db.example:5432/rabbit",
            id="plain",
        ),
        pytest.param(
            "postgres://rabbit:secret@db.example/rabbit",
            "postgresql+asyncpg://rabbit:secret@db.example/rabbit",
            id="postgres-scheme",
        ),
        pytest.param(
            "postgresql://rabbit@/rabbit?host=/run/postgresql",
            "postgresql+asyncpg://rabbit@/rabbit?host=%2Frun%2Fpostgresql",
            id="socket-folder",
        ),
        pytest.param(
            "postgresql://rabbit:p%40ss@db.example/rabbit?sslmode=require",
            "postgresql+asyncpg://rabbit:p%40ss@db.example/rabbit?ssl=require",
            id="encoded-password-and-sslmode",
        ),
        pytest.param(
            "postgresql+asyncpg://rabbit@db.example/rabbit",
            "postgresql+asyncpg://rabbit@db.example/rabbit",
            id="already-sqlalchemy",
        ),
    ],
)
def test_a_written_database_url_becomes_an_asyncpg_url(written: str, expected: str) -> None:
    assert to_sqlalchemy_url(written).render_as_string(hide_password=False) == expected


def test_the_socket_folder_reaches_asyncpg_as_its_host() -> None:
    url = to_sqlalchemy_url("postgresql://rabbit@/rabbit?host=/run/postgresql")
    _, options = url.get_dialect()().create_connect_args(url)
    assert options["host"] == "/run/postgresql"


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        pytest.param("not a url", "not a valid URL", id="garbage"),
        pytest.param("mysql://u:p@h/db", "must start with postgresql://", id="other-scheme"),
        pytest.param("postgresql://u:p@h:5432", "names no database", id="no-database"),
        pytest.param("postgresql://u:p@h:99999/db", "invalid port", id="bad-port"),
        pytest.param("postgresql://u:p@h:abc/db", "not a valid URL", id="port-not-a-number"),
    ],
)
def test_a_malformed_database_url_is_a_config_error_naming_the_problem(
    written: str, problem: str
) -> None:
    with pytest.raises(DatabaseConfigError, match=problem) as caught:
        to_sqlalchemy_url(written)
    assert "\n" not in str(caught.value)


def test_a_config_error_does_not_show_the_password() -> None:
    with pytest.raises(DatabaseConfigError) as caught:
        to_sqlalchemy_url("mysql://user:hunter2@h/db")
    assert "hunter2" not in str(caught.value)


def test_a_given_database_url_is_used_without_starting_a_server(tmp_path: Path) -> None:
    url = resolve_database_url("postgresql://u:p@h/db", tmp_path)

    assert url == "postgresql+asyncpg://u:p@h/db"
    assert list(tmp_path.iterdir()) == []


def closed_port() -> int:
    """A localhost port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_an_unreachable_server_is_a_one_line_unavailable_error() -> None:
    url = f"postgresql://rabbit:hunter2@127.0.0.1:{closed_port()}/rabbit"

    with pytest.raises(DatabaseUnavailableError, match="cannot connect") as caught:
        await create_engine(url)
    assert "\n" not in str(caught.value)
    assert "hunter2" not in str(caught.value)


async def test_the_engine_resource_yields_a_working_engine_and_disposes_it(
    postgres_server_url: str,
) -> None:
    url = await ensure_database(postgres_server_url, "rabbit_runtime")
    resource = engine_resource(DatabaseSettings(database_url=url))
    try:
        engine = await anext(resource)
        async with engine.connect() as connection:
            name = await connection.scalar(sa.text("SELECT current_database()"))
        await resource.aclose()
    finally:
        await drop_database(postgres_server_url, "rabbit_runtime")

    assert name == "rabbit_runtime"
    assert engine.pool.checkedout() == 0


async def test_ensure_database_is_idempotent(postgres_server_url: str) -> None:
    try:
        first = await ensure_database(postgres_server_url, "rabbit_twice")
        second = await ensure_database(postgres_server_url, "rabbit_twice")
    finally:
        await drop_database(postgres_server_url, "rabbit_twice")
    assert first == second


async def test_ensure_database_refuses_a_name_that_is_not_an_identifier(
    postgres_server_url: str,
) -> None:
    with pytest.raises(DatabaseConfigError, match="invalid database name"):
        await ensure_database(postgres_server_url, 'x"; DROP DATABASE postgres; --')


async def test_a_pooled_connection_that_died_fails_once_then_the_pool_reconnects(
    postgres_url: str,
) -> None:
    """No pre-ping (ENGINE_OPTIONS): the first unit of work on a connection killed while
    pooled raises ConnectionLostError, and the next one gets a fresh connection."""
    engine = new_engine(postgres_url, pool_size=1, max_overflow=0)
    admin = new_engine(postgres_url)
    try:
        uow = PostgresUnitOfWorkFactory(engine)
        async with uow() as first:
            pid = await first._session.backend_pid()
        async with admin.connect() as connection:
            await connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        with pytest.raises(ConnectionLostError):
            async with uow() as lost:
                await lost.organizations.get("missing")
        async with uow() as retried:
            assert await retried.organizations.get("missing") is None
    finally:
        await admin.dispose()
        await engine.dispose()
