"""Use-case overhead on PostgreSQL: the same SQL through the use cases and through raw asyncpg.

Two transactions are measured: generate one post (``Generations.generate_post``, one unit
of work) and publish one post to one platform (``Publishing.publish_platform``: plan + finish,
two units of work). Everything the use cases send to the server is captured with asyncpg's
query logger on every pooled connection (``BEGIN``/``COMMIT``/``ROLLBACK`` included, with
the exact arguments asyncpg encoded). The use cases run on a database cloned
(``CREATE DATABASE … TEMPLATE``) before the run, so the clone is in the state the use cases
started from. The run is split in rounds (``RABBIT_BENCH_ROUNDS``, 5): each batch of use
cases is followed at once by the replay of what it sent, on the clone, through one raw
asyncpg connection (``fetch`` per statement with arguments, ``execute`` for the transaction
commands; pgvector's binary codec registered, as a hand-written asyncpg program would), so
the clone stays in step and both sides of a round meet the same load on a shared machine.
The table gives the ratio over the whole run and the median of the rounds' ratios.

The AI ports: a model's latency is not the core's overhead, so the main rows use a generator
and an embedder that answer at once (:class:`InstantGenerator`, :class:`InstantEmbedder`);
one more pair of rows uses the local stand-ins the demo runs with (the template generator and
the hashing embedder, pure Python, ~1-2 ms per text) to show what they add.

    uv run python bench/overhead.py            # RABBIT_BENCH_N=300 posts by default
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import sqlalchemy as sa
from _support import fresh_database, machine, make_app, server, table, unlimited
from _texts import texts
from asyncpg import introspection
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit.application.ports.generator import GeneratedContent, GenerationRequest
from rabbit.domain.model import EMBEDDING_DIMENSIONS
from rabbit_local.embedder import HashingEmbedder
from rabbit_local.generator import TemplateContentGenerator
from rabbit_postgres.codecs import ensure_vector_codec
from rabbit_postgres.runtime import new_engine, to_sqlalchemy_url, with_database
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory
from use_cases.content_support import X, world

N = int(os.environ.get("RABBIT_BENCH_N", "300"))
ROUNDS = int(os.environ.get("RABBIT_BENCH_ROUNDS", "5"))
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


class InstantGenerator:
    """A content model that answers at once: the angle and the material's text."""

    async def generate(self, request: GenerationRequest) -> GeneratedContent:
        material = request.material
        return GeneratedContent(content=f"{request.angle}: {material.original_content}")


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
    """One transaction kind, measured in rounds: each round runs a batch through the use
    cases, then replays what that batch sent on the raw connection at once, so both sides
    of a round see the same load on this shared machine."""

    name: str
    log: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    raw_seconds: list[float] = field(default_factory=list)

    def add_round(self, log: list[tuple[str, tuple[Any, ...]]], used: float, raw: float) -> None:
        self.log.extend(log)
        self.seconds.append(used)
        self.raw_seconds.append(raw)

    def row(self, embedder: str) -> tuple[object, ...]:
        queries = [query for query, _ in self.log if not is_driver_introspection(query)]
        transactions = sum(1 for query in queries if query.strip().upper().startswith("BEGIN"))
        statements = sum(1 for query in queries if not is_transaction_command(query))
        ratios = sorted(
            raw / used for raw, used in zip(self.raw_seconds, self.seconds, strict=True)
        )
        return (
            self.name,
            embedder,
            N,
            f"{statements / N:.1f}",
            f"{transactions / N:.1f}",
            f"{N / sum(self.seconds):.0f}",
            f"{N / sum(self.raw_seconds):.0f}",
            f"{sum(self.raw_seconds) / sum(self.seconds):.2f}",
            f"{statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f})",
        )


async def timed_round(
    capture: Capture, raw: asyncpg.Connection, batch: Callable[[], Awaitable[None]]
) -> tuple[list[tuple[str, tuple[Any, ...]]], float, float]:
    capture.on = True
    start = time.perf_counter()
    await batch()
    used = time.perf_counter() - start
    await asyncio.sleep(0)  # asyncpg calls query loggers with call_soon: let the last ones run
    capture.on = False
    log = capture.take()
    start = time.perf_counter()
    await replay(raw, log)
    return log, used, time.perf_counter() - start


async def measure(server_url: str, embedder: Any, generator: Any) -> tuple[list[Measured], str]:
    """Generate then publish N posts through the use cases, in ROUNDS rounds, each followed
    by the raw replay of what it sent."""
    url = await fresh_database(server_url, SOURCE)
    # the production engine options (rabbit_postgres.runtime.ENGINE_OPTIONS)
    engine = new_engine(url)
    capture = Capture()
    capture.attach(engine)
    app = make_app(PostgresUnitOfWorkFactory(engine), embedder=embedder, generator=generator)
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
    raw = await asyncpg.connect(plain_dsn(with_database(server_url, CLONE)))
    await ensure_vector_codec({}, raw)

    size = -(-N // ROUNDS)
    batches = [materials[start : start + size] for start in range(0, N, size)]
    pending_ids: list[str] = []
    outcomes: dict[str, int] = {}

    generate = Measured("generate one post")
    for batch in batches:

        async def generate_batch(batch: list[Any] = batch) -> None:
            for material in batch:
                created = await w.generate(material, (X,), scheduled_for=now)
                pending_ids.append(created[0].id)

        generate.add_round(*await timed_round(capture, raw, generate_batch))

    publish = Measured("publish one post (1 platform)")
    for start in range(0, N, size):

        async def publish_batch(ids: list[str] = pending_ids[start : start + size]) -> None:
            for pending_id in ids:
                outcome = await w.content.publishing.publish_platform(w.org, pending_id, X, now)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1

        publish.add_round(*await timed_round(capture, raw, publish_batch))

    assert outcomes == {"PUBLISHED": N}, outcomes
    about = await machine(engine)
    await engine.dispose()
    await raw.close()
    return [generate, publish], about


async def main() -> None:
    rows = []
    async with server() as server_url:
        for label, embedder, generator in (
            ("instant", InstantEmbedder(), InstantGenerator()),
            ("local stand-ins", HashingEmbedder(), TemplateContentGenerator()),
        ):
            measured, about = await measure(server_url, embedder, generator)
            rows.extend(m.row(label) for m in measured)
    print(f"machine: {about}")
    print(
        table(
            (
                "transaction",
                "AI ports",
                "n",
                "statements/op",
                "transactions/op",
                "use case ops/s",
                "raw asyncpg ops/s",
                "use case / raw",
                f"per round: median (min-max) of {ROUNDS}",
            ),
            rows,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
