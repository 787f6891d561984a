"""Embeddings: a text's vector from the embedder port, and its stored row.

The embedder is called outside any unit of work (ADR 0011); :func:`store_embedding` then
writes the vector inside the caller's. Whether a new content is too close to recent content
is :mod:`~rabbit.application.use_cases.deduplication`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rabbit.application.ports import Clock, Embedder, IdGenerator, UnitOfWork
from rabbit.domain.enums import ContentType
from rabbit.domain.model import ContentEmbedding


async def store_embedding(
    ids: IdGenerator,
    clock: Clock,
    uow: UnitOfWork,
    organization_id: str,
    content_type: ContentType,
    content_id: str,
    text: str,
    vector: Sequence[float],
) -> ContentEmbedding:
    """Upsert the embedding of one content (its vector and the hash of ``text``)."""
    return await uow.embeddings.upsert(
        ContentEmbedding.embedded(
            id=ids.new_id(),
            organization_id=organization_id,
            content_type=content_type,
            content_id=content_id,
            text=text,
            vector=vector,
            now=clock.now(),
        )
    )


async def embed_one(embedder: Embedder, text: str) -> tuple[float, ...]:
    """The vector of ``text`` (the embedder port; never inside a unit of work)."""
    (vector,) = await embedder.embed([text])
    return vector
