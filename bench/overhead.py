"""Use-case overhead on PostgreSQL: the same SQL through the use cases and through raw asyncpg.

Two transactions are measured: generate one post (``Generations.generate_post``, one unit
of work) and publish one post to one platform (``Publishing.publish_platform``: plan + finish,
two units of work). Everything the use cases send to the server is captured with asyncpg's
query logger on every pooled connection (``BEGIN``/``COMMIT``/``ROLLBACK`` included, with
the exact arguments asyncpg encoded). The use cases run on a database cloned
(``CREATE DATABASE … TEMPLATE``) before the run, so the clone is in the state the use cases
started from; the captured log is then replayed on the clone through one raw asyncpg
connection (``fetch`` per statement with arguments, ``execute`` for the transaction commands;
pgvector's binary codec registered, as a hand-written asyncpg program would) and the two
times compared.

The AI ports: the model's latency is not the core's overhead, so the main rows use an
embedder that answers at once (:class:`InstantEmbedder`); one more pair of rows uses the
local hashing embedder (pure Python, ~1-2 ms per text) to show what it adds.

    uv run python bench/overhead.py            # RABBIT_BENCH_N=300 posts by default
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import sqlalchemy as sa
from _support import fresh_database, machine, make_app, server, table, unlimited
from _texts import texts
from asyncpg import introspection
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit.domain.model import EMBEDDING_DIMENSIONS
from rabbit_local.embedder import HashingEmbedder
from rabbit_postgres.codecs import ensure_vector_codec
from rabbit_postgres.runtime import new_engine, to_sqlalchemy_url, with_database
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory
from use_cases.content_support import X, world

N = int(os.environ.get("RABBIT_BENCH_N", "300"))
SOURCE = "rabbit_bench_overhead"
CLONE = "rabbit_bench_overhead_raw"


class InstantEmbedder:
    """An embedding model that answers at once: a unit vector on 8 dimensions picked by a
    hash of the text (different texts are far apart, so nothing is a duplicate)."""

    async def embed(self, texts: Sequence[str]) -> list[tuple[float, ...]]:
        vectors = []
        for text in texts:
            digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
            vector = [0.0] * EMBEDDING_DIMENSIONS
            for index in range(8):
                vector[int.from_bytes(digest[2 * index : 2 * index + 2]) % EMBEDDING_DIMENSIONS] = (
                    0.35355339
                )
            vectors.append(tuple(vector))
        return vectors


@dataclass
class Capture:
    """Everything asyncpg sent on the engine's connections, in order: ``(query, args)``."""

    log: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    on: bool = False

    def attach(self, engine: AsyncEngine) -> None:
        @event.listens_for(engine.sync_engine, "connect")
        def connect(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.driver_connection.add_query_logger(self.record)

    def record(self, query: Any) -> None:
        if self.on:
            self.log.append((query.query, tuple(query.args or ())))

    def take(self) -> list[tuple[str, tuple[Any, ...]]]:
        log, self.log = self.log, []
        return log


async def replay(connection: asyncpg.Connection, log: list[tuple[str, tuple[Any, ...]]]) -> None:
    for query, args in log:
        if args:
            await connection.fetch(query, *args)
        else:
            await connection.execute(query)


def plain_dsn(url: str) -> str:
    """asyncpg's DSN for a SQLAlchemy URL (socket folders as ``?host=``)."""
    return to_sqlalchemy_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


TRANSACTION_COMMANDS = ("BEGIN", "COMMIT", "ROLLBACK")


def is_transaction_command(query: str) -> bool:
    return query.strip().rstrip(";").upper().startswith(TRANSACTION_COMMANDS)


def is_driver_introspection(query: str) -> bool:
    """asyncpg's own queries: the type lookups it makes once per connection and type."""
    own = (introspection.INTRO_LOOKUP_TYPES, introspection.INTRO_LOOKUP_TYPES_13)
    return query in own or "set_config('jit'" in query or "typname = 'vector'" in query


@dataclass
class Measured:
    name: str
    log: list[tuple[str, tuple[Any, ...]]]
    seconds: float
    raw_seconds: float = 0.0

    def row(self, embedder: str) -> tuple[object, ...]:
        queries = [query for query, _ in self.log if not is_driver_introspection(query)]
        transactions = sum(1 for query in queries if query.strip().upper().startswith("BEGIN"))
        statements = sum(1 for query in queries if not is_transaction_command(query))
        return (
            self.name,
            embedder,
            N,
            f"{statements / N:.1f}",
            f"{transactions / N:.1f}",
            f"{N / self.seconds:.0f}",
            f"{N / self.raw_seconds:.0f}",
            f"{self.raw_seconds / self.seconds:.2f}",
        )


async def measure(server_url: str, embedder: Any) -> tuple[list[Measured], str]:
    """Generate then publish N posts through the use cases, then replay what they sent."""
    url = await fresh_database(server_url, SOURCE)
    # the production engine options (rabbit_postgres.runtime.ENGINE_OPTIONS)
    engine = new_engine(url)
    capture = Capture()
    capture.attach(engine)
    app = make_app(PostgresUnitOfWorkFactory(engine), embedder=embedder)
    w = await world(app)
    await unlimited(app, w.owner, w.org)
    materials = [await w.ready_material(text) for text in texts(N)]
    now = app.clock.now()

    await engine.dispose()  # no session may use the template while it is cloned
    admin = create_async_engine(with_database(server_url, "postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{CLONE}"'))
        await connection.execute(sa.text(f'CREATE DATABASE "{CLONE}" TEMPLATE "{SOURCE}"'))
    await admin.dispose()

    capture.on = True
    start = time.perf_counter()
    pending_ids = []
    for material in materials:
        created = await w.generate(material, (X,), scheduled_for=now)
        pending_ids.append(created[0].id)
    generate = Measured("generate one post", capture.take(), time.perf_counter() - start)

    start = time.perf_counter()
    outcomes: dict[str, int] = {}
    for pending_id in pending_ids:
        outcome = await w.content.publishing.publish_platform(w.org, pending_id, X, now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    publish = Measured("publish one post (1 platform)", capture.take(), time.perf_counter() - start)
    capture.on = False
    assert outcomes == {"PUBLISHED": N}, outcomes
    about = await machine(engine)
    await engine.dispose()

    raw = await asyncpg.connect(plain_dsn(with_database(server_url, CLONE)))
    await ensure_vector_codec({}, raw)
    for measured in (generate, publish):
        start = time.perf_counter()
        await replay(raw, measured.log)
        measured.raw_seconds = time.perf_counter() - start
    await raw.close()
    return [generate, publish], about


async def main() -> None:
    rows = []
    async with server() as server_url:
        for label, embedder in (("instant", InstantEmbedder()), ("hashing", HashingEmbedder())):
            measured, about = await measure(server_url, embedder)
            rows.extend(m.row(label) for m in measured)
    print(f"machine: {about}")
    print(
        table(
            (
                "transaction",
                "embedder",
                "n",
                "statements/op",
                "transactions/op",
                "use case ops/s",
                "raw asyncpg ops/s",
                "use case / raw",
            ),
            rows,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
