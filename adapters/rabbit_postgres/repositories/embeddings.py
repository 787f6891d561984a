"""Content embeddings: upsert, exact-hash lookup and the exact nearest-neighbour search.

``nearest`` must have recall 1.0 within an organisation (behaviour.md, "Embeddings and
deduplication"). An HNSW scan ordered by distance and filtered by organisation afterwards
can return fewer rows than asked, silently. So the search never lets the HNSW index serve
it: a ``MATERIALIZED`` CTE reads the organisation's rows of the window through the btree
``(organization_id, created_at)`` index and computes every distance, and only then are the
rows ordered and cut to ``limit``. The HNSW index stays for unfiltered, approximate uses;
``tests/postgres/test_dedup_plan.py`` checks the plan and the recall.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from rabbit.domain.enums import ContentType
from rabbit.domain.model import ContentEmbedding, SimilarContent
from rabbit_postgres.mapping import EMBEDDINGS
from rabbit_postgres.schema import content_embeddings
from rabbit_postgres.session import PostgresSession, by_id

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
    """The exact search (see the module docstring); public so the plan test can EXPLAIN it."""
    raw = _c.embedding.cosine_distance([float(x) for x in vector])
    # pgvector gives NaN for a vector without length; the memory store counts that as
    # similarity 0 (distance 1), and NaN would sort before every real distance.
    distance = sa.case((raw == sa.cast(sa.literal("NaN"), sa.Float), 1.0), else_=raw)
    where: list[sa.ColumnElement[bool]] = [
        _c.organization_id == organization_id,
        _c.created_at >= since,
    ]
    where.extend(
        sa.not_(sa.and_(_c.content_type == content_type, _c.content_id == content_id))
        for content_type, content_id in exclude
    )
    candidates = (
        sa.select(
            _c.content_type,
            _c.content_id,
            _c.content_hash,
            _c.created_at,
            distance.label("distance"),
        )
        .where(*where)
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    return (
        sa.select(
            candidates.c.content_type,
            candidates.c.content_id,
            candidates.c.content_hash,
            candidates.c.created_at,
            (1.0 - candidates.c.distance).label("similarity"),
        )
        .order_by(
            candidates.c.distance,
            by_id(candidates.c.content_id),
            by_id(sa.cast(candidates.c.content_type, sa.Text)),
        )
        .limit(max(limit, 0))
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
        insert = pg_insert(content_embeddings).values(values)
        statement = insert.on_conflict_do_update(
            index_elements=[_c.content_type, _c.content_id],
            set_={
                "embedding": insert.excluded.embedding,
                "content_hash": insert.excluded.content_hash,
            },
            where=_c.organization_id == insert.excluded.organization_id,
        ).returning(*EMBEDDINGS.columns)
        row = (await self._session.execute(statement)).first()
        if row is not None:
            return EMBEDDINGS.entity_from(row)
        moved = (
            await self._session.execute(
                sa.delete(content_embeddings)
                .where(
                    _c.content_type == embedding.content_type,
                    _c.content_id == embedding.content_id,
                )
                .returning(_c.id, _c.created_at)
            )
        ).one()
        values.update(id=moved.id, created_at=moved.created_at)
        inserted = (
            await self._session.execute(
                sa.insert(content_embeddings).values(values).returning(*EMBEDDINGS.columns)
            )
        ).one()
        return EMBEDDINGS.entity_from(inserted)

    async def get(
        self, organization_id: str, content_type: ContentType, content_id: str
    ) -> ContentEmbedding | None:
        return await self._session.one(
            EMBEDDINGS,
            _c.organization_id == organization_id,
            _c.content_type == content_type,
            _c.content_id == content_id,
        )

    async def find_by_hash(
        self, organization_id: str, content_hash: str, *, since: datetime
    ) -> list[SimilarContent]:
        statement = (
            sa.select(
                _c.content_type,
                _c.content_id,
                _c.content_hash,
                _c.created_at,
                sa.literal(1.0, sa.Float).label("similarity"),
            )
            .where(
                _c.organization_id == organization_id,
                _c.content_hash == content_hash,
                _c.created_at >= since,
            )
            .order_by(_c.created_at, by_id(_c.content_id), by_id(_c.id))
        )
        return [_hit(row) for row in await self._session.execute(statement)]

    async def nearest(
        self,
        organization_id: str,
        vector: Sequence[float],
        *,
        since: datetime,
        limit: int,
        exclude: Sequence[tuple[ContentType, str]] = (),
    ) -> list[SimilarContent]:
        statement = nearest_statement(
            organization_id, vector, since=since, limit=limit, exclude=exclude
        )
        return [_hit(row) for row in await self._session.execute(statement)]

    async def delete_for(
        self, organization_id: str, content_type: ContentType, content_id: str
    ) -> None:
        await self._session.delete(
            content_embeddings,
            _c.organization_id == organization_id,
            _c.content_type == content_type,
            _c.content_id == content_id,
        )
