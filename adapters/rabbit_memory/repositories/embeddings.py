"""Content embeddings, with an exact brute-force cosine search.

The memory store is the reference the Postgres plan is measured against: ``nearest`` scans
every row of the organisation in the window, so its recall is 1.0 by construction.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from datetime import datetime

from rabbit.domain.enums import ContentType
from rabbit.domain.model import ContentEmbedding, SimilarContent
from rabbit_memory.session import Session, Table


def cosine_similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """1 - cosine distance; 0.0 when either vector has no length (pgvector gives NaN)."""
    norm = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    if norm == 0.0:
        return 0.0
    return math.fsum(x * y for x, y in zip(a, b, strict=True)) / norm


def _hit(row: ContentEmbedding, similarity: float) -> SimilarContent:
    return SimilarContent(
        content_type=row.content_type,
        content_id=row.content_id,
        similarity=similarity,
        content_hash=row.content_hash,
        created_at=row.created_at,
    )


class MemoryEmbeddingRepository:
    def __init__(self, session: Session) -> None:
        self._rows: Table[ContentEmbedding] = Table(session, "content_embeddings")

    async def upsert(self, embedding: ContentEmbedding) -> ContentEmbedding:
        existing = self._rows.first(
            lambda e: (
                e.content_type == embedding.content_type and e.content_id == embedding.content_id
            )
        )
        if existing is None:
            self._rows.insert(embedding)
            stored = embedding
        else:
            stored = dataclasses.replace(
                existing,
                organization_id=embedding.organization_id,
                embedding=embedding.embedding,
                content_hash=embedding.content_hash,
            )
            if existing.organization_id == embedding.organization_id:
                self._rows.locked(existing)  # an upsert writes its row in one statement
                self._rows.replace(stored)
            else:  # moved to another organisation: re-file it under the new owner
                self._rows.delete([existing.id])
                self._rows.insert(stored)
        result = self._rows.get(stored.id)
        assert result is not None  # just written in this session
        return result

    async def get(
        self, organization_id: str, content_type: ContentType, content_id: str
    ) -> ContentEmbedding | None:
        return self._rows.first(
            lambda e: (
                e.organization_id == organization_id
                and e.content_type == content_type
                and e.content_id == content_id
            )
        )

    async def find_by_hash(
        self, organization_id: str, content_hash: str, *, since: datetime
    ) -> list[SimilarContent]:
        rows = self._rows.select(
            lambda e: (
                e.organization_id == organization_id
                and e.content_hash == content_hash
                and e.created_at >= since
            ),
            order=lambda e: (e.created_at, e.content_id),
        )
        return [_hit(row, 1.0) for row in rows]

    async def nearest(
        self,
        organization_id: str,
        vector: Sequence[float],
        *,
        since: datetime,
        limit: int,
        exclude: Sequence[tuple[ContentType, str]] = (),
    ) -> list[SimilarContent]:
        excluded = frozenset(exclude)
        rows = self._rows.select(
            lambda e: (
                e.organization_id == organization_id
                and e.created_at >= since
                and (e.content_type, e.content_id) not in excluded
            )
        )
        hits = [_hit(row, cosine_similarity(vector, row.embedding)) for row in rows]
        hits.sort(key=lambda h: (-h.similarity, h.content_id, h.content_type))
        return hits[: max(limit, 0)]

    async def delete_for(
        self, organization_id: str, content_type: ContentType, content_id: str
    ) -> None:
        self._rows.delete(
            self._rows.ids(
                lambda e: (
                    e.organization_id == organization_id
                    and e.content_type == content_type
                    and e.content_id == content_id
                )
            )
        )
