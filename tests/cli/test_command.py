"""The ``rabbit`` command end to end, in child processes: what a user sees and gets."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from cli.support import plain_url, run_rabbit, stderr_lines
from rabbit import __version__
from support.keys import TEST_TOKEN_KEYS

UNREACHABLE = "postgresql://u@127.0.0.1:1/db"
REPORT_TITLES = (
    "Dashboard",
    "The autopilot run",
    "Angle performance",
    "Platform performance",
    "Credit ledger",
)


def assert_one_line_error(stderr_lines: list[str], *, containing: str = "") -> None:
    assert len(stderr_lines) == 1, stderr_lines
    assert stderr_lines[0].startswith("rabbit: error:")
    assert containing in stderr_lines[0]


async def scalar_rows(url: str, sql: str) -> list[object]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(sa.text(sql))).scalars())
    finally:
        await engine.dispose()


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = run_rabbit("--version", data_dir=tmp_path)

    assert result.returncode == 0
    assert result.stdout.strip() == f"rabbit {__version__}"


def test_demo_on_the_memory_store_prints_every_report_table(tmp_path: Path) -> None:
    result = run_rabbit("demo", "--days", "1", "--memory", data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    for title in REPORT_TITLES:
        assert title in result.stdout
    assert "ticks (simulated hours)" in result.stdout
    assert not (tmp_path / "pgdata").exists()  # no database was started


@pytest.mark.postgres
@pytest.mark.slow
async def test_demo_on_postgres_twice_seeds_two_agencies_and_leaves_every_schedule_paused(
    tmp_path: Path, scratch_database_url: str
) -> None:
    env = {"DATABASE_URL": plain_url(scratch_database_url), "RABBIT_DEV": "1"}

    first = run_rabbit("demo", "--days", "1", data_dir=tmp_path, **env)
    second = run_rabbit("demo", "--days", "1", data_dir=tmp_path, **env)

    for result in (first, second):
        assert result.returncode == 0, result.stderr
        for title in REPORT_TITLES:
            assert title in result.stdout
    organizations = await scalar_rows(scratch_database_url, "SELECT slug FROM organizations")
    assert len(organizations) == 2
    active = await scalar_rows(scratch_database_url, "SELECT is_active FROM schedules")
    assert active == [False] * 4
    tick = run_rabbit(
        "autopilot", "tick", "--now", "2026-11-02T09:00:00Z", data_dir=tmp_path, **env
    )
    assert tick.returncode == 0, tick.stderr
    assert tick.stdout.startswith("tick: schedules=0 ")  # the demos' schedules are paused


@pytest.mark.postgres
@pytest.mark.slow
async def test_db_commands_migrate_seed_tick_reset_and_undo_a_scratch_database(
    tmp_path: Path, scratch_database_url: str
) -> None:
    env = {"DATABASE_URL": plain_url(scratch_database_url), "RABBIT_TOKEN_KEYS": TEST_TOKEN_KEYS}

    def rabbit(*args: str) -> str:
        result = run_rabbit(*args, data_dir=tmp_path, **env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    rabbit("db", "upgrade")
    assert "(head)" in rabbit("db", "current")

    assert "seeded: organization=" in rabbit("db", "seed")
    assert await scalar_rows(scratch_database_url, "SELECT count(*) FROM materials") != [0]
    # no publisher is configured on a DATABASE_URL server: the tick refuses, charging nothing
    refused = run_rabbit(
        "autopilot", "tick", "--now", "2099-01-05T23:00:00Z", data_dir=tmp_path, **env
    )
    assert refused.returncode == 1
    assert_one_line_error(stderr_lines(refused), containing="no publisher is configured")
    assert "container.services.publisher" in refused.stderr
    assert await scalar_rows(scratch_database_url, "SELECT count(*) FROM pending_posts") == [0]
    # explicit development mode: the recording publisher, which knows the seed's accounts
    tick = run_rabbit(
        "autopilot",
        "tick",
        "--now",
        "2099-01-05T23:00:00Z",
        data_dir=tmp_path,
        **env,
        RABBIT_DEV="1",
    )
    assert tick.returncode == 0, tick.stderr
    assert tick.stdout.startswith("tick: schedules=2 ")  # the seed's schedules stay active

    rabbit("db", "reset", "--yes", "--force")
    assert await scalar_rows(scratch_database_url, "SELECT count(*) FROM organizations") == [0]
    assert await scalar_rows(scratch_database_url, "SELECT version_num FROM alembic_version") != []

    rabbit("db", "downgrade", "base", "--yes", "--force")
    assert "(head)" not in rabbit("db", "current")
    assert await scalar_rows(scratch_database_url, "SELECT to_regclass('organizations')") == [None]
    rabbit("db", "upgrade")
    assert await scalar_rows(scratch_database_url, "SELECT to_regclass('organizations')") != [None]


def test_a_worker_on_a_database_url_server_without_token_keys_refuses_to_start(
    tmp_path: Path,
) -> None:
    result = run_rabbit("autopilot", "tick", data_dir=tmp_path, DATABASE_URL=UNREACHABLE)

    assert result.returncode == 1
    assert_one_line_error(stderr_lines(result), containing="RABBIT_TOKEN_KEYS is not set")
    assert "RABBIT_DEV=1" in result.stderr
    assert not (tmp_path / "token-keys").exists()  # no development key was made up


def test_a_bad_now_is_a_one_line_usage_error(tmp_path: Path) -> None:
    result = run_rabbit(
        "autopilot", "tick", "--now", "next tuesday", data_dir=tmp_path, RABBIT_STORE="memory"
    )

    assert result.returncode == 2
    assert_one_line_error(stderr_lines(result), containing="--now")


@pytest.mark.parametrize(
    "args",
    [("autopilot", "tick"), ("db", "upgrade")],
    ids=" ".join,
)
def test_an_unreachable_database_is_one_line_on_stderr_and_a_failure_exit(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = run_rabbit(
        *args, data_dir=tmp_path, DATABASE_URL=UNREACHABLE, RABBIT_TOKEN_KEYS=TEST_TOKEN_KEYS
    )

    assert result.returncode == 1
    assert_one_line_error(stderr_lines(result), containing="127.0.0.1")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url at all", "not a valid URL"),
        ("mysql://u@localhost/db", "must start with postgresql://"),
    ],
)
def test_a_malformed_database_url_is_one_line_naming_the_problem(
    tmp_path: Path, url: str, says: str
) -> None:
    result = run_rabbit(
        "autopilot", "tick", data_dir=tmp_path, DATABASE_URL=url, RABBIT_TOKEN_KEYS=TEST_TOKEN_KEYS
    )

    assert result.returncode == 1
    assert_one_line_error(stderr_lines(result), containing=says)


@pytest.mark.parametrize(
    "args",
    [("demo", "--days", "many"), ("no-such-command",)],
    ids=" ".join,
)
def test_bad_flags_are_an_argparse_usage_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run_rabbit(*args, data_dir=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("usage: rabbit")
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback_of_a_failure(tmp_path: Path) -> None:
    result = run_rabbit(
        "--debug",
        "autopilot",
        "tick",
        data_dir=tmp_path,
        DATABASE_URL=UNREACHABLE,
        RABBIT_TOKEN_KEYS=TEST_TOKEN_KEYS,
    )

    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr
    assert "DatabaseUnavailableError" in result.stderr
