"""Pending posts, posts, their metrics history and publish attempts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from rabbit.application.ports.repositories import Keyset
from rabbit.domain.enums import PendingPostStatus, SocialPlatform
from rabbit.domain.model import PendingPost, Post, PostMetric, PublishAttempt
from rabbit_postgres.mapping import PENDING_POSTS, POST_METRICS, POSTS, PUBLISH_ATTEMPTS
from rabbit_postgres.repositories._pages import Filters, keyset_page
from rabbit_postgres.schema import (
    organizations,
    pending_posts,
    post_metrics,
    posts,
    publish_attempts,
)
from rabbit_postgres.session import (
    Condition,
    PostgresSession,
    ascending,
    at_least,
    by_id,
    descending,
    eq,
    one_of,
    purged_before,
)
from rabbit_postgres.statements import prepare

#: PENDING posts past ``expires_at`` of live organisations (ADR 0014). The status is a
#: literal, written as the partial index ``pending_posts(expires_at) WHERE status =
#: 'PENDING'`` says, so that the index serves generic plans too; the organisation is a
#: semi-join on its primary key, which locks nothing there.
_LIST_EXPIRED = prepare(
    sa.select(*PENDING_POSTS.columns)
    .where(
        sa.text("pending_posts.status = 'PENDING'"),
        pending_posts.c.expires_at <= sa.bindparam("now"),
        sa.exists().where(
            organizations.c.id == pending_posts.c.organization_id,
            organizations.c.deleted_at.is_(None),
        ),
    )
    .order_by(pending_posts.c.expires_at, by_id(pending_posts.c.id))
    .limit(sa.bindparam("limit", type_=sa.Integer))
    .with_for_update(skip_locked=True, key_share=True, of=pending_posts)
)

_p = pending_posts.c
_posts = posts.c

#: The optional filters of a page of published posts (ADR 0028).
_PUBLISHED_FILTERS: Filters = {
    "brand_id": lambda: _posts.brand_profile_id == sa.bindparam("brand_id", type_=_posts.id.type),
    "platform": lambda: _posts.platform == sa.bindparam("platform", type_=_posts.platform.type),
    "published_from": lambda: (
        _posts.published_at >= sa.bindparam("published_from", type_=_posts.published_at.type)
    ),
    "published_before": lambda: (
        _posts.published_at < sa.bindparam("published_before", type_=_posts.published_at.type)
    ),
}


#: The optional filter of a page of the review queue.
_QUEUE_FILTERS: Filters = {
    "brand_id": lambda: _p.brand_profile_id == sa.bindparam("brand_id", type_=_p.id.type),
}


def _in_review() -> sa.ColumnElement[bool]:
    return _p.status == PendingPostStatus.PENDING


def _published_live() -> sa.ColumnElement[bool]:
    return sa.and_(_posts.deleted_at.is_(None), _posts.published_at.is_not(None))


def _due_now() -> list[sa.ColumnElement[bool] | sa.TextClause]:
    """A pending post due at ``:now``; the status written as the partial index's predicate,
    so the planner can use it."""
    return [
        sa.text("pending_posts.status IN ('AUTO_APPROVED', 'APPROVED')"),
        _p.scheduled_for <= sa.bindparam("now"),
        sa.or_(_p.publish_after.is_(None), _p.publish_after <= sa.bindparam("now")),
    ]


_due_rank = (
    sa.select(
        _p.id,
        sa.func.row_number()
        .over(partition_by=_p.organization_id, order_by=(_p.scheduled_for, by_id(_p.id)))
        .label("rank"),
    )
    .select_from(pending_posts.join(organizations, organizations.c.id == _p.organization_id))
    .where(*_due_now(), organizations.c.deleted_at.is_(None))
    .subquery("due")
)
#: The due posts, fair across organisations: each organisation's due posts ranked by
#: (scheduled_for, id), the batch taking every organisation's first, then every second, and
#: so on; backed-off posts (``publish_after`` ahead) and soft-deleted organisations' posts
#: are not due; rows another worker holds are skipped.
_LIST_DUE = prepare(
    sa.select(*PENDING_POSTS.columns)
    .join(_due_rank, _due_rank.c.id == _p.id)
    # again on the locked rows themselves: a row another worker changed and committed
    # between this scan and its lock is re-checked against these (PostgreSQL re-evaluates
    # the locked table's own conditions on its newest version, not the subquery's)
    .where(*_due_now())
    .order_by(_due_rank.c.rank, _p.scheduled_for, by_id(_p.id))
    .limit(sa.bindparam("limit", type_=sa.Integer))
    .with_for_update(of=pending_posts, skip_locked=True, key_share=True)
)


class PostgresPendingPostRepository:
    """``for_update`` locks the row; ``list_due``/``list_expired`` skip locked rows."""

    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, pending_post: PendingPost) -> None:
        await self._session.insert(PENDING_POSTS, pending_post)

    async def get(
        self, organization_id: str, pending_post_id: str, *, for_update: bool = False
    ) -> PendingPost | None:
        return await self._session.one_where(
            PENDING_POSTS,
            eq(pending_posts.c.organization_id, organization_id),
            eq(pending_posts.c.id, pending_post_id),
            for_update=for_update,
        )

    async def find(
        self,
        organization_id: str,
        *,
        brand_id: str | None = None,
        statuses: Sequence[PendingPostStatus] | None = None,
    ) -> list[PendingPost]:
        where: list[Condition] = [eq(pending_posts.c.organization_id, organization_id)]
        if brand_id is not None:
            where.append(eq(pending_posts.c.brand_profile_id, brand_id))
        if statuses is not None:
            where.append(one_of(pending_posts.c.status, statuses))
        return await self._session.many_where(
            PENDING_POSTS, *where, order_by=(ascending(pending_posts.c.created_at),)
        )

    async def page_review_queue(
        self,
        organization_id: str,
        *,
        after: Keyset | None,
        limit: int,
        brand_id: str | None = None,
    ) -> list[PendingPost]:
        values = {"organization": organization_id, "brand_id": brand_id}
        return await keyset_page(
            self._session,
            PENDING_POSTS,
            _p.created_at,
            _QUEUE_FILTERS,
            (_in_review,),
            values,
            after,
            limit,
            newest=False,
        )

    async def update(self, pending_post: PendingPost) -> None:
        await self._session.replace(PENDING_POSTS, pending_post)

    async def delete_for_brand(self, organization_id: str, brand_id: str) -> int:
        return await self._session.delete(
            pending_posts,
            pending_posts.c.organization_id == organization_id,
            pending_posts.c.brand_profile_id == brand_id,
        )

    async def list_due(self, now: datetime, *, limit: int) -> list[PendingPost]:
        """Fair across organisations (ADR 0015): see :data:`_LIST_DUE`."""
        rows = await self._session.execute(_LIST_DUE, {"now": now, "limit": max(limit, 0)})
        due = [PENDING_POSTS.entity_from(row) for row in rows]
        self._session.lock(PENDING_POSTS.table.name, [pending.id for pending in due])
        return due

    async def list_expired(self, now: datetime, *, limit: int) -> list[PendingPost]:
        rows = await self._session.execute(_LIST_EXPIRED, {"now": now, "limit": max(limit, 0)})
        expired = [PENDING_POSTS.entity_from(row) for row in rows]
        self._session.lock(pending_posts.name, [pending.id for pending in expired])
        return expired


class PostgresPostRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, post: Post) -> None:
        await self._session.insert(POSTS, post)

    async def get(
        self,
        organization_id: str,
        post_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> Post | None:
        return await self._session.one_where(
            POSTS,
            eq(posts.c.organization_id, organization_id),
            eq(posts.c.id, post_id),
            live=not include_deleted,
            for_update=for_update,
        )

    async def get_for_pending(
        self, organization_id: str, pending_post_id: str, platform: SocialPlatform
    ) -> Post | None:
        return await self._session.one_where(
            POSTS,
            eq(posts.c.organization_id, organization_id),
            eq(posts.c.pending_post_id, pending_post_id),
            eq(posts.c.platform, platform),
            live=True,
        )

    async def find(
        self,
        organization_id: str,
        *,
        brand_id: str | None = None,
        published_since: datetime | None = None,
        include_deleted: bool = False,
    ) -> list[Post]:
        where: list[Condition] = [eq(posts.c.organization_id, organization_id)]
        if brand_id is not None:
            where.append(eq(posts.c.brand_profile_id, brand_id))
        if published_since is not None:
            where.append(at_least(posts.c.published_at, published_since))
        return await self._session.many_where(
            POSTS,
            *where,
            live=not include_deleted,
            order_by=(descending(posts.c.published_at),),
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
        values = {
            "organization": organization_id,
            "brand_id": brand_id,
            "platform": platform,
            "published_from": published_from,
            "published_before": published_before,
        }
        return await keyset_page(
            self._session,
            POSTS,
            _posts.published_at,
            _PUBLISHED_FILTERS,
            (_published_live,),
            values,
            after,
            limit,
            newest=True,
        )

    async def count_published(self, organization_id: str, *, since: datetime) -> int:
        return await self._session.count_where(
            POSTS,
            eq(posts.c.organization_id, organization_id),
            at_least(posts.c.published_at, since),
            live=True,
        )

    async def update(self, post: Post) -> None:
        await self._session.replace(POSTS, post)

    async def delete_purged(self, organization_id: str, before: datetime) -> int:
        return await self._session.delete(
            posts, posts.c.organization_id == organization_id, purged_before(posts, before)
        )


class PostgresPostMetricRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, metric: PostMetric) -> None:
        await self._session.insert(POST_METRICS, metric)

    async def list_for_post(self, organization_id: str, post_id: str) -> list[PostMetric]:
        return await self._session.many_where(
            POST_METRICS,
            eq(post_metrics.c.organization_id, organization_id),
            eq(post_metrics.c.post_id, post_id),
            order_by=(ascending(post_metrics.c.collected_at),),
        )


class PostgresPublishAttemptRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, attempt: PublishAttempt) -> None:
        await self._session.insert(PUBLISH_ATTEMPTS, attempt)

    async def update(self, attempt: PublishAttempt) -> None:
        await self._session.replace(PUBLISH_ATTEMPTS, attempt)

    async def list_for(
        self,
        organization_id: str,
        pending_post_id: str,
        platform: SocialPlatform,
        *,
        for_update: bool = False,
    ) -> list[PublishAttempt]:
        return await self._session.many_where(
            PUBLISH_ATTEMPTS,
            eq(publish_attempts.c.organization_id, organization_id),
            eq(publish_attempts.c.pending_post_id, pending_post_id),
            eq(publish_attempts.c.platform, platform),
            order_by=(ascending(publish_attempts.c.attempt_number),),
            for_update=for_update,
        )
