"""Pending posts, posts, their metrics history and publish attempts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from rabbit.application.ports.repositories import Keyset
from rabbit.domain.enums import PUBLISHABLE_STATUSES, PendingPostStatus, SocialPlatform
from rabbit.domain.model import Organization, PendingPost, Post, PostMetric, PublishAttempt
from rabbit_memory.repositories._ordering import (
    by_created,
    newest_first_missing_last,
    newest_page,
    oldest_page,
    purged_before,
)
from rabbit_memory.session import Session, Table


class MemoryPendingPostRepository:
    """Locks (``for_update``, skip locked) wait for nothing: units of work are serialised
    (ADR 0005). They record the rows as held, which ``update`` requires (ADR 0012)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._pending: Table[PendingPost] = Table(session, "pending_posts")
        self._organizations: Table[Organization] = Table(session, "organizations")

    async def add(self, pending_post: PendingPost) -> None:
        self._pending.insert(pending_post)

    async def get(
        self, organization_id: str, pending_post_id: str, *, for_update: bool = False
    ) -> PendingPost | None:
        pending = self._pending.get(pending_post_id)
        if pending is None or pending.organization_id != organization_id:
            return None
        return self._pending.locked(pending, for_update)

    async def find(
        self,
        organization_id: str,
        *,
        brand_id: str | None = None,
        statuses: Sequence[PendingPostStatus] | None = None,
    ) -> list[PendingPost]:
        wanted = None if statuses is None else frozenset(statuses)
        return self._pending.select(
            lambda p: (
                p.organization_id == organization_id
                and (brand_id is None or p.brand_profile_id == brand_id)
                and (wanted is None or p.status in wanted)
            ),
            order=by_created,
        )

    async def page_review_queue(
        self,
        organization_id: str,
        *,
        after: Keyset | None,
        limit: int,
        brand_id: str | None = None,
    ) -> list[PendingPost]:
        found = self._pending.select(
            lambda p: (
                p.organization_id == organization_id
                and p.status is PendingPostStatus.PENDING
                and (brand_id is None or p.brand_profile_id == brand_id)
            )
        )
        return oldest_page(found, lambda p: (p.created_at, p.id), after, limit)

    async def update(self, pending_post: PendingPost) -> None:
        self._pending.replace(pending_post)

    async def delete_for_brand(self, organization_id: str, brand_id: str) -> int:
        return self._pending.delete(
            self._pending.ids(
                lambda p: p.organization_id == organization_id and p.brand_profile_id == brand_id
            )
        )

    async def list_due(self, now: datetime, *, limit: int) -> list[PendingPost]:
        return self._pending.all_locked(self._due(now, limit))

    def _due(self, now: datetime, limit: int) -> list[PendingPost]:
        """Fair across organisations: each organisation's due posts are ranked by
        (scheduled_for, id), and the batch takes every organisation's first, then every
        organisation's second, and so on (ADR 0015). Backed-off posts and the posts of a
        soft-deleted organisation are not due."""
        organizations = self._session.rows("organizations")
        due = self._pending.select(
            lambda p: (
                p.status in PUBLISHABLE_STATUSES
                and p.scheduled_for is not None
                and p.scheduled_for <= now
                and (p.publish_after is None or p.publish_after <= now)
                and getattr(organizations.get(p.organization_id), "deleted_at", None) is None
            ),
            order=lambda p: p.scheduled_for,
        )
        seen: Counter[str] = Counter()
        ranked = []
        for pending in due:  # already by (scheduled_for, id)
            seen[pending.organization_id] += 1
            ranked.append((seen[pending.organization_id], pending))
        ranked.sort(key=lambda pair: (pair[0], pair[1].scheduled_for, pair[1].id))
        return [pending for _, pending in ranked[: max(limit, 0)]]

    async def list_expired(self, now: datetime, *, limit: int) -> list[PendingPost]:
        return self._pending.all_locked(self._expired(now, limit))

    def _expired(self, now: datetime, limit: int) -> list[PendingPost]:
        """Of live organisations only: nothing expires for a deleted one (ADR 0014)."""
        live = set(self._organizations.ids(lambda o: o.deleted_at is None))
        return self._pending.select(
            lambda p: (
                p.status is PendingPostStatus.PENDING
                and p.expires_at is not None
                and p.expires_at <= now
                and p.organization_id in live
            ),
            order=lambda p: p.expires_at,
            limit=limit,
        )


class MemoryPostRepository:
    def __init__(self, session: Session) -> None:
        self._posts: Table[Post] = Table(session, "posts")

    async def add(self, post: Post) -> None:
        self._posts.insert(post)

    async def get(
        self,
        organization_id: str,
        post_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> Post | None:
        post = self._posts.get(post_id)
        if post is None or post.organization_id != organization_id:
            return None
        if post.deleted_at is not None and not include_deleted:
            return None
        return self._posts.locked(post, for_update)

    async def get_for_pending(
        self, organization_id: str, pending_post_id: str, platform: SocialPlatform
    ) -> Post | None:
        return self._posts.first(
            lambda p: (
                p.organization_id == organization_id
                and p.pending_post_id == pending_post_id
                and p.platform == platform
                and p.deleted_at is None
            )
        )

    async def find(
        self,
        organization_id: str,
        *,
        brand_id: str | None = None,
        published_since: datetime | None = None,
        include_deleted: bool = False,
    ) -> list[Post]:
        return self._posts.select(
            lambda p: (
                p.organization_id == organization_id
                and (brand_id is None or p.brand_profile_id == brand_id)
                and (
                    published_since is None
                    or (p.published_at is not None and p.published_at >= published_since)
                )
                and (include_deleted or p.deleted_at is None)
            ),
            order=lambda p: newest_first_missing_last(p.published_at),
        )

    async def page_published(
        self,
        organization_id: str,
        *,
        after: Keyset | None,
        limit: int,
        brand_id: str | None = None,
        platform: SocialPlatform | None = None,
        published_from: datetime | None = None,
        published_before: datetime | None = None,
    ) -> list[Post]:
        found = self._posts.select(
            lambda p: (
                p.organization_id == organization_id
                and p.deleted_at is None
                and p.published_at is not None
                and (brand_id is None or p.brand_profile_id == brand_id)
                and (platform is None or p.platform == platform)
                and (published_from is None or p.published_at >= published_from)
                and (published_before is None or p.published_at < published_before)
            )
        )
        return newest_page(found, _published_key, after, limit)

    async def count_published(self, organization_id: str, *, since: datetime) -> int:
        return self._posts.count(
            lambda p: (
                p.organization_id == organization_id
                and p.deleted_at is None
                and p.published_at is not None
                and p.published_at >= since
            )
        )

    async def update(self, post: Post) -> None:
        self._posts.replace(post)

    async def delete_purged(self, organization_id: str, before: datetime) -> int:
        return self._posts.delete(
            self._posts.ids(
                lambda p: (
                    p.organization_id == organization_id and purged_before(p.deleted_at, before)
                )
            )
        )


def _published_key(post: Post) -> tuple[datetime, str]:
    assert post.published_at is not None  # the page holds published posts only
    return (post.published_at, post.id)


class MemoryPostMetricRepository:
    def __init__(self, session: Session) -> None:
        self._metrics: Table[PostMetric] = Table(session, "post_metrics")

    async def add(self, metric: PostMetric) -> None:
        self._metrics.insert(metric)

    async def list_for_post(self, organization_id: str, post_id: str) -> list[PostMetric]:
        return self._metrics.select(
            lambda m: m.organization_id == organization_id and m.post_id == post_id,
            order=lambda m: m.collected_at,
        )


class MemoryPublishAttemptRepository:
    def __init__(self, session: Session) -> None:
        self._attempts: Table[PublishAttempt] = Table(session, "publish_attempts")

    async def add(self, attempt: PublishAttempt) -> None:
        self._attempts.insert(attempt)

    async def update(self, attempt: PublishAttempt) -> None:
        self._attempts.replace(attempt)

    async def list_for(
        self,
        organization_id: str,
        pending_post_id: str,
        platform: SocialPlatform,
        *,
        for_update: bool = False,
    ) -> list[PublishAttempt]:
        attempts = self._attempts.select(
            lambda a: (
                a.organization_id == organization_id
                and a.pending_post_id == pending_post_id
                and a.platform == platform
            ),
            order=lambda a: a.attempt_number,
        )
        return self._attempts.all_locked(attempts, for_update)
