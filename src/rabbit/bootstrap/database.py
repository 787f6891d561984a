"""The schema's migrations on the configured database: for an application's own event loop
(:func:`migrate`, :func:`schema_status`), for ``running()`` (:func:`check_schema`) and for
the ``rabbit db`` commands (the sync functions at the end).

Alembic runs on a connection of an async engine (``connection.run_sync``) handed to
``migrations/env.py``, so migrating works inside a running event loop (a FastAPI lifespan)
as well as from the command line. The scripts are found where they are
(:func:`script_location`): inside the installed package (the wheel carries ``migrations/``
as ``rabbit_postgres/migrations``), else in the source checkout's ``migrations/`` folder,
which stays their source (ADR 0027). ``alembic upgrade head`` from the project root reads
``alembic.ini`` and does the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit.bootstrap.settings import Settings, StoreKind
from rabbit.domain.errors import ValidationError
from rabbit_postgres.errors import (
    DatabaseUnavailableError,
    MigrationsMissingError,
    PostgresAdapterError,
    SchemaNotCurrentError,
)
from rabbit_postgres.runtime import resolve_database_url, to_sqlalchemy_url

T = TypeVar("T")

#: Errors that mean "the database or its migrations cannot be used", one line each for the
#: CLI (alembic's ``CommandError``: an unknown revision, a broken script folder, …).
DATABASE_ERRORS: tuple[type[Exception], ...] = (PostgresAdapterError, CommandError)

#: The package whose folder holds the migrations in an installed wheel.
MIGRATIONS_PACKAGE = "rabbit_postgres"
#: The source of the migrations in a checkout (and an editable install).
CHECKOUT_MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"
#: The ``[alembic]`` options of ``alembic.ini`` besides the script location (the installed
#: package has no ``alembic.ini``; ``tests/bootstrap/test_database.py`` keeps both equal).
#: ``%%`` is ``%`` escaped for the configuration's interpolation.
ALEMBIC_OPTIONS = {
    "file_template": "%%(rev)s_%%(slug)s",
    "truncate_slug_length": "40",
    "path_separator": "os",
}
HOW_TO_MIGRATE = "run `rabbit db upgrade` (or `await rabbit.bootstrap.migrate(settings)`)"


def script_location() -> Path:
    """The folder of ``env.py`` and ``versions/``: the installed package's copy, else the
    checkout's ``migrations/``."""
    packaged = Path(str(resources.files(MIGRATIONS_PACKAGE))) / "migrations"
    for folder in (packaged, CHECKOUT_MIGRATIONS):
        if (folder / "env.py").is_file():
            return folder
    raise MigrationsMissingError(
        f"the migration scripts are missing: neither {packaged} nor {CHECKOUT_MIGRATIONS} "
        "holds env.py (reinstall rabbit)"
    )


def alembic_config(
    connection: Connection | None = None, settings: Settings | None = None
) -> Config:
    """Alembic's configuration, built in code (no ``alembic.ini`` needed), optionally bound
    to an open connection that ``migrations/env.py`` then migrates, and to the settings a
    migration may need (revision 0005 builds the token cipher from them)."""
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    for name, value in ALEMBIC_OPTIONS.items():
        config.set_main_option(name, value)
    config.attributes["configure_logger"] = False  # the application owns logging
    if connection is not None:
        config.attributes["connection"] = connection
    if settings is not None:
        config.attributes["settings"] = settings
    return config


def uses_embedded_server(settings: Settings) -> bool:
    """True when no ``DATABASE_URL`` is configured: the embedded server in the data folder."""
    return not (settings.database_url and settings.database_url.strip())


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """Where the database's schema is (``current``, empty for a fresh database) against
    where the code needs it (``head``); ``unknown`` are current revisions this code does not
    know (a newer rabbit migrated the database)."""

    current: tuple[str, ...]
    head: tuple[str, ...]
    unknown: tuple[str, ...] = ()

    @property
    def is_current(self) -> bool:
        return set(self.current) == set(self.head)

    def problem(self) -> str | None:
        """One line saying what is wrong and how to fix it; None when the schema is current."""
        if self.is_current:
            return None
        needs = ", ".join(self.head)
        if self.unknown:
            return (
                f"the database is at revision {', '.join(self.current)}, which this rabbit "
                f"does not know (it needs {needs}): a newer rabbit migrated it; run that one"
            )
        if not self.current:
            return f"the database has no schema yet, the code needs revision {needs}: " + (
                HOW_TO_MIGRATE
            )
        at = ", ".join(self.current)
        return f"the database is at revision {at}, the code needs {needs}: {HOW_TO_MIGRATE}"


@cache
def _scripts() -> tuple[tuple[str, ...], frozenset[str]]:
    """The head revisions and every known revision (read once: the scripts do not change
    while the process runs)."""
    script = ScriptDirectory.from_config(alembic_config())
    known = frozenset(revision.revision for revision in script.walk_revisions())
    return tuple(script.get_heads()), known


def _status_on(connection: Connection) -> SchemaStatus:
    head, known = _scripts()
    current = tuple(MigrationContext.configure(connection).get_current_heads())
    return SchemaStatus(
        current=current,
        head=head,
        unknown=tuple(revision for revision in current if revision not in known),
    )


async def check_schema(engine: AsyncEngine) -> SchemaStatus:
    """The schema's status on ``engine``'s database; :class:`SchemaNotCurrentError` (one
    line) unless it is at head."""
    async with engine.connect() as connection:
        status = await connection.run_sync(_status_on)
    problem = status.problem()
    if problem is not None:
        raise SchemaNotCurrentError(problem)
    return status


async def _on_database(settings: Settings, action: Callable[[Connection], T]) -> T:
    """Run ``action`` on a connection to the settings' database in one transaction; a server
    that cannot be reached (or refuses the login) is a one-line
    :class:`DatabaseUnavailableError`, not a driver traceback."""
    script_location()  # missing scripts: said before a server is started or contacted
    url = to_sqlalchemy_url(resolve_database_url(settings.database_url, settings.data_dir))
    engine = create_async_engine(url, poolclass=pool.NullPool, hide_parameters=not settings.dev)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(action)
    except (OSError, DBAPIError, TimeoutError) as exc:
        where = url.render_as_string(hide_password=True)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailableError(f"cannot migrate {where}: {reason}") from exc
    finally:
        await engine.dispose()


async def migrate(settings: Settings, revision: str = "head") -> None:
    """Migrate the settings' database to ``revision`` (``head``, or a revision id of
    ``migrations/versions``; ``rabbit db upgrade``); usable inside a running event loop.
    Any other revision is a ValidationError naming ``revision``, before the database is
    contacted. The memory store has no schema: nothing to do."""
    _, known = _scripts()
    if revision != "head" and revision not in known:
        raise ValidationError(
            "revision", f"no migration {revision[:40]!r}: 'head' or one of {sorted(known)}"
        )
    if settings.store is StoreKind.MEMORY:
        return
    await _on_database(settings, lambda c: command.upgrade(alembic_config(c, settings), revision))


async def schema_status(settings: Settings) -> SchemaStatus:
    """Where the settings' database is against the code's head revision; usable inside a
    running event loop. The memory store has no schema: always current."""
    if settings.store is StoreKind.MEMORY:
        head, _ = _scripts()
        return SchemaStatus(current=head, head=head)
    return await _on_database(settings, _status_on)


# The ``rabbit db`` commands: sync wrappers, each with its own event loop.


def _run(settings: Settings, action: Callable[[Config], object]) -> None:
    asyncio.run(_on_database(settings, lambda c: action(alembic_config(c, settings))))


def upgrade(settings: Settings, revision: str = "head") -> None:
    _run(settings, lambda config: command.upgrade(config, revision))


def downgrade(settings: Settings, revision: str = "-1") -> None:
    _run(settings, lambda config: command.downgrade(config, revision))


def current(settings: Settings) -> None:
    _run(settings, lambda config: command.current(config, verbose=False))


def revision(settings: Settings, message: str, *, autogenerate: bool) -> None:
    """Write a new revision into the checkout's ``migrations/versions`` (``--autogenerate``
    compares the settings' database with the schema's metadata)."""
    if not (CHECKOUT_MIGRATIONS / "env.py").is_file():
        raise MigrationsMissingError(
            "rabbit db revision writes into a source checkout's migrations/ folder, and this "
            "rabbit is installed without one"
        )

    def write(config: Config) -> None:
        config.set_main_option("script_location", str(CHECKOUT_MIGRATIONS))
        command.revision(config, message=message, autogenerate=autogenerate)

    if autogenerate:
        _run(settings, write)
    else:
        write(alembic_config())


def reset(settings: Settings) -> None:
    """Drop every table and type of the schema (downgrade to base), then migrate to head."""
    downgrade(settings, "base")
    upgrade(settings, "head")
