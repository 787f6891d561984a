"""The dashboard application: ``create_app(container, secret=…)``, or from the environment.

The lifespan starts the core as the README's embedding example does: the schema to head
(``migrate``; nothing to do on the memory store), then ``running(container)``, which checks
the database and the token keys and disposes of the engine at shutdown. Run it with::

    EXAMPLE_SECRET=… RABBIT_STORE=memory \\
        uv run uvicorn --factory examples.dashboard.app:from_environment --port 8000
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from examples.dashboard import errors
from examples.dashboard.auth import TokenSigner
from examples.dashboard.requests import Services
from examples.dashboard.routes import accounts, analytics, brands, content, organizations, posts
from rabbit.api import Container, Settings, create_container, migrate, running
from rabbit_local import RecordingPublisher

SECRET_VARIABLE = "EXAMPLE_SECRET"


def create_app(container: Container, *, secret: str, migrate_on_start: bool = True) -> FastAPI:
    """The application over ``container``; ``secret`` signs and verifies the bearer tokens.

    ``migrate_on_start`` brings the schema to head when the application starts; a deployment
    that migrates in a step of its own (``rabbit db upgrade``) turns it off, and
    ``running`` then refuses a schema not at head."""
    signer = TokenSigner(secret)  # a short secret fails here, before anything starts

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if migrate_on_start:
            await migrate(container.settings())
        async with running(container):
            publisher = container.services.publisher()
            local = publisher if isinstance(publisher, RecordingPublisher) else None
            app.state.services = Services(container.rabbit(), signer, local)
            try:
                yield
            finally:
                del app.state.services

    app = FastAPI(title="rabbit agency dashboard (example)", lifespan=lifespan)
    errors.install(app)
    for area in (organizations, brands, accounts, content, posts, analytics):
        app.include_router(area.router)
    return app


def from_environment() -> FastAPI:
    """The application configured by the environment: the core's settings (``RABBIT_STORE``,
    ``DATABASE_URL``, …) and the token secret in ``EXAMPLE_SECRET``."""
    secret = os.environ.get(SECRET_VARIABLE, "")
    if not secret:
        raise SystemExit(
            f"{SECRET_VARIABLE} is not set: give it a secret of 32 characters or more "
            '(python -c "import secrets; print(secrets.token_urlsafe(32))")'
        )
    return create_app(create_container(Settings()), secret=secret)
