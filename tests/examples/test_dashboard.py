"""The example dashboard (examples/dashboard/app.py) over HTTP: a whole agency flow on the
memory store and on a fresh PostgreSQL database, and each error's status and body.

Requests go through httpx's ASGI transport: nothing leaves the process. The application's
lifespan runs around each test, as a server would run it (migrate, then ``running``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from examples.dashboard.app import create_app
from examples.dashboard.auth import TokenSigner
from examples.dashboard.errors import INTERNAL, NotAuthenticatedError, error_body, status_of

from rabbit.api import Settings, StoreKind, create_container
from rabbit.errors import (
    ConcurrentUpdateError,
    ConflictError,
    ConnectionLostError,
    DuplicateContentError,
    InsufficientCreditsError,
    InvalidTransitionError,
    LimitExceededError,
    NotFoundError,
    PermissionDeniedError,
    PlatformUnavailableError,
    SchemaNotCurrentError,
    UnreadableSecretError,
    ValidationError,
)
from support.keys import TEST_TOKEN_KEYS

SECRET = "dashboard-test-secret-0123456789abcdef"
ARTICLE = (
    "Our new cold brew steeps for eighteen hours and tastes of cocoa and cherries; "
    "it is on the counter of every Northwind shop from Monday."
)


@asynccontextmanager
async def dashboard(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the dashboard over ``settings``, its lifespan entered."""
    app = create_app(create_container(settings), secret=SECRET)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield client


def memory_settings(folder: Path) -> Settings:
    return Settings(store=StoreKind.MEMORY, data_dir=folder, token_keys=TEST_TOKEN_KEYS)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with dashboard(memory_settings(tmp_path)) as client:
        yield client


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def sign_up(client: httpx.AsyncClient, email: str) -> tuple[str, dict[str, str]]:
    """A new user's id and the headers that act as them."""
    answer = ok(await client.post("/users", json={"email": email, "name": "x"}), 201)
    return answer["user"]["id"], {"Authorization": f"Bearer {answer['token']}"}


async def organization(client: httpx.AsyncClient, slug: str) -> tuple[str, dict[str, str]]:
    """A new organisation and its owner's headers."""
    _, owner = await sign_up(client, f"owner@{slug}.example.com")
    org = ok(
        await client.post("/organizations", json={"name": slug, "slug": slug}, headers=owner), 201
    )
    return org["id"], owner


async def member(
    client: httpx.AsyncClient, org: str, owner: dict[str, str], role: str
) -> dict[str, str]:
    """The headers of a new user who joined ``org`` with ``role``."""
    user_id, headers = await sign_up(client, f"{role.lower()}@{org}.example.com")
    invite = {"user_id": user_id, "role": role}
    ok(await client.post(f"/organizations/{org}/members", json=invite, headers=owner), 201)
    ok(await client.post(f"/organizations/{org}/invitation/accept", headers=headers))
    return headers


async def run_agency_flow(client: httpx.AsyncClient) -> None:
    """Sign-up → organisation → member → brand → account → material → schedule →
    generation → review → analytics, checking each answer."""
    _, alice = await sign_up(client, "alice@example.com")
    org = ok(
        await client.post(
            "/organizations", json={"name": "Northwind", "slug": "northwind"}, headers=alice
        ),
        201,
    )
    o = f"/organizations/{org['id']}"
    assert org["slug"] == "northwind"
    assert "stripe_customer_id" not in org

    bob_id, bob = await sign_up(client, "bob@example.com")
    invited = ok(await client.post(f"{o}/members", json={"user_id": bob_id}, headers=alice), 201)
    assert (invited["role"], invited["joined_at"]) == ("MEMBER", None)
    ok(await client.post(f"{o}/invitation/accept", headers=bob))
    members = ok(await client.get(f"{o}/members", headers=bob))
    assert sorted(m["role"] for m in members) == ["MEMBER", "OWNER"]

    brand = ok(
        await client.post(
            f"{o}/brands", json={"name": "Northwind Coffee", "auto_approve": False}, headers=bob
        ),
        201,
    )
    b = brand["id"]
    changed = {"target_audience": "commuters who like their coffee strong"}
    ok(await client.patch(f"{o}/brands/{b}", json=changed, headers=alice))
    fetched = ok(await client.get(f"{o}/brands/{b}", headers=bob))
    assert (fetched["name"], fetched["target_audience"]) == (
        "Northwind Coffee",
        changed["target_audience"],
    )
    assert [x["id"] for x in ok(await client.get(f"{o}/brands", headers=bob))] == [b]

    token = ok(
        await client.post("/local-platform/TWITTER/tokens", json={"account_id": "northwind-x"}),
        201,
    )["access_token"]
    connect = {
        "platform": "TWITTER",
        "account_id": "northwind-x",
        "account_name": "@northwind",
        "access_token": token,
    }
    account = ok(await client.post(f"{o}/accounts", json=connect, headers=alice), 201)
    listed = await client.get(f"{o}/accounts", headers=bob)
    assert [x["account_id"] for x in ok(listed)] == ["northwind-x"]
    assert "access_token" not in account
    assert token not in listed.text  # the token never comes back, not even encrypted
    link = {"is_default": True}
    ok(await client.put(f"{o}/brands/{b}/accounts/{account['id']}", json=link, headers=alice))
    linked = ok(await client.get(f"{o}/brands/{b}/accounts", headers=bob))
    assert [(x["account"]["id"], x["is_default"]) for x in linked] == [(account["id"], True)]

    upload = {
        "type": "TEXT",
        "brand_profile_id": b,
        "name": "Cold brew",
        "original_content": ARTICLE,
    }
    material = ok(await client.post(f"{o}/materials", json=upload, headers=bob), 201)
    m = f"{o}/materials/{material['id']}"
    assert material["status"] == "UPLOADED"
    ok(await client.post(f"{m}/analysis/start", headers=bob))
    analysis = {
        "summary": ARTICLE,
        "key_points": ["cold brew"],
        "suggested_angles": ["PRODUCT_FOCUS"],
    }
    ok(await client.post(f"{m}/analysis", json=analysis, headers=bob))
    assert ok(await client.post(f"{m}/embedding", headers=bob))["status"] == "READY"

    plan = {"platforms": ["TWITTER"], "times": ["09:00"], "timezone": "Europe/Berlin"}
    schedule = ok(await client.post(f"{o}/brands/{b}/schedules", json=plan, headers=alice), 201)
    assert schedule["is_active"] is True
    paused = ok(await client.post(f"{o}/schedules/{schedule['id']}/pause", headers=alice))
    assert paused["is_active"] is False
    assert [x["id"] for x in ok(await client.get(f"{o}/schedules", headers=bob))] == [
        schedule["id"]
    ]

    before = ok(await client.get(f"{o}/billing/balance", headers=alice))["credits_remaining"]
    generate = {"material_id": material["id"], "brand_profile_id": b, "platforms": ["TWITTER"]}
    [pending] = ok(await client.post(f"{o}/posts/generate", json=generate, headers=bob), 201)
    assert pending["status"] == "PENDING"
    queue = ok(await client.get(f"{o}/review", params={"brand_id": b}, headers=bob))
    assert ([x["id"] for x in queue["items"]], queue["next_cursor"]) == ([pending["id"]], None)
    approval = {"hashtags": ["coldbrew"], "review_notes": "lovely"}
    approved = ok(
        await client.post(f"{o}/review/{pending['id']}/approve", json=approval, headers=alice)
    )
    assert (approved["status"], approved["hashtags"]) == ("APPROVED", ["coldbrew"])
    assert ok(await client.get(f"{o}/review", headers=bob)) == {"items": [], "next_cursor": None}

    listed = ok(await client.get(f"{o}/materials", params={"status": "READY"}, headers=bob))
    assert [x["id"] for x in listed["items"]] == [material["id"]]
    assert listed["next_cursor"] is None

    p = f"{o}/pending-posts/{pending['id']}"
    assert ok(await client.get(p, headers=bob))["status"] == "APPROVED"
    assert ok(await client.get(f"{p}/attempts", headers=bob)) == []
    retry = ok(await client.post(f"{p}/platforms/TWITTER/retry", headers=alice))
    assert retry["outcome"] == "PUBLISHED"  # due at once: published now, not at the next tick
    again = ok(await client.post(f"{p}/platforms/TWITTER/retry", headers=alice))
    assert again["outcome"] == "ALREADY_PUBLISHED"  # never twice
    [attempt] = ok(await client.get(f"{p}/attempts", headers=bob))
    assert (attempt["status"], attempt["idempotency_key"]) == (
        "SUCCEEDED",
        retry["idempotency_key"],
    )
    published = ok(await client.get(f"{o}/posts", headers=bob))
    assert [(x["pending_post_id"], x["platform"]) for x in published["items"]] == [
        (pending["id"], "TWITTER")
    ]

    board = ok(await client.get(f"{o}/analytics/dashboard", headers=bob))
    after = ok(await client.get(f"{o}/billing/balance", headers=alice))["credits_remaining"]
    assert after < before  # generating and publishing cost credits
    assert board == {
        "active_brands": 1,
        "posts_last_30_days": 1,
        "ready_materials": 0,  # used now (see below)
        "credits_remaining": after,
    }
    [used] = ok(await client.get(f"{o}/materials", headers=bob))["items"]
    assert (used["id"], used["status"], used["usage_count"]) == (material["id"], "USED", 1)
    [twitter] = ok(await client.get(f"{o}/analytics/platforms", headers=bob))
    assert (twitter["platform"], twitter["post_count"]) == ("TWITTER", 1)
    [angle] = ok(await client.get(f"{o}/brands/{b}/analytics/angles", headers=bob))
    assert angle["post_count"] == 1
    assert ok(await client.get(f"{o}/billing/ledger", headers=alice))

    assert ok(await client.get("/me", headers=bob))["email"] == "bob@example.com"
    mine = ok(await client.get("/me/organizations", headers=bob))
    assert [(x["slug"], x["role"]) for x in mine] == [("northwind", "MEMBER")]


async def test_an_agency_works_through_the_dashboard_on_the_memory_store(
    client: httpx.AsyncClient,
) -> None:
    await run_agency_flow(client)


@pytest.mark.postgres
async def test_an_agency_works_through_the_dashboard_on_a_fresh_postgres_database(
    tmp_path: Path, scratch_database_url: str
) -> None:
    settings = Settings(
        store=StoreKind.POSTGRES,
        database_url=scratch_database_url,  # empty: the lifespan migrates it
        data_dir=tmp_path,
        token_keys=TEST_TOKEN_KEYS,
        dev=True,  # the flow connects accounts on the local recording platform (ADR 0029)
    )
    async with dashboard(settings) as client:
        await run_agency_flow(client)


# Who is acting: 401 without a token this application signed.


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no-header"),
        pytest.param("Basic YWxpY2U6c2VjcmV0", id="not-bearer"),
        pytest.param("Bearer ", id="empty-token"),
        pytest.param("Bearer no-signature", id="no-signature"),
        pytest.param("FORGED", id="forged-signature"),
        pytest.param("OTHER-SECRET", id="signed-with-another-secret"),
    ],
)
async def test_a_request_without_a_valid_bearer_token_is_401(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    user_id, _ = await sign_up(client, "alice@example.com")
    if authorization == "FORGED":
        authorization = f"Bearer {user_id}.{'A' * 43}"
    elif authorization == "OTHER-SECRET":
        authorization = f"Bearer {TokenSigner('x' * 40).issue(user_id)}"
    headers = {} if authorization is None else {"Authorization": authorization}

    response = await client.post(
        "/organizations", json={"name": "Acme", "slug": "acme"}, headers=headers
    )

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"


def test_a_token_names_the_user_it_was_issued_for_and_no_other() -> None:
    signer = TokenSigner(SECRET)
    alice = signer.issue("alice")

    assert signer.verify(alice) == "alice"
    assert signer.verify(alice.replace("alice", "bob", 1)) is None
    with pytest.raises(ValueError, match="at least 32"):
        TokenSigner("short")


# What the acting user may do: 403 for a role, 404 for what is not theirs.


async def test_a_role_without_the_permission_is_403(client: httpx.AsyncClient) -> None:
    org, owner = await organization(client, "acme")
    viewer = await member(client, org, owner, "VIEWER")
    regular = await member(client, org, owner, "MEMBER")

    as_viewer = await client.post(
        f"/organizations/{org}/brands", json={"name": "B"}, headers=viewer
    )
    as_member = await client.post(
        f"/organizations/{org}/members", json={"user_id": "someone"}, headers=regular
    )

    for response, permission in ((as_viewer, "MANAGE_BRANDS"), (as_member, "MANAGE_MEMBERS")):
        assert response.status_code == 403, response.text
        body = response.json()
        assert (body["code"], body["field"]) == ("permission_denied", None)
        assert permission in body["message"]
    assert ok(await client.get(f"/organizations/{org}/brands", headers=viewer)) == []


async def test_another_organisations_records_are_404(client: httpx.AsyncClient) -> None:
    acme, acme_owner = await organization(client, "acme")
    globex, globex_owner = await organization(client, "globex")
    brand = ok(
        await client.post(f"/organizations/{acme}/brands", json={"name": "A"}, headers=acme_owner),
        201,
    )

    outsider = await client.get(f"/organizations/{acme}/brands", headers=globex_owner)
    elsewhere = await client.get(
        f"/organizations/{globex}/brands/{brand['id']}", headers=globex_owner
    )

    assert (outsider.status_code, outsider.json()["code"]) == (404, "not_found")
    assert "organization" in outsider.json()["message"]
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "not_found")
    assert "brand" in elsewhere.json()["message"]


# Bad input: 422 naming the field; conflicts: 409.


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        pytest.param("/brands", {"name": ""}, "name", id="empty-name"),
        pytest.param("/brands", {}, "name", id="missing-name"),
        pytest.param(
            "/brands", {"name": "B", "colors": {"primary": "red"}}, "colors.primary", id="nested"
        ),
        pytest.param("/brands", {"name": "B", "colour": "red"}, "colour", id="unknown-field"),
        pytest.param("/brands", {"name": "B\x00"}, "name", id="nul-character"),
        pytest.param("/brands", b"{not json", "body", id="not-json"),
        pytest.param("/materials?cursor=bm9wZQ", None, "cursor", id="bad-cursor"),
        pytest.param("/materials?limit=0", None, "limit", id="page-too-small"),
        pytest.param(
            "/posts?published_from=2026-01-01T00:00:00", None, "published_from", id="naive"
        ),
        pytest.param(
            "/accounts",
            {
                "platform": "TWITTER",
                "account_id": "acme-x",
                "account_name": "@acme",
                "access_token": "a token no platform issued",
            },
            "access_token",
            id="token-the-platform-rejects",
        ),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    client: httpx.AsyncClient, path: str, payload: dict[str, Any] | bytes | None, field: str
) -> None:
    org, owner = await organization(client, "acme")
    url = f"/organizations/{org}{path}"

    if payload is None:
        response = await client.get(url, headers=owner)
    elif isinstance(payload, bytes):
        response = await client.post(url, content=payload, headers=owner)
    else:
        response = await client.post(url, json=payload, headers=owner)

    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["code"], body["field"]) == ("validation_error", field)
    assert body["message"].startswith(f"{field}:")


async def test_a_query_parameter_of_the_wrong_kind_is_422_in_the_same_shape(
    client: httpx.AsyncClient,
) -> None:
    org, owner = await organization(client, "acme")

    response = await client.get(
        f"/organizations/{org}/analytics/platforms", params={"window_days": 0}, headers=owner
    )

    assert response.status_code == 422
    assert response.json()["field"] == "window_days"


async def test_a_taken_slug_and_a_move_the_lifecycle_refuses_are_409(
    client: httpx.AsyncClient,
) -> None:
    org, owner = await organization(client, "acme")
    upload = {"type": "TEXT", "original_content": ARTICLE}
    material = ok(
        await client.post(f"/organizations/{org}/materials", json=upload, headers=owner), 201
    )
    start = f"/organizations/{org}/materials/{material['id']}/analysis/start"
    ok(await client.post(start, headers=owner))

    taken = await client.post("/organizations", json={"name": "A", "slug": "acme"}, headers=owner)
    started_again = await client.post(start, headers=owner)

    assert taken.status_code == 409
    assert (taken.json()["code"], taken.json()["field"]) == ("conflict", "slug")
    assert started_again.status_code == 409
    assert started_again.json()["code"] == "invalid_transition"


# The table itself: every error type the routes can meet has its status.


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotAuthenticatedError("no token"), 401, "not_authenticated"),
        (ValidationError("name", "is empty"), 422, "validation_error"),
        (PermissionDeniedError("u1", "MANAGE_BRANDS"), 403, "permission_denied"),
        (NotFoundError("brand_profile", "b1"), 404, "not_found"),
        (ConflictError("organization", "slug", "is taken"), 409, "conflict"),
        (InvalidTransitionError("pending_post", "p1", "APPROVED", "APPROVED"), 409, None),
        (DuplicateContentError(0.97, "POST", "p1"), 409, "duplicate_content"),
        (InsufficientCreditsError("o1", 2, 1), 402, "insufficient_credits"),
        (LimitExceededError("social_accounts", 3), 402, "limit_exceeded"),
        (PlatformUnavailableError("TWITTER"), 503, "platform_unavailable"),
        (ConcurrentUpdateError(), 503, "concurrent_update"),
        (ConnectionLostError("the server closed the connection"), 503, "database_unavailable"),
        (SchemaNotCurrentError("the database is at 0005"), 500, "database_error"),
        (UnreadableSecretError("social_accounts.access_token", "a1", "moved"), 500, None),
    ],
)
def test_each_error_type_has_its_status_and_code(
    error: Exception, status: int, code: str | None
) -> None:
    assert status_of(error)[0] == status
    body = error_body(error)
    assert body["code"] == (code or getattr(error, "code"))  # noqa: B009
    if status == 500:  # what went wrong inside stays in the log
        assert body == {"code": body["code"], "message": INTERNAL, "field": None}
    else:
        assert body["message"] == getattr(error, "message", str(error))
