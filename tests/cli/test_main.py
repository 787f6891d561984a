"""``rabbit.cli.main.main`` in process: the error contract of every command, cheaply.

The child-process tests (``test_command.py``) prove the same for a few cases end to end;
these cover the rest of the combinations without paying an interpreter start each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rabbit.bootstrap import database
from rabbit.bootstrap.keys import NO_KEYS
from rabbit.cli.main import EXIT_FAILURE, EXIT_USAGE, main
from support.keys import TEST_TOKEN_KEYS

UNREACHABLE = "postgresql://u@127.0.0.1:1/db"


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DATABASE_URL",
        "RABBIT_STORE",
        "RABBIT_TOKEN_KEYS",
        "RABBIT_TOKEN_KEYS_FILE",
        "RABBIT_DEV",
        "RABBIT_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RABBIT_DATA_DIR", str(tmp_path))


def error_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "args",
    [("db", "current"), ("db", "seed"), ("db", "downgrade", "base", "--yes", "--force")],
    ids=" ".join,
)
def test_an_unreachable_database_fails_every_command_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("RABBIT_TOKEN_KEYS", TEST_TOKEN_KEYS)

    code = main(list(args))

    lines = error_lines(capsys)
    assert code == EXIT_FAILURE
    assert len(lines) == 1
    assert lines[0].startswith("rabbit: error:")
    assert "127.0.0.1" in lines[0]


@pytest.mark.parametrize(
    "args", [("autopilot", "tick"), ("db", "seed"), ("demo", "--days", "1")], ids=" ".join
)
def test_a_database_url_server_without_token_keys_refuses_to_start_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: tuple[str, ...],
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)  # refused before it is contacted

    code = main(list(args))

    assert code == EXIT_FAILURE
    assert error_lines(capsys) == [f"rabbit: error: {NO_KEYS}"]
    assert not (tmp_path / "token-keys").exists()  # no development key was made up


def test_an_unreachable_database_stops_the_studio_before_it_serves(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)

    code = main(["studio", "--port", "8765"])

    lines = error_lines(capsys)
    assert code == EXIT_FAILURE
    assert lines == [lines[0]]
    assert lines[0].startswith("rabbit: error: cannot connect to")


def test_studio_refuses_a_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["studio", "--port", "0"]) == EXIT_USAGE
    assert error_lines(capsys) == ["rabbit: error: --port must be between 1 and 65535, not 0"]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://u@localhost:99999/db", "invalid port"),
        ("postgresql://u@localhost", "names no database"),
        ("postgres://u@localhost", "names no database"),
    ],
)
def test_a_malformed_database_url_names_the_problem_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, says: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)

    code = main(["db", "upgrade"])

    lines = error_lines(capsys)
    assert code == EXIT_FAILURE
    assert len(lines) == 1
    assert lines[0].startswith("rabbit: error:")
    assert says in lines[0]


@pytest.mark.parametrize(
    "args", [("autopilot",), ("demo", "--nope"), ("db",), ("studio", "--port", "x")], ids=" ".join
)
def test_incomplete_or_unknown_arguments_exit_with_usage(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))

    assert exit_.value.code == EXIT_USAGE
    assert capsys.readouterr().err.startswith("usage: rabbit")


def test_demo_refuses_zero_days(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo", "--days", "0", "--memory"])

    assert code == EXIT_FAILURE
    assert error_lines(capsys) == ["rabbit: error: --days must be at least 1"]


def test_tick_refuses_a_non_positive_interval(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["autopilot", "tick", "--loop", "--interval", "0"])

    assert code == EXIT_FAILURE
    assert error_lines(capsys) == ["rabbit: error: --interval must be a positive number of seconds"]


def test_no_command_prints_help_and_exits_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_USAGE
    assert "COMMAND" in capsys.readouterr().out


def test_db_reset_without_yes_refuses_before_touching_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)  # never contacted

    assert main(["db", "reset"]) == EXIT_USAGE
    assert error_lines(capsys) == [
        "rabbit: error: db reset deletes all data: run it again with --yes to confirm"
    ]


def test_db_reset_refuses_a_configured_server_without_force(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)  # never contacted

    assert main(["db", "reset", "--yes"]) == EXIT_USAGE
    lines = error_lines(capsys)
    assert len(lines) == 1
    assert lines[0].startswith("rabbit: error: db reset refuses a DATABASE_URL server")
    assert "--force" in lines[0]


@pytest.mark.parametrize("args", [("db", "downgrade"), ("db", "downgrade", "base")], ids=" ".join)
def test_db_downgrade_without_yes_refuses_before_touching_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)  # never contacted: the refusal comes first

    assert main(list(args)) == EXIT_USAGE
    lines = error_lines(capsys)
    assert len(lines) == 1
    assert lines[0].startswith("rabbit: error: db downgrade drops the tables")
    assert "--yes" in lines[0]


def test_db_downgrade_refuses_a_configured_server_without_force(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)  # never contacted

    assert main(["db", "downgrade", "base", "--yes"]) == EXIT_USAGE
    lines = error_lines(capsys)
    assert len(lines) == 1
    assert lines[0].startswith("rabbit: error: db downgrade refuses a DATABASE_URL server")
    assert "--force" in lines[0]


def test_db_downgrade_with_yes_and_force_goes_on_to_the_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)

    assert main(["db", "downgrade", "base", "--yes", "--force"]) == EXIT_FAILURE
    assert error_lines(capsys)[0].startswith("rabbit: error: cannot migrate")


def test_missing_migration_scripts_are_one_line_before_the_server_is_contacted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)  # never contacted
    monkeypatch.setattr(database, "MIGRATIONS_PACKAGE", "rabbit_memory")
    monkeypatch.setattr(database, "CHECKOUT_MIGRATIONS", tmp_path / "migrations")

    code = main(["db", "upgrade"])

    lines = error_lines(capsys)
    assert code == EXIT_FAILURE
    assert len(lines) == 1
    assert lines[0].startswith("rabbit: error: the migration scripts are missing:")


def test_an_unexpected_failure_is_one_line_naming_its_type_and_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(settings: object) -> None:
        raise RuntimeError("\nsomething broke\nand more")

    monkeypatch.setattr(database, "current", broken)

    code = main(["db", "current"])

    assert code == EXIT_FAILURE
    assert error_lines(capsys) == [
        "rabbit: error: RuntimeError: something broke (rabbit --debug … shows the traceback)"
    ]


def test_debug_lets_an_unexpected_failure_through(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(settings: object) -> None:
        raise RuntimeError("something broke")

    monkeypatch.setattr(database, "current", broken)

    with pytest.raises(RuntimeError, match="something broke"):
        main(["--debug", "db", "current"])


@pytest.mark.postgres
def test_an_alembic_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], scratch_database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", scratch_database_url)

    code = main(["db", "downgrade", "nosuchrevision", "--yes", "--force"])

    lines = error_lines(capsys)
    assert code == EXIT_FAILURE
    assert len(lines) == 1
    assert lines[0].startswith("rabbit: error: ")
    assert "nosuchrevision" in lines[0]
    assert "--debug" not in lines[0]  # alembic's own message, not an unexpected failure


@pytest.mark.postgres
def test_a_worker_on_an_unmigrated_database_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], scratch_database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", scratch_database_url)
    monkeypatch.setenv("RABBIT_TOKEN_KEYS", TEST_TOKEN_KEYS)

    code = main(["autopilot", "tick"])

    lines = error_lines(capsys)
    assert code == EXIT_FAILURE
    assert len(lines) == 1
    assert lines[0].startswith("rabbit: error: the database has no schema yet")
    assert "rabbit db upgrade" in lines[0]
