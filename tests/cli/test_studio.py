"""``rabbit studio`` in a child process: the tables are browsable, secrets never shown, and
a real browser renders the page."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from cli.support import plain_url, rabbit_env, run_rabbit
from rabbit_postgres.schema import metadata
from support.keys import TEST_TOKEN_KEYS
from support.postgres import migrate

CHROMIUM = Path("/usr/bin/chromium")
ACCESS_TOKEN = "studio-secret-access-token-4f1c"
REFRESH_TOKEN = "studio-secret-refresh-token-9b2e"
SOURCE_SECRET = "studio-secret-api-key-77d0"
#: Attempts to reach the server, each waiting for an answer (not a fixed sleep).
CONNECT_ATTEMPTS = 300

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return str(response.read().decode())


def wait_until_serving(url: str, process: subprocess.Popen[str]) -> None:
    for _ in range(CONNECT_ATTEMPTS):
        if process.poll() is not None:
            pytest.fail(f"rabbit studio exited: {process.communicate()[1]}")
        try:
            get(url)
        except (urllib.error.URLError, ConnectionError):
            # not listening yet: wait for the server's next line of output or a short poll
            try:
                process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
        else:
            return
    pytest.fail("rabbit studio never answered")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium, installed with apt-get when missing (skips only without apt)."""
    if CHROMIUM.exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.skip("chromium is missing and apt-get is not available to install it")
    for command in ([apt, "update"], [apt, "install", "-y", "chromium"]):
        subprocess.run(command, check=True, capture_output=True, timeout=900)
    assert CHROMIUM.exists()
    return CHROMIUM


@pytest.fixture
async def studio_database(tmp_path: Path, scratch_database_url: str) -> str:
    """A migrated database with the demo agency seeded, and plaintext secrets written
    straight into a social account and an external source."""
    await migrate(scratch_database_url)
    seeded = run_rabbit(
        "db",
        "seed",
        data_dir=tmp_path,
        DATABASE_URL=plain_url(scratch_database_url),
        RABBIT_TOKEN_KEYS=TEST_TOKEN_KEYS,
    )
    assert seeded.returncode == 0, seeded.stderr
    engine = create_async_engine(scratch_database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "UPDATE social_accounts SET access_token = :access, refresh_token = :refresh"
                ),
                {"access": ACCESS_TOKEN, "refresh": REFRESH_TOKEN},
            )
            brand = await connection.execute(
                sa.text("SELECT id, organization_id FROM brand_profiles LIMIT 1")
            )
            brand_id, organization_id = brand.one()
            await connection.execute(
                sa.text(
                    "INSERT INTO external_sources (id, organization_id, brand_profile_id, type,"
                    " name, connection_config) VALUES ('src1', :org, :brand, 'shopify',"
                    " 'Shop', jsonb_build_object('api_key', CAST(:secret AS text)))"
                ),
                {"org": organization_id, "brand": brand_id, "secret": SOURCE_SECRET},
            )
    finally:
        await engine.dispose()
    return scratch_database_url


@pytest.fixture
def studio(tmp_path: Path, studio_database: str) -> Iterator[str]:
    """``rabbit studio`` serving the seeded database; its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rabbit.cli.main", "studio", "--port", str(port)],
        env=rabbit_env(tmp_path, DATABASE_URL=plain_url(studio_database)),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/admin/", process)
        yield base
    finally:
        process.terminate()
        process.communicate(timeout=60)


def test_studio_lists_every_table_and_never_shows_a_secret(
    studio: str, chromium: Path, tmp_path: Path
) -> None:
    index = get(f"{studio}/admin/")
    for table in metadata.tables:
        assert re.search(rf">\s*{table.replace('_', ' ')}\s*<", index), table

    accounts = get(f"{studio}/admin/social-account/list")
    assert "@northwind" in accounts  # the seeded Twitter account is listed
    account_ids = sorted(set(_detail_ids(accounts, "social-account")))
    assert len(account_ids) == 2
    pages = [accounts, get(f"{studio}/admin/external-source/list")]
    for account_id in account_ids:
        pages.append(get(f"{studio}/admin/social-account/details/{account_id}"))
        pages.append(get(f"{studio}/admin/social-account/edit/{account_id}"))
    pages.append(get(f"{studio}/admin/external-source/details/src1"))
    pages.append(get(f"{studio}/admin/external-source/edit/src1"))
    pages.append(get(f"{studio}/admin/social-account/export/csv"))
    for page in pages:
        for secret in (ACCESS_TOKEN, REFRESH_TOKEN, SOURCE_SECRET):
            assert secret not in page
        assert "access_token" not in page
        assert "connection_config" not in page

    screenshot = tmp_path / "studio.png"
    subprocess.run(
        [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            f"--screenshot={screenshot}",
            "--window-size=1280,900",
            f"{studio}/admin/social-account/list",
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert screenshot.read_bytes().startswith(b"\x89PNG")


def _detail_ids(page: str, identity: str) -> list[str]:
    marker = f"/admin/{identity}/details/"
    ids = []
    for chunk in page.split(marker)[1:]:
        ids.append(chunk.split('"', 1)[0])
    return ids
