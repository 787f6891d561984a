"""Alembic's entry point: which database, which metadata, and the async run_sync pattern.

The database, first match wins:
1. ``config.attributes["connection"]``: a sync connection handed in by a caller that is
   already inside an engine (``rabbit.bootstrap.migrate`` and the ``rabbit db`` commands,
   tests: ``await conn.run_sync(run_upgrade)``); the only way inside a running event loop;
2. ``config.attributes["database_url"]``: a URL handed in programmatically;
3. ``DATABASE_URL`` (through the application's settings, so the same variables apply);
4. otherwise the embedded server in ``$RABBIT_DATA_DIR/pgdata`` (default ``.rabbit``).

``config.attributes["settings"]``, when given, are the application's settings for the
migrations that need them (revision 0005's token keys); otherwise they read ``Settings()``.

``target_metadata`` is :data:`rabbit_postgres.schema.metadata`; :func:`include_object`
documents what autogenerate cannot see (the vector extension's own objects).
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from rabbit_postgres.runtime import resolve_database_url, to_sqlalchemy_url
from rabbit_postgres.schema import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave out of autogenerate what the migrations do not own: tables created by
    extensions (none in pgvector today, but a reflected table absent from the metadata is
    never ours to drop)."""
    return not (type_ == "table" and reflected and compare_to is None)


def database_url() -> str:
    given = config.attributes.get("database_url")
    if given:
        return to_sqlalchemy_url(str(given)).render_as_string(hide_password=False)
    from rabbit.bootstrap.settings import Settings

    settings = Settings()
    return resolve_database_url(settings.database_url, settings.data_dir)


def configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        include_object=include_object,
        compare_type=True,
        compare_server_default=True,
        **options,
    )


def run_migrations_offline() -> None:
    """``alembic upgrade head --sql``: print the SQL instead of running it."""
    configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_on)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop running: the alembic command line
        asyncio.run(run_async())
        return
    raise RuntimeError(
        "alembic cannot start its own event loop inside a running one: "
        "use `await rabbit.bootstrap.migrate(settings)`, or hand a connection in "
        'through config.attributes["connection"]'
    )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
