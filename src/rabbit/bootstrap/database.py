"""Database administration for the command line: alembic migrations on the configured server.

``alembic upgrade head`` from the project root does the same through ``migrations/env.py``;
these functions let the installed ``rabbit`` command do it from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.exc import DBAPIError

from rabbit.bootstrap.settings import Settings
from rabbit_postgres.errors import DatabaseUnavailableError, PostgresAdapterError
from rabbit_postgres.runtime import resolve_database_url, to_sqlalchemy_url

#: Errors that mean "the database is not usable", reported as one line by the CLI.
DATABASE_ERRORS: tuple[type[Exception], ...] = (PostgresAdapterError,)

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def alembic_config(settings: Settings) -> Config:
    """The project's alembic configuration bound to the settings' database."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["configure_logger"] = False  # the CLI owns logging
    config.attributes["database_url"] = resolve_database_url(
        settings.database_url, settings.data_dir
    )
    return config


def uses_embedded_server(settings: Settings) -> bool:
    """True when no ``DATABASE_URL`` is configured: the embedded server in the data folder."""
    return not (settings.database_url and settings.database_url.strip())


def _run(settings: Settings, action: Callable[[Config], object]) -> None:
    """Run an alembic command; a server that cannot be reached (or refuses the login) is a
    one-line :class:`DatabaseUnavailableError`, not a driver traceback."""
    config = alembic_config(settings)
    try:
        action(config)
    except (OSError, DBAPIError, TimeoutError) as exc:
        where = to_sqlalchemy_url(config.attributes["database_url"]).render_as_string(
            hide_password=True
        )
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailableError(f"cannot migrate {where}: {reason}") from exc


def upgrade(settings: Settings, revision: str = "head") -> None:
    _run(settings, lambda config: command.upgrade(config, revision))


def downgrade(settings: Settings, revision: str = "-1") -> None:
    _run(settings, lambda config: command.downgrade(config, revision))


def current(settings: Settings) -> None:
    _run(settings, lambda config: command.current(config, verbose=False))


def revision(settings: Settings, message: str, *, autogenerate: bool) -> None:
    _run(
        settings,
        lambda config: command.revision(config, message=message, autogenerate=autogenerate),
    )


def reset(settings: Settings) -> None:
    """Drop every table and type of the schema (downgrade to base), then migrate to head."""
    downgrade(settings, "base")
    upgrade(settings, "head")
