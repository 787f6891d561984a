"""Deduplication: is a new content too close to the organisation's recent content?

:func:`check_duplicate` runs inside the caller's unit of work:

1. An identical content hash in the window (``CoreConfig.dedup_window``) is TOO_SIMILAR at
   once, without a vector search.
2. Otherwise the nearest rows (an exact search, by the repository's contract; ADR 0010) give
   the best similarity, and :func:`~rabbit.domain.policies.similarity.verdict` its band:
   UNIQUE, DIFFERENT_ENOUGH, SIMILAR (proceed, flagged) or TOO_SIMILAR (skip).

``exclude`` leaves out given contents (a material's own embedding, the sibling posts of one
generation); ``kinds`` restricts the comparison to some content types (a new post, and a
material being selected, are compared with :data:`RECENT_CONTENT` only, so that two
near-identical uploaded materials do not block each other). When ``kinds`` filters hits out,
the search widens until the best qualifying hit is found, so the result is still exact.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rabbit.application.ports import UnitOfWork
from rabbit.domain.enums import ContentType
from rabbit.domain.errors import DuplicateContentError
from rabbit.domain.model import SimilarContent
from rabbit.domain.policies.similarity import Verdict, content_hash, verdict

RECENT_CONTENT = frozenset({ContentType.POST, ContentType.PENDING_POST})
"""What new content is compared with: the organisation's posts and pending posts."""

_FIRST_LIMIT = 5
_MAX_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class DuplicateCheck:
    verdict: Verdict
    similarity: float
    match: SimilarContent | None
    exact: bool = False
    """True when decided by an identical content hash."""


@dataclass(frozen=True, slots=True)
class NewPost:
    """A post not stored yet, as deduplication sees it."""

    pending_post_id: str
    text: str
    vector: tuple[float, ...] = field(repr=False)


async def check_duplicate(
    uow: UnitOfWork,
    organization_id: str,
    text: str,
    vector: Sequence[float],
    now: datetime,
    *,
    window: timedelta,
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


async def check_new_posts(
    uow: UnitOfWork,
    organization_id: str,
    material_id: str,
    posts: Sequence[NewPost],
    now: datetime,
    *,
    window: timedelta,
) -> list[DuplicateCheck]:
    """The check of each post of one generation against recent content, not against the
    material's own embedding nor the generation's other posts.

    Raises DuplicateContentError at the first TOO_SIMILAR post, before anything is written."""
    exclude: list[tuple[ContentType, str]] = [(ContentType.MATERIAL, material_id)]
    checks = []
    for post in posts:
        check = await check_duplicate(
            uow,
            organization_id,
            post.text,
            post.vector,
            now,
            window=window,
            exclude=exclude,
            kinds=RECENT_CONTENT,
        )
        if not check.verdict.proceeds:
            assert check.match is not None
            raise DuplicateContentError(
                check.similarity, check.match.content_type, check.match.content_id
            )
        exclude.append((ContentType.PENDING_POST, post.pending_post_id))
        checks.append(check)
    return checks
