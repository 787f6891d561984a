"""``rabbit studio``: the tables are browsable, secrets never shown, a real browser renders
the page, and the studio is locked (ADR 0020): a foreign Host, a request without the access
token, a cross-origin request and a state-changing request without the session's CSRF token
are refused and change nothing; the token and the CSRF token let an edit through.

The lock is proven twice: in process with httpx (every refusal, one at a time) and end to end
with the real server and headless Chromium driven by Playwright (an edit through the form
works; an attacker page on another local port that auto-submits a form changes nothing)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from cli.support import plain_url, rabbit_env, run_rabbit
from rabbit.cli.studio import build_app
from rabbit_postgres.runtime import drop_database, ensure_database, new_engine, with_database
from rabbit_postgres.schema import metadata
from support.keys import TEST_TOKEN_KEYS
from support.postgres import migrate

#: Chromium's flags on a sandboxed machine without a display or network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ACCESS = "the-printed-access-token"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
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


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The system's Chromium; installed with apt-get (Debian's ``chromium``) when missing and
    this runs as root. A test that needs it fails, never skips, when it cannot be had."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return Path(found)
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        pytest.fail(
            "Chromium is missing and cannot be installed here (needs root and apt-get): "
            "install Debian's `chromium` package (apt-get install chromium)"
        )
    for command in (
        [apt, "update"],
        [apt, "install", "-y", "--no-install-recommends", "chromium"],
    ):
        subprocess.run(command, check=True, capture_output=True, timeout=900)
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("apt-get installed chromium, but no chromium command is on PATH")
    return Path(found)


@pytest.fixture(scope="module")
async def seeded_template(
    tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str
) -> AsyncIterator[str]:
    """The name of a database seeded once per module (each test gets a copy): migrated,
    the demo agency seeded, and plaintext secrets written straight into a social account
    and an external source."""
    name = f"rabbit_studio_{uuid.uuid4().hex[:12]}"
    url = await ensure_database(postgres_server_url, name)
    try:
        await _seed(url, tmp_path_factory.mktemp("seed"))
        yield name
    finally:
        await drop_database(with_database(postgres_server_url, "postgres"), name)


@pytest.fixture
async def studio_database(postgres_server_url: str, seeded_template: str) -> AsyncIterator[str]:
    """A copy of the seeded database for one test (CREATE DATABASE … TEMPLATE)."""
    name = f"rabbit_studio_copy_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(
        with_database(postgres_server_url, "postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as connection:
            await connection.execute(
                sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{seeded_template}"')
            )
    finally:
        await admin.dispose()
    try:
        yield with_database(postgres_server_url, name)
    finally:
        await drop_database(with_database(postgres_server_url, "postgres"), name)


async def _seed(url: str, data_dir: Path) -> None:
    await migrate(url)
    seeded = run_rabbit(
        "db",
        "seed",
        data_dir=data_dir,
        DATABASE_URL=plain_url(url),
        RABBIT_TOKEN_KEYS=TEST_TOKEN_KEYS,
    )
    assert seeded.returncode == 0, seeded.stderr
    engine = create_async_engine(url)
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


@dataclass(frozen=True)
class Studio:
    """A running ``rabbit studio``: its base URL and the link it printed."""

    base: str
    access_url: str

    @contextmanager
    def client(self) -> Iterator[httpx.Client]:
        """A client that has opened the printed link (so holds the session cookie)."""
        with httpx.Client(base_url=self.base, timeout=30, follow_redirects=True) as client:
            opened = client.get(self.access_url)
            assert opened.status_code == 200, opened.text
            yield client


@pytest.fixture
def studio(tmp_path: Path, studio_database: str) -> Iterator[Studio]:
    """``rabbit studio`` serving the seeded database in a child process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rabbit.cli.main", "studio", "--port", str(port)],
        env=rabbit_env(tmp_path, DATABASE_URL=plain_url(studio_database)),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # printed once the port is bound
        found = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=\S+", line)
        if found is None:
            process.terminate()
            pytest.fail(f"rabbit studio printed no link: {line!r} {process.communicate()[1]}")
        yield Studio(base=found.group(1), access_url=found.group(0))
    finally:
        process.terminate()
        process.communicate(timeout=60)


def test_studio_prints_a_link_with_a_random_token_and_refuses_requests_without_it(
    studio: Studio,
) -> None:
    assert studio.access_url.startswith(f"{studio.base}/?token=")
    assert len(studio.access_url.split("token=", 1)[1]) >= 40
    with httpx.Client(base_url=studio.base, timeout=30) as stranger:
        assert stranger.get("/admin/").status_code == 403
        assert stranger.get("/admin/subscription/list").status_code == 403


def test_studio_lists_every_table_and_never_shows_a_secret(
    studio: Studio, chromium: Path, tmp_path: Path
) -> None:
    with studio.client() as client:

        def get(path: str) -> str:
            response = client.get(path)
            assert response.status_code == 200, path
            return response.text

        index = get("/admin/")
        for table in metadata.tables:
            assert re.search(rf">\s*{table.replace('_', ' ')}\s*<", index), table

        accounts = get("/admin/social-account/list")
        assert "@northwind" in accounts  # the seeded Twitter account is listed
        account_ids = sorted(set(_detail_ids(accounts, "social-account")))
        assert len(account_ids) == 2
        pages = [accounts, get("/admin/external-source/list")]
        for account_id in account_ids:
            pages.append(get(f"/admin/social-account/details/{account_id}"))
            pages.append(get(f"/admin/social-account/edit/{account_id}"))
        pages.append(get("/admin/external-source/details/src1"))
        pages.append(get("/admin/external-source/edit/src1"))
        pages.append(get("/admin/social-account/export/csv"))
    for page in pages:
        for secret in (ACCESS_TOKEN, REFRESH_TOKEN, SOURCE_SECRET):
            assert secret not in page
        assert "access_token" not in page
        assert "connection_config" not in page

    screenshot = tmp_path / "studio.png"
    token = studio.access_url.split("?", 1)[1]
    subprocess.run(
        [
            str(chromium),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            f"--screenshot={screenshot}",
            "--window-size=1280,900",
            f"{studio.base}/admin/social-account/list?{token}",
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


# -- the lock, in process (httpx over ASGI) ---------------------------------------------------


class _FormFields(HTMLParser):
    """The fields of a page's first POST form: inputs, textareas and selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") != "submit":
            self.fields[name] = attributes.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data.strip()


def form_fields(page: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page)
    return parser.fields


def csrf_of(page: str) -> str:
    found = re.search(r'<meta name="rabbit-csrf-token" content="([0-9a-f]+)">', page)
    assert found is not None, "the page carries no CSRF token"
    return found.group(1)


@dataclass
class Admin:
    """The studio app in process, a client holding a session, and the seeded subscription."""

    client: httpx.AsyncClient
    url: str
    subscription_id: str

    @property
    def edit_path(self) -> str:
        return f"/admin/subscription/edit/{self.subscription_id}"

    async def forged_edit(self) -> dict[str, str]:
        """The edit form as the page shows it, turned into the attack of the issue."""
        page = await self.client.get(self.edit_path)
        assert page.status_code == 200
        fields = form_fields(page.text)
        assert (fields["tier"], int(fields["credits_total"])) == UNTOUCHED
        return {**fields, "tier": "ENTERPRISE", "credits_total": "999999", "save": "Save"}

    async def row(self) -> tuple[str, int]:
        engine = create_async_engine(self.url)
        try:
            async with engine.connect() as connection:
                found = await connection.execute(
                    sa.text("SELECT tier, credits_total FROM subscriptions WHERE id = :id"),
                    {"id": self.subscription_id},
                )
                tier, credits_total = found.one()
        finally:
            await engine.dispose()
        return str(tier), int(credits_total)


UNTOUCHED = ("GROWTH", 1000)  # as `rabbit db seed` leaves it


@pytest.fixture
async def admin(studio_database: str) -> AsyncIterator[Admin]:
    engine = new_engine(studio_database)
    app = build_app(engine, port=PORT, access_token=ACCESS)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
    try:
        opened = await client.get(f"/?token={ACCESS}")
        assert opened.status_code == 303
        subscription = await _first_subscription(studio_database)
        seeded = Admin(client, studio_database, subscription)
        assert await seeded.row() == UNTOUCHED
        yield seeded
    finally:
        await client.aclose()
        await engine.dispose()


async def _first_subscription(url: str) -> str:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return str(await connection.scalar(sa.text("SELECT min(id) FROM subscriptions")))
    finally:
        await engine.dispose()


async def test_the_token_link_sets_a_strict_http_only_cookie_and_drops_the_token(
    studio_database: str,
) -> None:
    engine = new_engine(studio_database)
    app = build_app(engine, port=PORT, access_token=ACCESS)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE
        ) as client:
            refused = await client.get("/admin/?token=wrong")
            assert refused.status_code == 403
            assert "set-cookie" not in refused.headers

            opened = await client.get(f"/admin/subscription/list?token={ACCESS}&page=1")
            assert opened.status_code == 303
            assert opened.headers["location"] == "/admin/subscription/list?page=1"
            cookie = opened.headers["set-cookie"].lower()
            assert cookie.startswith(f"rabbit_studio_{PORT}=")
            assert "httponly" in cookie
            assert "samesite=strict" in cookie

            page = await client.get("/admin/subscription/list?page=1")
            assert page.status_code == 200
            assert csrf_of(page.text)
            assert page.headers["x-frame-options"] == "DENY"
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "host", ["attacker.example", f"attacker.example:{PORT}", "127.0.0.1:1", f"0.0.0.0:{PORT}"]
)
async def test_refuses_a_foreign_host_even_with_a_session_and_the_token(
    admin: Admin, host: str
) -> None:
    for path in ("/admin/subscription/list", f"/?token={ACCESS}"):
        response = await admin.client.get(path, headers={"Host": host})
        assert response.status_code == 400, path
        assert "northwind" not in response.text.lower()

    fields = await admin.forged_edit()
    page = await admin.client.get(admin.edit_path)
    response = await admin.client.post(
        admin.edit_path,
        data={**fields, "csrf_token": csrf_of(page.text)},
        headers={"Host": host, "Origin": f"http://{host}"},
    )
    assert response.status_code == 400
    assert await admin.row() == UNTOUCHED


async def test_refuses_a_request_without_a_session(admin: Admin) -> None:
    fields = await admin.forged_edit()
    admin.client.cookies.clear()

    assert (await admin.client.get("/admin/")).status_code == 403
    forged = await admin.client.post(admin.edit_path, data=fields, headers={"Origin": BASE})
    assert forged.status_code == 403
    assert await admin.row() == UNTOUCHED


@pytest.mark.parametrize(
    "origin",
    [
        {"Origin": "http://127.0.0.1:9999"},  # another local port: the same *site*
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/attack.html"},
        {},  # neither Origin nor Referer
    ],
    ids=["other-port", "other-site", "null", "foreign-referer", "none"],
)
async def test_refuses_a_cross_origin_edit_even_with_the_csrf_token(
    admin: Admin, origin: dict[str, str]
) -> None:
    fields = await admin.forged_edit()
    csrf = csrf_of((await admin.client.get(admin.edit_path)).text)

    response = await admin.client.post(
        admin.edit_path, data={**fields, "csrf_token": csrf}, headers=origin
    )

    assert response.status_code == 403
    assert await admin.row() == UNTOUCHED


@pytest.mark.parametrize("csrf", [None, "", "0" * 64], ids=["missing", "empty", "wrong"])
async def test_refuses_an_edit_without_the_sessions_csrf_token(
    admin: Admin, csrf: str | None
) -> None:
    fields = await admin.forged_edit()
    if csrf is not None:
        fields["csrf_token"] = csrf

    response = await admin.client.post(admin.edit_path, data=fields, headers={"Origin": BASE})

    assert response.status_code == 403
    assert await admin.row() == UNTOUCHED


async def test_refuses_another_sessions_csrf_token(admin: Admin) -> None:
    fields = await admin.forged_edit()
    csrf = csrf_of((await admin.client.get(admin.edit_path)).text)
    admin.client.cookies.clear()
    assert (await admin.client.get(f"/?token={ACCESS}")).status_code == 303  # a new session

    response = await admin.client.post(
        admin.edit_path, data={**fields, "csrf_token": csrf}, headers={"Origin": BASE}
    )

    assert response.status_code == 403
    assert await admin.row() == UNTOUCHED


async def test_an_edit_with_the_session_and_its_csrf_token_goes_through(admin: Admin) -> None:
    fields = await admin.forged_edit()
    csrf = csrf_of((await admin.client.get(admin.edit_path)).text)

    response = await admin.client.post(
        admin.edit_path, files={}, data={**fields, "csrf_token": csrf}, headers={"Origin": BASE}
    )

    assert response.status_code == 302, response.text
    assert await admin.row() == ("ENTERPRISE", 999999)


async def test_a_delete_needs_the_csrf_header(admin: Admin) -> None:
    csrf = csrf_of((await admin.client.get(admin.edit_path)).text)
    delete = f"/admin/subscription/delete?pks={admin.subscription_id}"

    refused = await admin.client.delete(delete, headers={"Origin": BASE})
    assert refused.status_code == 403
    assert await admin.row() == UNTOUCHED

    deleted = await admin.client.delete(delete, headers={"Origin": BASE, "X-CSRF-Token": csrf})
    assert deleted.status_code == 200, deleted.text
    with pytest.raises(sa.exc.NoResultFound):
        await admin.row()


# -- the lock, end to end (the real server, headless Chromium driven by Playwright) -----------


def _attack_page(target: str, fields: dict[str, str]) -> bytes:
    inputs = "".join(
        f'<input type="hidden" name="{name}" value="{value}">' for name, value in fields.items()
    )
    return (
        "<!doctype html><html><body>"
        f'<form id="attack" method="POST" action="{target}" enctype="multipart/form-data">'
        f"{inputs}</form>"
        "<script>document.getElementById('attack').submit();</script>"
        "</body></html>"
    ).encode()


@contextmanager
def attacker_site(page: bytes) -> Iterator[str]:
    """A web server on another local port serving ``page``; its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/attack.html"
    finally:
        server.shutdown()
        server.server_close()


async def _subscription_row(url: str, subscription_id: str) -> tuple[str, int]:
    return await Admin(httpx.AsyncClient(), url, subscription_id).row()


async def test_in_chromium_the_token_link_opens_the_studio_and_an_edit_through_the_form_works(
    studio: Studio, studio_database: str, chromium: Path, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    subscription = await _first_subscription(studio_database)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_FLAGS
        )
        try:
            page = await browser.new_page()
            await page.goto(studio.access_url)
            assert page.url == f"{studio.base}/admin/"
            assert "token" not in page.url

            await page.goto(f"{studio.base}/admin/subscription/edit/{subscription}")
            await page.select_option("#tier", "ENTERPRISE")
            await page.fill("#credits_total", "5000")
            async with page.expect_navigation():
                await page.click('input[type="submit"][value="Save"]')
            assert page.url.startswith(f"{studio.base}/admin/subscription/list")
        finally:
            await browser.close()

    assert await _subscription_row(studio_database, subscription) == ("ENTERPRISE", 5000)


async def test_in_chromium_a_page_on_another_local_port_cannot_post_to_the_studio(
    studio: Studio, studio_database: str, chromium: Path
) -> None:
    from playwright.async_api import async_playwright

    subscription = await _first_subscription(studio_database)
    edit = f"{studio.base}/admin/subscription/edit/{subscription}"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_FLAGS
        )
        try:
            page = await browser.new_page()
            await page.goto(studio.access_url)  # the developer has the studio open
            fields = form_fields(await (await page.goto(edit)).text())
            forged = {**fields, "tier": "ENTERPRISE", "credits_total": "999999", "save": "Save"}

            with attacker_site(_attack_page(edit, forged)) as attack:
                async with page.expect_response(edit) as answer:
                    await page.goto(attack)
                response = await answer.value
            assert response.request.method == "POST"
            assert response.status == 403
        finally:
            await browser.close()

    assert await _subscription_row(studio_database, subscription) == UNTOUCHED
