"""Database administration for the command line: alembic migrations on the configured server.

``alembic upgrade head`` from the project root does the same through ``migrations/env.py``;
these functions let the installed ``rabbit`` command do it from anywhere.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from rabbit.bootstrap.settings import Settings
from rabbit_postgres.errors import PostgresAdapterError
from rabbit_postgres.runtime import resolve_database_url

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


def upgrade(settings: Settings, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str = "-1") -> None:
    command.downgrade(alembic_config(settings), revision)


def current(settings: Settings) -> None:
    command.current(alembic_config(settings), verbose=False)


def revision(settings: Settings, message: str, *, autogenerate: bool) -> None:
    command.revision(alembic_config(settings), message=message, autogenerate=autogenerate)
