"""The duplicate search has recall 1.0 within an organisation, on Postgres and in memory.

Five organisations hold 300 embeddings each (random unit vectors, some older than the
window, mixed content types) plus near-duplicates planted around a few probe vectors, and
an exact copy of every probe sits in a *neighbouring* organisation. With the HNSW index in
place and the table analysed, ``EmbeddingRepository.nearest`` and the ``check_duplicate``
use case must return what a brute-force cosine scan over that organisation's rows returns:
the same contents in the same order (positions may only swap between hits whose true
similarities differ by less than float noise), never a row of another organisation.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.ports import UnitOfWorkFactory
from rabbit.application.use_cases.deduplication import check_duplicate
from rabbit.domain.enums import ContentType
from rabbit.domain.model import EMBEDDING_DIMENSIONS, ContentEmbedding, Organization
from rabbit.domain.model.content import SimilarContent
from rabbit.domain.policies.similarity import verdict
from rabbit_memory import MemoryUnitOfWorkFactory
from rabbit_postgres.mapping import EMBEDDINGS
from rabbit_postgres.schema import EMBEDDING_HNSW_INDEX, content_embeddings
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory
from support.postgres import EmptyPostgresStore

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WINDOW = timedelta(days=30)
ORGANISATIONS = tuple(f"recall-{letter}" for letter in "abcde")
PER_ORGANISATION = 300
PROBES = 3
#: Noise added to a probe for its planted neighbours: similarities near 0.97, 0.9, 0.8, 0.6.
NOISE = (0.25, 0.48, 0.75, 1.33)
KINDS = (ContentType.MATERIAL, ContentType.POST, ContentType.PENDING_POST)
RECENT = frozenset({ContentType.POST, ContentType.PENDING_POST})
FLOAT_NOISE = 1e-5
Key = tuple[ContentType, str]


def unit(values: Sequence[float]) -> list[float]:
    norm = math.sqrt(math.fsum(v * v for v in values))
    return [v / norm for v in values]


def random_unit(rng: random.Random) -> list[float]:
    return unit([rng.gauss(0.0, 1.0) for _ in range(EMBEDDING_DIMENSIONS)])


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))  # both are unit vectors


@dataclass
class Corpus:
    rows: list[ContentEmbedding]
    probes: dict[str, list[list[float]]]

    def recent(self, organization_id: str) -> list[ContentEmbedding]:
        return [
            row
            for row in self.rows
            if row.organization_id == organization_id and row.created_at >= NOW - WINDOW
        ]


def build_corpus() -> Corpus:
    rng = random.Random(20261101)
    rows: list[ContentEmbedding] = []
    probes: dict[str, list[list[float]]] = {}

    def add(org: str, kind: ContentType, vector: list[float], age: timedelta) -> None:
        number = len(rows)
        rows.append(
            ContentEmbedding(
                id=f"emb-{number:05d}",
                organization_id=org,
                content_type=kind,
                content_id=f"{org}-c{number:05d}",
                embedding=tuple(vector),
                content_hash=f"{number:016x}",
                created_at=NOW - age,
            )
        )

    for index, org in enumerate(ORGANISATIONS):
        for n in range(PER_ORGANISATION):
            old = n % 10 == 0  # a tenth is older than the window
            age = timedelta(days=rng.uniform(31, 60) if old else rng.uniform(0, 29))
            add(org, KINDS[n % 3], random_unit(rng), age)
        probes[org] = [random_unit(rng) for _ in range(PROBES)]
        for probe in probes[org]:
            for level, noise in enumerate(NOISE):
                # the closest neighbour is a MATERIAL, so a search restricted to recent
                # posts must look past it
                kind = ContentType.MATERIAL if level == 0 else KINDS[level % 3]
                noisy = [p + noise * r for p, r in zip(probe, random_unit(rng), strict=True)]
                add(org, kind, unit(noisy), timedelta(days=rng.uniform(0, 29)))
            # an exact copy in the neighbouring organisation: never a hit here
            add(
                ORGANISATIONS[(index + 1) % len(ORGANISATIONS)],
                ContentType.POST,
                probe,
                timedelta(days=1),
            )
    return Corpus(rows, probes)


CORPUS = build_corpus()


@functools.cache
def scan(organization_id: str, query_number: int) -> list[tuple[float, Key]]:
    """Every row of the organisation's window, best first (computed once per query)."""
    query = queries(organization_id)[query_number]
    scored = [
        (cosine(query, row.embedding), (row.content_type, row.content_id))
        for row in CORPUS.recent(organization_id)
    ]
    return sorted(scored, key=lambda hit: (-hit[0], hit[1][1], hit[1][0]))


def brute_force(
    organization_id: str,
    query_number: int,
    *,
    exclude: Sequence[Key] = (),
    kinds: frozenset[ContentType] | None = None,
) -> list[tuple[float, Key]]:
    """The qualifying rows of the brute-force scan, best first."""
    return [
        (similarity, key)
        for similarity, key in scan(organization_id, query_number)
        if key not in exclude and (kinds is None or key[0] in kinds)
    ]


def assert_same_ranking(hits: Sequence[SimilarContent], expected: list[tuple[float, Key]]) -> None:
    """Recall 1.0 and the same order, up to float noise between near-equal similarities."""
    true = {key: similarity for similarity, key in expected}
    keys = [(hit.content_type, hit.content_id) for hit in hits]
    assert len(set(keys)) == len(keys)
    assert all(key in true for key in keys), "a hit outside the organisation's window"
    for position, (hit, key) in enumerate(zip(hits, keys, strict=True)):
        assert true[key] == pytest.approx(expected[position][0], abs=FLOAT_NOISE), position
        assert hit.similarity == pytest.approx(true[key], abs=FLOAT_NOISE)


async def fill(store: MemoryUnitOfWorkFactory) -> None:
    async with store() as uow:
        for org in ORGANISATIONS:
            await uow.organizations.add(
                Organization(id=org, name=org, slug=org, created_at=NOW, updated_at=NOW)
            )
        for row in CORPUS.rows:
            await uow.embeddings.upsert(row)
        await uow.commit()


async def hnsw_index_is_present(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        found = await connection.scalar(
            sa.text("SELECT count(*) FROM pg_indexes WHERE indexname = :name"),
            {"name": EMBEDDING_HNSW_INDEX},
        )
    return found == 1


@pytest.fixture(
    scope="module", params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> AsyncEngine | None:
    """None for the memory store, else the engine (looked up lazily: memory starts no server)."""
    if request.param == "memory":
        return None
    engine: AsyncEngine = request.getfixturevalue("pg_engine")
    return engine


@pytest.fixture(scope="module")
async def store(backend: AsyncEngine | None) -> UnitOfWorkFactory:
    """The corpus stored once per store (Postgres: analysed, HNSW index present)."""
    if backend is None:
        memory = MemoryUnitOfWorkFactory()
        await fill(memory)
        return memory
    engine = backend
    async with EmptyPostgresStore(engine)() as uow:  # empties the database
        for org in ORGANISATIONS:
            await uow.organizations.add(
                Organization(id=org, name=org, slug=org, created_at=NOW, updated_at=NOW)
            )
        await uow.commit()
    async with engine.begin() as connection:  # in bulk: the rows the repository would write
        await connection.execute(
            sa.insert(content_embeddings), [EMBEDDINGS.values(row) for row in CORPUS.rows]
        )
    async with engine.begin() as connection:
        await connection.execute(sa.text("ANALYZE content_embeddings"))
    assert await hnsw_index_is_present(engine)
    return PostgresUnitOfWorkFactory(engine)


@functools.cache
def queries(org: str) -> list[list[float]]:
    """The organisation's probes, then a random vector."""
    return [*CORPUS.probes[org], random_unit(random.Random(org))]


@pytest.mark.parametrize("limit", [5, PER_ORGANISATION + 50])
async def test_nearest_returns_the_brute_force_ranking_of_the_organisation(
    store: UnitOfWorkFactory, limit: int
) -> None:
    for org in ORGANISATIONS:
        for number, query in enumerate(queries(org)):
            async with store() as uow:
                hits = await uow.embeddings.nearest(org, query, since=NOW - WINDOW, limit=limit)
            expected = brute_force(org, number)
            assert len(hits) == min(limit, len(expected))
            assert_same_ranking(hits, expected)


async def test_nearest_leaves_out_excluded_contents_and_still_fills_the_limit(
    store: UnitOfWorkFactory,
) -> None:
    for org in ORGANISATIONS:
        for number, query in enumerate(CORPUS.probes[org]):
            top = [key for _, key in brute_force(org, number)[:3]]
            async with store() as uow:
                hits = await uow.embeddings.nearest(
                    org, query, since=NOW - WINDOW, limit=10, exclude=top
                )
            assert len(hits) == 10
            assert_same_ranking(hits, brute_force(org, number, exclude=top))


@pytest.mark.parametrize("kinds", [None, RECENT], ids=["any-content", "recent-posts"])
async def test_check_duplicate_matches_the_brute_force_best_hit(
    store: UnitOfWorkFactory, kinds: frozenset[ContentType] | None
) -> None:
    verdicts = set()
    for org in ORGANISATIONS:
        for number, query in enumerate(queries(org)):
            expected = brute_force(org, number, kinds=kinds)
            best_similarity, best = expected[0]
            async with store() as uow:
                check = await check_duplicate(
                    uow, org, "a text no row hashes to", query, NOW, window=WINDOW, kinds=kinds
                )
            assert check.match is not None
            assert (check.match.content_type, check.match.content_id) == best
            assert check.similarity == pytest.approx(best_similarity, abs=FLOAT_NOISE)
            assert check.verdict is verdict(best_similarity)
            verdicts.add(check.verdict)
    assert len(verdicts) >= 2  # the probes reach the upper bands, the random queries do not
