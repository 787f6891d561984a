"""Material ingestion: materials taken to READY with their embedding, per second.

Each material goes through the four use cases a client calls: ``upload_material``,
``start_analysis``, ``record_analysis`` and ``store_embedding`` (the local hashing embedder
computes the 768-dimension vector in process; the upsert stores it). Texts are distinct
pseudo-words of about 40 words. Measured with one client and with two concurrent clients
(two asyncio tasks on one engine), each step's time reported too.

    uv run python bench/ingest.py              # RABBIT_BENCH_N=300 materials per run
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections import defaultdict

from _support import fresh_database, machine, make_app, server, table, unlimited
from _texts import texts

from rabbit.application.use_cases.materials import RecordAnalysis, UploadMaterial
from rabbit.domain.enums import MaterialType
from rabbit_postgres.runtime import new_engine
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory
from use_cases.content_support import World, world

N = int(os.environ.get("RABBIT_BENCH_N", "300"))
STEPS = ("upload", "start analysis", "record analysis", "store embedding")


async def ingest(w: World, batch: list[str], timings: dict[str, list[float]]) -> None:
    materials = w.content.materials
    for text in batch:
        marks = [time.perf_counter()]
        material = await materials.upload_material(
            w.owner,
            w.org,
            UploadMaterial(
                type=MaterialType.TEXT,
                brand_profile_id=w.brand,
                name=text[:40],
                original_content=text,
            ),
        )
        marks.append(time.perf_counter())
        await materials.start_analysis(w.owner, w.org, material.id)
        marks.append(time.perf_counter())
        await materials.record_analysis(
            w.owner, w.org, material.id, RecordAnalysis(summary=text, key_points=(text[:20],))
        )
        marks.append(time.perf_counter())
        await materials.store_embedding(w.owner, w.org, material.id)
        marks.append(time.perf_counter())
        for step, before, after in zip(STEPS, marks, marks[1:], strict=False):
            timings[step].append(after - before)


async def main() -> None:
    async with server() as server_url:
        url = await fresh_database(server_url, "rabbit_bench_ingest")
        engine = new_engine(url)
        app = make_app(PostgresUnitOfWorkFactory(engine))
        w = await world(app)
        await unlimited(app, w.owner, w.org)
        corpus = texts(2 * N + 20, seed=5)
        await ingest(w, corpus[:20], defaultdict(list))  # warm-up: statement caches
        rows = []
        for clients, batch in ((1, corpus[20 : 20 + N]), (2, corpus[20 + N :])):
            timings: dict[str, list[float]] = defaultdict(list)
            start = time.perf_counter()
            share = len(batch) // clients
            await asyncio.gather(
                *(ingest(w, batch[i * share : (i + 1) * share], timings) for i in range(clients))
            )
            elapsed = time.perf_counter() - start
            steps = ", ".join(
                f"{step} {statistics.median(timings[step]) * 1000:.1f}" for step in STEPS
            )
            rows.append((clients, share * clients, f"{share * clients / elapsed:.1f}", steps))
        about = await machine(engine)
        await engine.dispose()
    print(f"machine: {about}")
    print(table(("clients", "materials", "materials/s", "median ms per step"), rows))


if __name__ == "__main__":
    asyncio.run(main())
