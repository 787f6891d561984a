"""The read side (ADR 0028, docs/behaviour.md#the-read-side), on both stores.

Keyset pages walk every row exactly once, newest first, even with rows inserted between
pages; filters narrow them; another organisation's rows never appear; a bad cursor or page
size is a ValidationError naming it; the retry of a publication never publishes twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rabbit.application.facade import Rabbit
from rabbit.application.pagination import Page, encode_cursor
from rabbit.application.ports.repositories import Keyset
from rabbit.application.use_cases.materials import UploadMaterial
from rabbit.application.use_cases.organizations import InviteMember
from rabbit.application.use_cases.posts import RetryOutcome
from rabbit.application.use_cases.review import ApprovePost
from rabbit.domain.enums import (
    MaterialStatus,
    MaterialType,
    MemberRole,
    PendingPostStatus,
    PublishAttemptStatus,
)
from rabbit.domain.errors import NotFoundError, PermissionDeniedError, ValidationError

from .app import START, App
from .content_support import LI, TOPICS, World, X, world


async def upload(w: World, name: str, *, brand: str | None = None) -> str:
    material = await w.content.materials.upload_material(
        w.owner,
        w.org,
        UploadMaterial(
            type=MaterialType.TEXT,
            brand_profile_id=brand or w.brand,
            name=name,
            original_content=f"text of {name}",
        ),
    )
    return material.id


async def every_material(
    w: World, limit: int, between: Callable[[], object] | None = None
) -> list[str]:
    rabbit = Rabbit(w.app.ports)
    seen: list[str] = []
    cursor = None
    while True:
        page = await rabbit.materials.list_materials(w.owner, w.org, cursor=cursor, limit=limit)
        assert len(page.items) <= limit
        seen += [m.id for m in page.items]
        if between is not None:
            await between()  # type: ignore[misc]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


async def test_pages_walk_every_material_once_newest_first_despite_inserts(app: App) -> None:
    w = await world(app)
    ids = []
    for n in range(7):
        ids.append(await upload(w, f"m{n}"))
        if n % 3 == 0:
            app.tick()  # some share an instant: their order is by id, descending
    inserted: list[str] = []

    async def insert() -> None:
        inserted.append(await upload(w, f"late{len(inserted)}"))

    seen = await every_material(w, 3, insert)
    assert seen == list(reversed(ids))  # newest first; the late rows are newer: not shown
    assert len(set(seen)) == len(seen)
    first = await Rabbit(app.ports).materials.list_materials(w.owner, w.org, limit=100)
    assert [m.id for m in first.items][: len(inserted)] == list(reversed(inserted))
    assert first.next_cursor is None


async def test_material_filters_status_brand_and_a_case_insensitive_name_search(
    app: App,
) -> None:
    w = await world(app)
    other_brand = await app.brand(w.org, w.owner, "Other")
    solar = await upload(w, "Solar Backpack 100%_off")
    await upload(w, "sourdough")
    elsewhere = await upload(w, "solar panel", brand=other_brand)
    ready = await w.ready_material(TOPICS[2])
    materials = Rabbit(app.ports).materials

    async def ids(**filters: object) -> list[str]:
        page = await materials.list_materials(w.owner, w.org, **filters)  # type: ignore[arg-type]
        return [m.id for m in page.items]

    assert await ids(search="SOLAR") == [elsewhere, solar]
    assert await ids(search="solar", brand_id=other_brand) == [elsewhere]
    assert await ids(search="100%_") == [solar]  # no pattern: % and _ are themselves
    assert await ids(search="0%x") == []
    assert await ids(status=MaterialStatus.READY) == [ready.id]
    assert await ids(status="READY") == [ready.id]
    assert await ids(brand_id="unknown") == []
    summary = (await materials.list_materials(w.owner, w.org, search="backpack")).items[0]
    assert not hasattr(summary, "original_content")


async def test_bad_cursors_and_page_sizes_are_validation_errors_naming_them(app: App) -> None:
    w = await world(app)
    rabbit = Rabbit(app.ports)
    listing = rabbit.materials.list_materials
    for limit in (0, 101, -1):
        with pytest.raises(ValidationError) as error:
            await listing(w.owner, w.org, limit=limit)
        assert error.value.field == "limit"
    posts_cursor = encode_cursor("posts", Keyset(START, "id1"))
    for cursor in ("not base64!", "", "bWF0ZXJpYWxz", posts_cursor, "x" * 199):
        with pytest.raises(ValidationError) as error:
            await listing(w.owner, w.org, cursor=cursor)
        assert error.value.field == "cursor", cursor
    with pytest.raises(ValidationError) as error:
        await listing(w.owner, w.org, status="BOGUS")
    assert error.value.field == "status"


async def test_another_organisations_rows_never_appear(app: App) -> None:
    a = await world(app, slug="org-a")
    b = await world(app, slug="org-b")
    mine = await upload(a, "mine")
    theirs = await upload(b, "theirs")
    rabbit = Rabbit(app.ports)
    page = await rabbit.materials.list_materials(a.owner, a.org)
    assert [m.id for m in page.items] == [mine]
    assert (await rabbit.materials.list_materials(a.owner, a.org, brand_id=b.brand)).items == ()
    for call in (
        rabbit.materials.list_materials(a.owner, b.org),
        rabbit.posts.list_published(a.owner, b.org),
    ):
        with pytest.raises(NotFoundError) as error:
            await call
        assert theirs not in str(error.value)
    viewer = await app.member(a.org, a.owner, MemberRole.VIEWER)
    assert (await rabbit.materials.list_materials(viewer, a.org)).items[0].id == mine


async def published(w: World, count: int) -> list[str]:
    """``count`` materials each published to X and LinkedIn, a minute apart."""
    for n in range(count):
        material = await w.ready_material(TOPICS[n])
        await w.generate(material, (X, LI))
        await w.content.publishing.publish_due(w.app.clock.now())
        w.app.tick(60)
    async with w.app.ports.uow() as uow:
        return [p.id for p in await uow.posts.find(w.org)]


async def test_published_posts_page_newest_first_with_filters(app: App) -> None:
    w = await world(app)
    await published(w, 3)
    posts = Rabbit(app.ports).posts
    everything = await posts.list_published(w.owner, w.org, limit=100)
    assert len(everything.items) == 6
    instants = [(p.published_at, p.id) for p in everything.items]
    assert instants == sorted(instants, reverse=True)
    walked, cursor = [], None
    while True:
        page = await posts.list_published(w.owner, w.org, cursor=cursor, limit=4)
        walked += page.items
        if not (cursor := page.next_cursor):
            break
    assert walked == list(everything.items)
    on_x = await posts.list_published(w.owner, w.org, platform=X)
    assert {p.platform for p in on_x.items} == {X}
    assert len(on_x.items) == 3
    middle = everything.items[2].published_at
    window = await posts.list_published(
        w.owner, w.org, published_from=middle, published_before=middle + timedelta(seconds=1)
    )
    assert [p.published_at for p in window.items] == [middle, middle]
    assert (await posts.list_published(w.owner, w.org, brand_id="unknown")).items == ()
    with pytest.raises(ValidationError) as error:
        await posts.list_published(
            w.owner, w.org, published_from=middle, published_before=middle - timedelta(1)
        )
    assert error.value.field == "published_before"


async def test_a_pending_post_and_its_publish_attempts(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    (pending,) = await w.generate(material, (X, LI))
    w.content.publisher.script("reject")
    await w.content.publishing.publish_due(app.clock.now())
    rabbit = Rabbit(app.ports)
    assert (await rabbit.review.get_pending(w.owner, w.org, pending.id)).id == pending.id
    attempts = await rabbit.posts.publish_attempts(w.owner, w.org, pending.id)
    assert [(a.platform, a.attempt_number, a.status) for a in attempts] == [
        (X, 1, PublishAttemptStatus.FAILED),
        (LI, 1, PublishAttemptStatus.SUCCEEDED),
    ]
    assert attempts[0].idempotency_key == f"{pending.id}:{X}"
    other = await world(app, slug="other")
    for call in (
        rabbit.review.get_pending(other.owner, other.org, pending.id),
        rabbit.posts.publish_attempts(other.owner, other.org, pending.id),
    ):
        with pytest.raises(NotFoundError):
            await call


async def test_a_stuck_publication_is_retried_once_and_never_published_twice(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    (pending,) = await w.generate(material, (X,))
    w.content.publisher.script("reject")
    await w.content.publishing.publish_due(app.clock.now())  # refused: backed off
    async with app.ports.uow() as uow:
        stuck = await uow.pending_posts.get(w.org, pending.id)
    assert stuck is not None
    assert stuck.publish_after is not None
    posts = Rabbit(app.ports).posts
    viewer = await app.member(w.org, w.owner, MemberRole.VIEWER)
    with pytest.raises(PermissionDeniedError):
        await posts.retry_publication(viewer, w.org, pending.id, X)
    retried = await posts.retry_publication(w.owner, w.org, pending.id, X)
    assert (retried.idempotency_key, retried.outcome) == (
        f"{pending.id}:{X}",
        RetryOutcome.PUBLISHED,
    )
    again = await posts.retry_publication(w.owner, w.org, pending.id, X)
    assert again.outcome is RetryOutcome.ALREADY_PUBLISHED
    await w.content.publishing.publish_due(app.clock.now() + timedelta(days=1))
    assert len(w.content.publisher.published) == 1
    page = await posts.list_published(w.owner, w.org)
    assert [p.pending_post_id for p in page.items] == [pending.id]
    with pytest.raises(ValidationError) as error:
        await posts.retry_publication(w.owner, w.org, pending.id, LI)
    assert error.value.field == "platform"


async def test_a_retry_leaves_an_attempt_in_flight_and_a_post_under_review_alone(
    app: App,
) -> None:
    w = await world(app, auto_approve=False)
    material = await w.ready_material(TOPICS[0])
    (pending,) = await w.generate(material, (X,))
    posts = Rabbit(app.ports).posts
    outcome = (await posts.retry_publication(w.owner, w.org, pending.id, X)).outcome
    assert outcome is RetryOutcome.NOT_PUBLISHABLE
    assert (await Rabbit(app.ports).review.get_pending(w.owner, w.org, pending.id)).status is (
        PendingPostStatus.PENDING
    )
    # an attempt STARTED (its worker may still be waiting for the platform) is left alone
    called, gate = asyncio.Event(), asyncio.Event()
    publish = app.platform.publish

    async def slow(request):  # type: ignore[no-untyped-def]
        called.set()
        await gate.wait()
        return await publish(request)

    app.platform.publish = slow  # type: ignore[method-assign]
    await Rabbit(app.ports).review.approve(w.owner, w.org, pending.id, ApprovePost())
    due = app.clock.now() + timedelta(days=2)
    app.clock.advance(timedelta(days=2))
    worker = asyncio.create_task(w.content.publishing.publish_due(due))
    # the worker's attempt is committed STARTED before it calls the platform; the bound is
    # a guard against a hang, not a measure of speed
    await asyncio.wait_for(called.wait(), timeout=60)
    outcome = (await posts.retry_publication(w.owner, w.org, pending.id, X)).outcome
    assert outcome is RetryOutcome.IN_FLIGHT
    gate.set()
    await worker
    assert len(app.platform.published) == 1


async def test_the_actor_reads_their_user_and_organisations(app: App) -> None:
    w = await world(app)
    second, _ = await app.organization("second")
    invited = await app.user("invited")
    await app.organizations.invite_member(w.owner, w.org, InviteMember(user_id=invited))
    me = await app.organizations.get_me(invited)
    assert me.id == invited
    assert me.email.startswith("invited")
    assert "invited" not in repr(me)  # personal data stays out of reprs (ADR 0021)
    (membership,) = await app.organizations.list_my_organizations(invited)
    assert (membership.organization_id, membership.joined_at) == (w.org, None)
    mine = await app.organizations.list_my_organizations(w.owner)
    assert [(m.organization_id, m.role) for m in mine] == [(w.org, MemberRole.OWNER)]
    assert second not in {m.organization_id for m in mine}


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ticks=st.lists(st.integers(min_value=0, max_value=2), min_size=0, max_size=9),
    limit=st.integers(min_value=1, max_value=4),
)
async def test_paging_through_any_rows_equals_the_whole_sorted_list(
    make_app: Callable[[], App], ticks: list[int], limit: int
) -> None:
    """Rows made at any instants (many sharing one) and read a page of any size at a time:
    the pages, end to end, are the whole listing in its order."""
    app = make_app()
    w = await world(app)
    for n, tick in enumerate(ticks):
        app.tick(tick)
        await upload(w, f"row{n}")
    async with app.ports.uow() as uow:
        rows = await uow.materials.find(w.org)
    expected = [m.id for m in sorted(rows, key=lambda m: (m.created_at, m.id), reverse=True)]
    assert await every_material(w, limit) == expected


def test_a_page_is_a_frozen_value() -> None:
    page: Page[int] = Page((1, 2), None)
    with pytest.raises(AttributeError):
        page.items = ()  # type: ignore[misc]
