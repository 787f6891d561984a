"""Running the ``rabbit`` command in a child process, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

#: A generous bound so a hung child fails the test instead of the whole run.
COMMAND_TIMEOUT = 300


def plain_url(url: str) -> str:
    """``postgresql+asyncpg://…`` → ``postgresql://…``, the way a user writes DATABASE_URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def rabbit_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """The environment without the caller's database settings, plus ``variables``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DATABASE_URL" and not key.startswith("RABBIT_")
    }
    env["RABBIT_DATA_DIR"] = str(data_dir)
    env.update(variables)
    return env


def run_rabbit(*args: str, data_dir: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """``rabbit <args>`` in ``data_dir`` (the working folder too); output captured."""
    return subprocess.run(
        [sys.executable, "-m", "rabbit.cli.main", *args],
        env=rabbit_env(data_dir, **variables),
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]
