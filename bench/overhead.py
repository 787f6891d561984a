"""Use-case overhead on PostgreSQL: the same SQL through the use cases and through raw asyncpg.

Two transactions are measured: generate one post (``Generations.generate_post``, one unit
of work) and publish one post to one platform (``Publishing.publish_platform``: plan + finish,
two units of work). Every statement the use cases send is captured with SQLAlchemy's
``before_cursor_execute`` event, with the transaction boundaries (``begin``/``commit``/
``rollback`` events). The use cases run on a database cloned (``CREATE DATABASE … TEMPLATE``)
before the run, so the clone is in the same state the use cases started from; the captured
log is then replayed on the clone through one raw asyncpg connection (``conn.fetch`` per
statement, ``conn.transaction()`` per unit of work) and the two times compared.

    uv run python bench/overhead.py            # RABBIT_BENCH_N=300 posts by default
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import sqlalchemy as sa
from _support import fresh_database, machine, make_app, server, table, unlimited
from _texts import texts
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit_postgres.runtime import new_engine, to_sqlalchemy_url, with_database
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory
from use_cases.content_support import X, world

N = int(os.environ.get("RABBIT_BENCH_N", "300"))
SOURCE = "rabbit_bench_overhead"
CLONE = "rabbit_bench_overhead_raw"


@dataclass
class Capture:
    """The statements and transaction boundaries one engine sent, in order."""

    log: list[tuple[Any, ...]] = field(default_factory=list)
    on: bool = False

    def attach(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine

        @event.listens_for(sync, "begin")
        def begin(conn: Any) -> None:
            if self.on:
                self.log.append(("begin",))

        @event.listens_for(sync, "commit")
        def commit(conn: Any) -> None:
            if self.on:
                self.log.append(("commit",))

        @event.listens_for(sync, "rollback")
        def rollback(conn: Any) -> None:
            if self.on:
                self.log.append(("rollback",))

        @event.listens_for(sync, "before_cursor_execute")
        def statement(
            conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool
        ) -> None:
            if self.on:
                self.log.append(("many" if many else "one", sql, params))

    def take(self) -> list[tuple[Any, ...]]:
        log, self.log = self.log, []
        return log


async def replay(connection: asyncpg.Connection, log: list[tuple[Any, ...]]) -> None:
    transaction: Any = None
    for entry in log:
        kind = entry[0]
        if kind == "begin":
            transaction = connection.transaction()
            await transaction.start()
        elif kind == "commit":
            await transaction.commit()
        elif kind == "rollback":
            await transaction.rollback()
        elif kind == "one":
            await connection.fetch(entry[1], *(entry[2] or ()))
        else:
            await connection.executemany(entry[1], entry[2])


def plain_dsn(url: str) -> str:
    """asyncpg's DSN for a SQLAlchemy URL (socket folders as ``?host=``)."""
    return to_sqlalchemy_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def main() -> None:
    async with server() as server_url:
        url = await fresh_database(server_url, SOURCE)
        # the production engine options (rabbit_postgres.runtime.ENGINE_OPTIONS)
        engine = new_engine(url)
        capture = Capture()
        capture.attach(engine)
        app = make_app(PostgresUnitOfWorkFactory(engine))
        w = await world(app)
        await unlimited(app, w.owner, w.org)
        materials = [await w.ready_material(text) for text in texts(N)]
        now = app.clock.now()

        await engine.dispose()  # no session may use the template while it is cloned
        admin = create_async_engine(
            with_database(server_url, "postgres"), isolation_level="AUTOCOMMIT"
        )
        async with admin.connect() as connection:
            await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{CLONE}"'))
            await connection.execute(sa.text(f'CREATE DATABASE "{CLONE}" TEMPLATE "{SOURCE}"'))
        await admin.dispose()

        capture.on = True
        start = time.perf_counter()
        pending_ids = []
        outcomes: dict[str, int] = {}
        for material in materials:
            created = await w.generate(material, (X,), scheduled_for=now)
            pending_ids.append(created[0].id)
        generate_time = time.perf_counter() - start
        generate_log = capture.take()

        start = time.perf_counter()
        for pending_id in pending_ids:
            outcome = await w.content.publishing.publish_platform(w.org, pending_id, X, now)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        publish_time = time.perf_counter() - start
        publish_log = capture.take()
        capture.on = False
        about = await machine(engine)
        await engine.dispose()

        raw = await asyncpg.connect(plain_dsn(with_database(server_url, CLONE)))
        start = time.perf_counter()
        await replay(raw, generate_log)
        raw_generate = time.perf_counter() - start
        start = time.perf_counter()
        await replay(raw, publish_log)
        raw_publish = time.perf_counter() - start
        await raw.close()

    rows = []
    for name, log, used, bare in (
        ("generate one post", generate_log, generate_time, raw_generate),
        ("publish one post (1 platform)", publish_log, publish_time, raw_publish),
    ):
        statements = sum(1 for entry in log if entry[0] in ("one", "many"))
        transactions = sum(1 for entry in log if entry[0] == "begin")
        rows.append(
            (
                name,
                N,
                f"{statements / N:.1f}",
                f"{transactions / N:.1f}",
                f"{N / used:.0f}",
                f"{N / bare:.0f}",
                f"{bare / used:.2f}",
            )
        )
    print(f"machine: {about}")
    print(f"publish outcomes: {outcomes}")
    print(
        table(
            (
                "transaction",
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
