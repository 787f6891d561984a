"""Content embeddings: upsert, exact-hash lookup and the exact nearest-neighbour search.

``nearest`` must have recall 1.0 within an organisation (docs/behaviour.md#deduplication).
An HNSW scan ordered by distance and filtered by organisation afterwards can return fewer
rows than asked, silently. So the search never lets the HNSW index serve
it: the rows are ordered by ``COALESCE(NULLIF(embedding <=> q, 'NaN'), 1)``, an expression
no index can serve (an HNSW scan only serves ``ORDER BY embedding <=> q``), so the
organisation's rows of the window are read through the btree ``(organization_id,
created_at)`` index, every distance is computed once, and a bounded (top-N) sort keeps the
``limit`` nearest. The HNSW index stays for unfiltered, approximate uses;
``tests/postgres/test_dedup_plan.py`` checks the plan and the recall.

(The first version computed the distances in a ``MATERIALIZED`` CTE, then sorted all of them:
~1.4x slower at 20,000 rows, the tuplestore and the full sort being a third of the time;
docs/performance.md §3.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from rabbit.domain.enums import ContentType
from rabbit.domain.model import ContentEmbedding, SimilarContent
from rabbit_postgres.mapping import EMBEDDINGS
from rabbit_postgres.schema import content_embeddings
from rabbit_postgres.session import PostgresSession, by_id, eq
from rabbit_postgres.statements import CompiledStatement, prepare

_c = content_embeddings.c


def _hit(row: Any) -> SimilarContent:
    return SimilarContent(
        content_type=row.content_type,
        content_id=row.content_id,
        similarity=float(row.similarity),
        content_hash=row.content_hash,
        created_at=row.created_at,
    )


def nearest_statement(
    organization_id: str,
    vector: Sequence[float],
    *,
    since: datetime,
    limit: int,
    exclude: Sequence[tuple[ContentType, str]] = (),
) -> sa.Select[Any]:
    """The exact search (see the module docstring) with its values bound; public so the
    plan test can EXPLAIN it. The repository runs the same statement, built once per
    number of exclusions, with :func:`_nearest_parameters`."""
    return _nearest_select(len(exclude)).params(
        _nearest_parameters(organization_id, vector, since=since, limit=limit, exclude=exclude)
    )


def _nearest_parameters(
    organization_id: str,
    vector: Sequence[float],
    *,
    since: datetime,
    limit: int,
    exclude: Sequence[tuple[ContentType, str]],
) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "organization_id": organization_id,
        "vector": vector,
        "since": since,
        "limit": max(limit, 0),
    }
    for index, (content_type, content_id) in enumerate(exclude):
        parameters[f"exclude_type_{index}"] = content_type
        parameters[f"exclude_id_{index}"] = content_id
    return parameters


@lru_cache(maxsize=32)
def _nearest(excluded: int) -> CompiledStatement:
    """:func:`_nearest_select`, compiled."""
    return prepare(_nearest_select(excluded))


@lru_cache(maxsize=32)
def _nearest_select(excluded: int) -> sa.Select[Any]:
    """The search statement with bound parameters, for ``excluded`` exclusions."""
    raw = _c.embedding.cosine_distance(sa.bindparam("vector", type_=_c.embedding.type))
    # pgvector gives NaN for a vector without length; the memory store counts that as
    # similarity 0 (distance 1), and NaN would sort before every real distance. NULLIF
    # evaluates the distance once; the wrapping also keeps the HNSW index out (see above).
    distance = sa.func.coalesce(
        sa.func.nullif(raw, sa.literal_column("'NaN'::float8")),
        sa.literal_column("1.0::float8"),
        type_=sa.Float,
    ).label("distance")
    where: list[sa.ColumnElement[bool]] = [
        _c.organization_id == sa.bindparam("organization_id"),
        _c.created_at >= sa.bindparam("since"),
    ]
    where.extend(
        sa.not_(
            sa.and_(
                _c.content_type == sa.bindparam(f"exclude_type_{index}"),
                _c.content_id == sa.bindparam(f"exclude_id_{index}"),
            )
        )
        for index in range(excluded)
    )
    nearest = (
        sa.select(_c.content_type, _c.content_id, _c.content_hash, _c.created_at, distance)
        .where(*where)
        .order_by(distance, by_id(_c.content_id), by_id(sa.cast(_c.content_type, sa.Text)))
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .subquery("nearest")
    )
    return sa.select(
        nearest.c.content_type,
        nearest.c.content_id,
        nearest.c.content_hash,
        nearest.c.created_at,
        (1.0 - nearest.c.distance).label("similarity"),
    ).order_by(
        nearest.c.distance,
        by_id(nearest.c.content_id),
        by_id(sa.cast(nearest.c.content_type, sa.Text)),
    )


def _upsert() -> sa.Insert:
    insert = pg_insert(content_embeddings)
    return insert.on_conflict_do_update(
        index_elements=[_c.content_type, _c.content_id],
        set_={
            "embedding": insert.excluded.embedding,
            "content_hash": insert.excluded.content_hash,
        },
        where=_c.organization_id == insert.excluded.organization_id,
    ).returning(*EMBEDDINGS.columns)


_UPSERT = prepare(_upsert())
_MOVE = prepare(
    sa.delete(content_embeddings)
    .where(
        _c.content_type == sa.bindparam("key_content_type"),
        _c.content_id == sa.bindparam("key_content_id"),
    )
    .returning(_c.id, _c.created_at)
)
_INSERT = prepare(sa.insert(content_embeddings).returning(*EMBEDDINGS.columns))
_BY_HASH = prepare(
    sa.select(
        _c.content_type,
        _c.content_id,
        _c.content_hash,
        _c.created_at,
        sa.literal(1.0, sa.Float).label("similarity"),
    )
    .where(
        _c.organization_id == sa.bindparam("organization_id"),
        _c.content_hash == sa.bindparam("content_hash"),
        _c.created_at >= sa.bindparam("since"),
    )
    .order_by(_c.created_at, by_id(_c.content_id), by_id(_c.id))
)


class PostgresEmbeddingRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def upsert(self, embedding: ContentEmbedding) -> ContentEmbedding:
        """One statement: INSERT … ON CONFLICT (content_type, content_id) DO UPDATE.

        A row of the same content in another organisation is not updated in place (its
        tenant key may be referenced); it is deleted (references to it are cleared, as the
        foreign keys say) and inserted again under the new organisation, with its id and
        created_at, as the memory store does."""
        values = EMBEDDINGS.values(embedding)
        row = (await self._session.execute(_UPSERT, values)).first()
        if row is not None:
            return EMBEDDINGS.entity_from(row)
        moved = (
            await self._session.execute(
                _MOVE,
                {
                    "key_content_type": embedding.content_type,
                    "key_content_id": embedding.content_id,
                },
            )
        ).one()
        values.update(id=moved.id, created_at=moved.created_at)
        inserted = (await self._session.execute(_INSERT, values)).one()
        return EMBEDDINGS.entity_from(inserted)

    async def get(
        self, organization_id: str, content_type: ContentType, content_id: str
    ) -> ContentEmbedding | None:
        return await self._session.one_where(
            EMBEDDINGS,
            eq(_c.organization_id, organization_id),
            eq(_c.content_type, content_type),
            eq(_c.content_id, content_id),
        )

    async def find_by_hash(
        self, organization_id: str, content_hash: str, *, since: datetime
    ) -> list[SimilarContent]:
        parameters = {
            "organization_id": organization_id,
            "content_hash": content_hash,
            "since": since,
        }
        return [_hit(row) for row in await self._session.execute(_BY_HASH, parameters)]

    async def nearest(
        self,
        organization_id: str,
        vector: Sequence[float],
        *,
        since: datetime,
        limit: int,
        exclude: Sequence[tuple[ContentType, str]] = (),
    ) -> list[SimilarContent]:
        parameters = _nearest_parameters(
            organization_id, vector, since=since, limit=limit, exclude=exclude
        )
        return [
            _hit(row) for row in await self._session.execute(_nearest(len(exclude)), parameters)
        ]

    async def delete_for(
        self, organization_id: str, content_type: ContentType, content_id: str
    ) -> None:
        await self._session.delete(
            content_embeddings,
            _c.organization_id == organization_id,
            _c.content_type == content_type,
            _c.content_id == content_id,
        )
