"""``rabbit studio``: browse and edit the data in a local web UI (sqladmin over the schema).

One page per table (:mod:`rabbit_postgres.studio` maps them), served by uvicorn on
127.0.0.1 only: it is a developer's tool for their own database, like ``psql``. Edits go
straight to the tables, past the core's rules (credits, transitions, permissions); use it to
look, and to fix data by hand with care.

It is locked (:mod:`rabbit.cli.studio_guard`, ADR 0020): a random access token is printed
at start (``http://127.0.0.1:PORT/?token=…``; the first visit turns it into a session
cookie), only the Hosts ``127.0.0.1:PORT`` and ``localhost:PORT`` are served, and every
state-changing request must come from the studio's own origin with the session's CSRF token.

Secrets never reach the browser: the tokens of social accounts, the connection
configuration of external sources and the embedding vectors are not mapped at all, and
every view also excludes them from its list, detail, form and export columns.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import types
from typing import Any

import sqlalchemy as sa
import uvicorn
from sqladmin import Admin, ModelView
from sqladmin.forms import ModelConverter, converts
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import ColumnProperty
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route
from wtforms import FloatField

from rabbit.bootstrap.settings import Settings
from rabbit.cli.studio_guard import ASGIApp, StudioGuard
from rabbit_postgres.runtime import build_engine, check_server
from rabbit_postgres.schema import metadata
from rabbit_postgres.studio import MODELS, UNMAPPED_COLUMNS, StudioModel, can_insert

HOST = "127.0.0.1"
ADMIN_PATH = "/admin"
#: Column types too bulky for a list page (shown on the detail page instead).
_BULKY = (sa.JSON, sa.ARRAY)


class StudioConverter(ModelConverter):
    """sqladmin's form fields, plus ``real`` columns (SQLAlchemy 2.1's ``Float`` is no
    longer a ``Numeric``, which is all sqladmin looks for)."""

    @converts("Float")  # type: ignore[untyped-decorator]  # wtforms ships no type hints
    def conv_float(self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]) -> Any:
        return FloatField(**kwargs)


def list_columns(table: sa.Table) -> list[str]:
    """The list page's columns: everything but secrets and bulky documents."""
    hidden = set(UNMAPPED_COLUMNS.get(table.name, ()))
    return [
        column.name
        for column in table.columns
        if column.name not in hidden and not isinstance(column.type, _BULKY)
    ]


def model_view(table_name: str, model: type[StudioModel]) -> type[ModelView]:
    """The sqladmin view of one table."""
    table = metadata.tables[table_name]
    hidden = list(UNMAPPED_COLUMNS.get(table_name, ()))
    shown = list_columns(table)
    searchable = [name for name in ("name", "email", "slug", "account_name") if name in shown]
    attributes: dict[str, Any] = {
        "name": table_name.replace("_", " ").removesuffix("s"),
        "name_plural": table_name.replace("_", " "),
        "column_list": shown,
        "column_export_list": shown,
        "column_details_exclude_list": hidden,
        "form_excluded_columns": hidden,
        "column_searchable_list": searchable,
        "column_default_sort": [("id", False)],
        "can_create": can_insert(table_name),
        "page_size": 25,
        "form_converter": StudioConverter,
    }
    return types.new_class(
        f"{model.__name__}View",
        (ModelView,),
        {"model": model},
        lambda namespace: namespace.update(attributes),
    )


def build_admin(engine: AsyncEngine) -> Starlette:
    """The Starlette application, unguarded: the admin under ``/admin``, ``/`` redirecting
    to it."""

    async def home(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{ADMIN_PATH}/")

    app = Starlette(routes=[Route("/", home)])
    admin = Admin(app, engine, base_url=ADMIN_PATH, title="rabbit studio")
    for table_name, model in MODELS.items():
        admin.add_view(model_view(table_name, model))
    return app


def build_app(engine: AsyncEngine, *, port: int, access_token: str) -> StudioGuard:
    """The studio as served: the admin behind :class:`StudioGuard`."""
    admin: ASGIApp = build_admin(engine)
    return StudioGuard(admin, port=port, access_token=access_token)


def new_access_token() -> str:
    """A random access token (256 bits)."""
    return secrets.token_urlsafe(32)


def access_url(port: int, access_token: str) -> str:
    """The link the studio prints: the first visit turns the token into a session cookie."""
    return f"http://{HOST}:{port}/?token={access_token}"


async def check_database(engine: AsyncEngine) -> None:
    """The server is reachable and migrated (else one-line errors, before serving)."""
    try:
        await check_server(engine)
        async with engine.connect() as connection:
            migrated = await connection.scalar(sa.text("SELECT to_regclass('organizations')"))
    finally:
        await engine.dispose()  # the pool belongs to this event loop, not uvicorn's
    if migrated is None:
        raise ValueError("the database has no rabbit tables: run `rabbit db upgrade` first")


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (a port in use is an OSError, reported in one line)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)  # the printed link works at once (uvicorn accepts shortly after)
    except OSError:
        sock.close()
        raise
    return sock


def serve(settings: Settings, *, port: int) -> None:
    """Check the database, bind the port, then serve until interrupted."""
    engine = build_engine(settings)
    asyncio.run(check_database(engine))
    sock = bind(port)
    port = int(sock.getsockname()[1])
    access_token = new_access_token()
    app = build_app(engine, port=port, access_token=access_token)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    print(f"rabbit studio: {access_url(port, access_token)} (Ctrl-C stops it)", flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
