"""Review of pending posts: approve (optionally edited, then re-embedded), reject, expire.

Only a PENDING post can be reviewed (InvalidTransitionError otherwise). Approving or
rejecting needs CREATE_CONTENT; expiring stale posts is a system call of the autopilot tick.
The queue pages by keyset like every listing (ADR 0028), but oldest first: the post that has
waited longest, and so expires soonest, leads.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from rabbit.application.authorization import authorize
from rabbit.application.pagination import Page, decode_cursor, page_of, page_size
from rabbit.application.ports import Clock, Embedder, IdGenerator, UnitOfWork, UnitOfWorkFactory
from rabbit.application.ports.repositories import Keyset
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases._lookups import existing_pending_post
from rabbit.application.use_cases.embeddings import embed_one, store_embedding
from rabbit.domain import limits
from rabbit.domain.enums import ContentType, PendingPostStatus
from rabbit.domain.errors import ConflictError
from rabbit.domain.model import PendingPost
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.values import Word


class ApprovePost(Command):
    content: str | None = Field(default=None, min_length=1, max_length=limits.MAX_POST)
    hashtags: tuple[Word, ...] | None = Field(default=None, max_length=limits.MAX_WORDS)
    review_notes: str | None = Field(default=None, max_length=limits.MAX_TEXT)


class RejectPost(Command):
    review_notes: str | None = Field(default=None, max_length=limits.MAX_TEXT)


class Review(UseCases):
    def __init__(
        self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, embedder: Embedder
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._embedder = embedder

    async def approve(
        self, actor_id: str, organization_id: str, pending_post_id: str, command: ApprovePost
    ) -> PendingPost:
        """PENDING → APPROVED. Edited content is embedded between two short units of work
        (no model call inside a transaction, ADR 0011): the first authorises and reads, the
        second authorises again, locks the post and writes."""
        vector = None
        if command.content is not None:
            async with self._uow() as uow:
                await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
                current = await existing_pending_post(uow, organization_id, pending_post_id)
            if command.content != current.content:
                vector = await embed_one(self._embedder, command.content)
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            pending = await _locked(uow, organization_id, pending_post_id)
            pending.check_move(PendingPostStatus.APPROVED)
            edited = command.content if command.content != pending.content else None
            embedding_id = None
            if edited is not None:
                if vector is None:  # its content changed since the first read
                    raise ConflictError("pending_post", "content", "changed meanwhile: retry")
                stored = await store_embedding(
                    self._ids,
                    self._clock,
                    uow,
                    organization_id,
                    ContentType.PENDING_POST,
                    pending.id,
                    edited,
                    vector,
                )
                embedding_id = stored.id
            pending.approve(
                self._clock.now(),
                content=edited,
                embedding_id=embedding_id,
                hashtags=command.hashtags,
                review_notes=command.review_notes,
            )
            await uow.pending_posts.update(pending)
            await uow.commit()
        return pending

    async def reject(
        self, actor_id: str, organization_id: str, pending_post_id: str, command: RejectPost
    ) -> PendingPost:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            pending = await _locked(uow, organization_id, pending_post_id)
            pending.reject(command.review_notes, self._clock.now())
            await uow.pending_posts.update(pending)
            await uow.commit()
        return pending

    async def get_pending(
        self, actor_id: str, organization_id: str, pending_post_id: str
    ) -> PendingPost:
        """One pending post, whatever its status (NotFoundError for another
        organisation's)."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            return await existing_pending_post(uow, organization_id, pending_post_id)

    async def list_pending(
        self,
        actor_id: str,
        organization_id: str,
        *,
        brand_id: str | None = None,
        cursor: str | None = None,
        limit: int = limits.DEFAULT_PAGE,
    ) -> Page[PendingPost]:
        """The review queue, a page at a time (ADR 0028): PENDING posts oldest first (by
        created_at, then id), of a brand when given. A post reviewed between two pages
        leaves the queue without moving the rows after the cursor."""
        size = page_size(limit)
        after = decode_cursor(_QUEUE, cursor)
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            rows = await uow.pending_posts.page_review_queue(
                organization_id, after=after, limit=size + 1, brand_id=brand_id
            )
        return page_of(_QUEUE, rows, size, _queue_key, lambda pending: pending)


class ReviewExpiry(UseCases):
    """The review queue's clock (a system call of the scheduler, on :class:`RabbitSystem`)."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, tick_batch_size: int) -> None:
        self._uow = uow
        self._clock = clock
        self._tick_batch_size = tick_batch_size

    async def expire_stale(self, now: datetime) -> int:
        """System call: PENDING posts with expires_at <= now become EXPIRED; how many."""
        expired = 0
        batch = self._tick_batch_size
        while True:
            async with self._uow() as uow:
                stale = await uow.pending_posts.list_expired(now, limit=batch)
                for pending in stale:
                    pending.move_to(PendingPostStatus.EXPIRED, self._clock.now())
                    await uow.pending_posts.update(pending)
                await uow.commit()
            expired += len(stale)
            if len(stale) < batch:
                return expired


_QUEUE = "review"


def _queue_key(pending: PendingPost) -> Keyset:
    return Keyset(pending.created_at, pending.id)


async def _locked(uow: UnitOfWork, organization_id: str, pending_post_id: str) -> PendingPost:
    return await existing_pending_post(uow, organization_id, pending_post_id, for_update=True)
