"""Embeddings and deduplication against the organisation's recent content.

:func:`check_duplicate` runs inside the caller's unit of work:

1. An identical content hash in the window (30 days by default) is TOO_SIMILAR at once,
   without a vector search.
2. Otherwise the nearest rows (an exact search, by the repository's contract) give the best
   similarity, and :func:`~rabbit.domain.policies.similarity.verdict` its band: UNIQUE,
   DIFFERENT_ENOUGH, SIMILAR (proceed, flagged) or TOO_SIMILAR (skip).

``exclude`` leaves out given contents (a material's own embedding, the sibling posts of one
generation); ``kinds`` restricts the comparison to some content types (generation compares a
new post with posts and pending posts only, so that two near-identical uploaded materials do
not block each other). When ``kinds`` filters hits out, the search widens until the best
qualifying hit is found, so the result is still exact.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rabbit.application.context import Ports
from rabbit.application.ports import UnitOfWork
from rabbit.domain.enums import ContentType
from rabbit.domain.model import ContentEmbedding, SimilarContent
from rabbit.domain.policies.similarity import DEDUP_WINDOW, Verdict, content_hash, verdict

_FIRST_LIMIT = 5
_MAX_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class DuplicateCheck:
    verdict: Verdict
    similarity: float
    match: SimilarContent | None
    exact: bool = False
    """True when decided by an identical content hash."""


async def check_duplicate(
    uow: UnitOfWork,
    organization_id: str,
    text: str,
    vector: Sequence[float],
    now: datetime,
    *,
    window: timedelta = DEDUP_WINDOW,
    exclude: Sequence[tuple[ContentType, str]] = (),
    kinds: Collection[ContentType] | None = None,
) -> DuplicateCheck:
    since = now - window
    excluded = set(exclude)

    def wanted(hit: SimilarContent) -> bool:
        return (hit.content_type, hit.content_id) not in excluded and (
            kinds is None or hit.content_type in kinds
        )

    same_hash = await uow.embeddings.find_by_hash(organization_id, content_hash(text), since=since)
    exact = [hit for hit in same_hash if wanted(hit)]
    if exact:
        return DuplicateCheck(Verdict.TOO_SIMILAR, 1.0, exact[0], exact=True)
    limit = _FIRST_LIMIT
    while True:
        hits = await uow.embeddings.nearest(
            organization_id, vector, since=since, limit=limit, exclude=list(excluded)
        )
        qualifying = [hit for hit in hits if wanted(hit)]
        if qualifying or len(hits) < limit or limit >= _MAX_LIMIT:
            break
        limit *= 4
    if not qualifying:
        return DuplicateCheck(Verdict.UNIQUE, 0.0, None)
    best = qualifying[0]
    return DuplicateCheck(verdict(best.similarity), best.similarity, best)


async def store_embedding(
    ports: Ports,
    uow: UnitOfWork,
    organization_id: str,
    content_type: ContentType,
    content_id: str,
    text: str,
    vector: Sequence[float],
) -> ContentEmbedding:
    """Upsert the embedding of one content (its vector and the hash of ``text``)."""
    return await uow.embeddings.upsert(
        ContentEmbedding(
            id=ports.ids.new_id(),
            organization_id=organization_id,
            content_type=content_type,
            content_id=content_id,
            embedding=tuple(vector),
            content_hash=content_hash(text),
            created_at=ports.clock.now(),
        )
    )


async def embed_one(ports: Ports, text: str) -> tuple[float, ...]:
    (vector,) = await ports.embedder.embed([text])
    return vector
