"""The duplicate search is exact: it never lets the approximate HNSW index answer it.

docs/behaviour.md#deduplication: an approximate index combined with an organisation filter
can silently return fewer rows than asked. These tests prove the plan of ``nearest`` scans
the organisation's rows exactly (even when the planner is pushed towards indexes), and that
with the HNSW index present and several organisations' vectors stored, it returns what a
brute-force cosine scan returns.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.domain.enums import ContentType
from rabbit.domain.model import EMBEDDING_DIMENSIONS
from rabbit_postgres.repositories.embeddings import nearest_statement
from rabbit_postgres.schema import EMBEDDING_HNSW_INDEX, content_embeddings, organizations
from rabbit_postgres.unit_of_work import PostgresUnitOfWork

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SINCE = NOW - timedelta(days=30)
ORGANISATIONS = ("dedup-a", "dedup-b", "dedup-c", "dedup-d")
PER_ORGANISATION = 250
OLD_PER_ORGANISATION = 20


def unit_vector(rng: random.Random) -> list[float]:
    values = [rng.gauss(0.0, 1.0) for _ in range(EMBEDDING_DIMENSIONS)]
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


def cosine(a: list[float], b: list[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    return dot / norm


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from plan_nodes(child)


async def explain(engine: AsyncEngine, statement: sa.Executable) -> list[dict[str, Any]]:
    """The plan's nodes, planned with sequential scans disabled (indexes look cheapest)."""
    sql = str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    async with engine.connect() as connection, connection.begin():
        await connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
        raw = await connection.scalar(sa.text(f"EXPLAIN (FORMAT JSON) {sql}"))
    document = raw if isinstance(raw, list) else json.loads(raw)
    return list(plan_nodes(document[0]["Plan"]))


def uses_hnsw(nodes: list[dict[str, Any]]) -> bool:
    return any(node.get("Index Name") == EMBEDDING_HNSW_INDEX for node in nodes)


@pytest.fixture(scope="module")
async def stored(engine: AsyncEngine) -> AsyncIterator[dict[str, dict[str, list[float]]]]:
    """Recent vectors of several organisations (plus some older than the window), committed
    with the HNSW index in place; removed (with their organisations) afterwards."""
    rng = random.Random(20260302)
    recent: dict[str, dict[str, list[float]]] = {}
    rows: list[dict[str, Any]] = []
    for organization_id in ORGANISATIONS:
        recent[organization_id] = {}
        for index in range(PER_ORGANISATION + OLD_PER_ORGANISATION):
            content_id = f"{organization_id}-{index:04d}"
            vector = unit_vector(rng)
            old = index >= PER_ORGANISATION
            if not old:
                recent[organization_id][content_id] = vector
            rows.append(
                {
                    "id": f"e-{content_id}",
                    "organization_id": organization_id,
                    "content_type": ContentType.MATERIAL,
                    "content_id": content_id,
                    "embedding": vector,
                    "content_hash": f"{index:016x}",
                    "created_at": NOW - timedelta(days=40 if old else rng.uniform(0, 29)),
                }
            )
    async with engine.begin() as connection:
        await connection.execute(
            sa.insert(organizations),
            [{"id": o, "name": o, "slug": o} for o in ORGANISATIONS],
        )
        await connection.execute(sa.insert(content_embeddings), rows)
        await connection.execute(sa.text("ANALYZE content_embeddings"))
    yield recent
    async with engine.begin() as connection:
        await connection.execute(
            sa.delete(organizations).where(organizations.c.id.in_(ORGANISATIONS))
        )


async def test_the_hnsw_index_exists_and_serves_an_unfiltered_nearest_query(
    engine: AsyncEngine, stored: dict[str, dict[str, list[float]]]
) -> None:
    """Without this, the next test would prove nothing: the index is there and usable."""
    query = unit_vector(random.Random(1))
    naive = (
        sa.select(content_embeddings.c.content_id)
        .order_by(content_embeddings.c.embedding.cosine_distance(query))
        .limit(10)
    )

    assert uses_hnsw(await explain(engine, naive))


async def test_the_organisation_scoped_search_never_uses_the_hnsw_index(
    engine: AsyncEngine, stored: dict[str, dict[str, list[float]]]
) -> None:
    query = unit_vector(random.Random(2))
    statement = nearest_statement(
        ORGANISATIONS[0],
        query,
        since=SINCE,
        limit=100,
        exclude=[(ContentType.POST, "x")],
    )

    nodes = await explain(engine, statement)

    assert not uses_hnsw(nodes)
    # every row of the window is read and sorted by the computed distance
    assert any(node.get("Node Type") == "Sort" for node in nodes)


@pytest.mark.parametrize("limit", [5, 100, PER_ORGANISATION + 50])
async def test_nearest_returns_what_a_brute_force_scan_returns(
    engine: AsyncEngine, stored: dict[str, dict[str, list[float]]], limit: int
) -> None:
    rng = random.Random(limit)
    for organization_id, vectors in stored.items():
        query = unit_vector(rng)
        expected = sorted(
            ((cosine(query, vector), content_id) for content_id, vector in vectors.items()),
            key=lambda hit: (-hit[0], hit[1]),
        )[:limit]

        async with PostgresUnitOfWork(engine) as uow:
            hits = await uow.embeddings.nearest(organization_id, query, since=SINCE, limit=limit)

        assert len(hits) == min(limit, PER_ORGANISATION)
        assert {h.content_id for h in hits} == {content_id for _, content_id in expected}
        assert [h.similarity for h in hits] == pytest.approx(
            [similarity for similarity, _ in expected], abs=1e-5
        )
