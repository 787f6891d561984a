"""The review queue, a keyset page at a time (ADR 0028, docs/behaviour.md#the-read-side), on
both stores.

``review.list_pending`` pages the PENDING posts oldest first (created_at, then id): walking
it visits each pending post once, even while posts are reviewed or generated between two
pages; it takes the page size and cursor rules of every listing, and another organisation's
queue is NotFoundError.
"""

from __future__ import annotations

import pytest

from rabbit.application.pagination import encode_cursor
from rabbit.application.ports.repositories import Keyset
from rabbit.application.use_cases.review import ApprovePost, RejectPost
from rabbit.domain.errors import NotFoundError, ValidationError
from rabbit.domain.model import Material

from .app import START, App
from .content_support import TOPICS, World, world


async def pending_posts(w: World, materials: list[Material], *, tick_every: int = 2) -> list[str]:
    """One pending post per material; every ``tick_every``-th shares the next's instant."""
    made = []
    for n, material in enumerate(materials):
        (pending,) = await w.generate(material)
        made.append(pending)
        if n % tick_every:
            w.app.tick()
    return [p.id for p in sorted(made, key=lambda p: (p.created_at, p.id))]


async def test_walking_the_queue_visits_each_pending_post_once_oldest_first(app: App) -> None:
    w = await world(app, auto_approve=False)
    materials = [await w.ready_material(topic) for topic in TOPICS[:9]]
    queued = await pending_posts(w, materials[:7])
    review = w.content.review
    everything = await review.list_pending(w.owner, w.org, limit=100)
    assert [p.id for p in everything.items] == queued
    assert everything.next_cursor is None

    walked: list[str] = []
    late: list[str] = []
    cursor = None
    for _ in range(len(queued) + 3):
        page = await review.list_pending(w.owner, w.org, cursor=cursor, limit=2)
        assert len(page.items) <= 2
        walked += [p.id for p in page.items]
        if page.next_cursor is None:
            break
        # between two pages: the page's posts are reviewed, and a new post is generated
        await review.approve(w.owner, w.org, page.items[0].id, ApprovePost())
        await review.reject(w.owner, w.org, page.items[-1].id, RejectPost(review_notes="no"))
        if len(late) < 2:
            app.tick()
            (pending,) = await w.generate(materials[7 + len(late)])
            late.append(pending.id)
        cursor = page.next_cursor
    # every post once, in queue order; the ones generated meanwhile are newer: at the end
    assert walked == queued + late
    rest = [p.id for p in (await review.list_pending(w.owner, w.org)).items]
    assert rest
    assert rest == walked[-len(rest) :]  # only the last page was not reviewed


async def test_the_queue_of_a_brand_and_its_page_rules(app: App) -> None:
    w = await world(app, auto_approve=False)
    other_brand = await app.brand(w.org, w.owner, "Other")
    materials = [await w.ready_material(topic) for topic in TOPICS[:3]]
    queued = await pending_posts(w, materials)
    review = w.content.review
    assert [p.id for p in (await review.list_pending(w.owner, w.org, brand_id=w.brand)).items] == (
        queued
    )
    assert (await review.list_pending(w.owner, w.org, brand_id=other_brand)).items == ()
    first = await review.list_pending(w.owner, w.org, limit=1)
    assert [p.id for p in first.items] == queued[:1]
    second = await review.list_pending(w.owner, w.org, limit=2, cursor=first.next_cursor)
    assert [p.id for p in second.items] == queued[1:]
    assert second.next_cursor is None

    for limit in (0, 101, -1):
        with pytest.raises(ValidationError) as error:
            await review.list_pending(w.owner, w.org, limit=limit)
        assert error.value.field == "limit"
    materials_cursor = encode_cursor("materials", Keyset(START, queued[0]))
    for cursor in ("not base64!", "", materials_cursor):
        with pytest.raises(ValidationError) as error:
            await review.list_pending(w.owner, w.org, cursor=cursor)
        assert error.value.field == "cursor", cursor


async def test_another_organisations_queue_is_not_found(app: App) -> None:
    a = await world(app, auto_approve=False, slug="org-a")
    b = await world(app, auto_approve=False, slug="org-b")
    mine = await pending_posts(a, [await a.ready_material(TOPICS[0])])
    theirs = await pending_posts(b, [await b.ready_material(TOPICS[1])])
    assert [p.id for p in (await a.content.review.list_pending(a.owner, a.org)).items] == mine
    with pytest.raises(NotFoundError) as error:
        await a.content.review.list_pending(a.owner, b.org)
    assert theirs[0] not in str(error.value)
    assert (await a.content.review.list_pending(a.owner, a.org, brand_id=b.brand)).items == ()
