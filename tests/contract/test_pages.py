"""Keyset pages of the repositories (ADR 0028), the same on both stores.

``MaterialRepository.page`` and ``PostRepository.page_published`` list newest first
(instant, then id, both descending), ``PendingPostRepository.page_review_queue`` oldest
first (both ascending). Ids compare byte-wise (PostgreSQL's ``COLLATE "C"``, code points in
memory); a page starts strictly after its ``Keyset`` and holds at most ``limit`` rows, all
of the organisation asked for. Each filter keeps exactly its rows; a property walks random
rows page by page and compares them with the rows sorted in Python.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rabbit.application.ports.repositories import Keyset
from rabbit.application.ports.unit_of_work import UnitOfWork
from rabbit.domain.enums import MaterialStatus, PendingPostStatus, SocialPlatform
from rabbit.domain.model import BrandProfile, Material, Organization, SocialAccount

from .builders import (
    a_brand,
    a_material,
    a_pending_post,
    a_post,
    a_social_account,
    an_organization,
    at,
)
from .conftest import ContractBackend

#: Ids whose byte order (``B`` < ``_`` < ``a`` < ``b`` < ``é``) is not a locale's
#: (``_``, ``a``, ``B``, ``b``, ``é``): a store sorting by the database's collation
#: instead of bytes gets the order wrong.
IDS = ("p-B2", "p-_x", "p-a3", "p-b1", "p-é0")

Key = tuple[datetime, str]


@dataclasses.dataclass(frozen=True)
class World:
    org: Organization
    brand: BrandProfile
    account: SocialAccount
    material: Material


@dataclasses.dataclass(frozen=True)
class Listing:
    """One paged listing: its repository method, its direction, and how to make one of its
    rows at an instant with an id."""

    method: Callable[[UnitOfWork], Callable[..., Awaitable[list[Any]]]]
    newest_first: bool
    make: Callable[[World, datetime, str], object]
    key: Callable[[Any], Key]

    def order(self, keys: list[Key]) -> list[str]:
        return [row_id for _, row_id in sorted(keys, reverse=self.newest_first)]

    def after(self, keys: list[Key], cursor: Key) -> list[str]:
        """The oracle of a page: the rows strictly after ``cursor`` in this order."""
        if self.newest_first:
            return self.order([k for k in keys if k < cursor])
        return self.order([k for k in keys if k > cursor])


LISTINGS = {
    "materials": Listing(
        lambda uow: uow.materials.page,
        True,
        lambda w, when, i: a_material(w.org, w.brand, id=i, created_at=when),
        lambda m: (m.created_at, m.id),
    ),
    "published posts": Listing(
        lambda uow: uow.posts.page_published,
        True,
        lambda w, when, i: a_post(w.org, w.brand, w.account, id=i, published_at=when),
        lambda p: (p.published_at, p.id),
    ),
    "review queue": Listing(
        lambda uow: uow.pending_posts.page_review_queue,
        False,
        lambda w, when, i: a_pending_post(w.org, w.brand, w.material, id=i, created_at=when),
        lambda p: (p.created_at, p.id),
    ),
}


async def a_world(backend: ContractBackend) -> World:
    org = an_organization()
    brand = a_brand(org)
    account = a_social_account(org, platform=SocialPlatform.LINKEDIN)
    # the material pending posts need: made long before, so a materials listing ends on it
    material = a_material(org, brand, created_at=at(days=-30))
    await backend.seed(org, brand, account, material)
    return World(org, brand, account, material)


async def ids_of(
    backend: ContractBackend,
    method: Callable[[UnitOfWork], Callable[..., Awaitable[list[Any]]]],
    org: Organization | str,
    *,
    after: Keyset | None = None,
    limit: int = 100,
    **filters: Any,
) -> list[str]:
    org_id = org if isinstance(org, str) else org.id

    async def query(uow: UnitOfWork) -> list[Any]:
        return await method(uow)(org_id, after=after, limit=limit, **filters)

    return [row.id for row in await backend.read(query)]


def keys_of(listing: Listing, w: World, rows: list[Any]) -> list[Key]:
    keys = [listing.key(row) for row in rows]
    if listing is LISTINGS["materials"]:
        keys.append((w.material.created_at, w.material.id))
    return keys


# order, cursor, limit, tenancy -----------------------------------------------------------


@pytest.mark.parametrize("name", LISTINGS)
async def test_rows_come_by_instant_then_id_in_byte_order_each_page_strictly_after_its_key(
    backend: ContractBackend, name: str
) -> None:
    listing = LISTINGS[name]
    w = await a_world(backend)
    # two rows share the earlier instant, three the later one: ties go by id
    rows = [listing.make(w, at(1), i) for i in IDS[:2]]
    rows += [listing.make(w, at(2), i) for i in IDS[2:]]
    await backend.seed(*reversed(rows))
    keys = keys_of(listing, w, rows)
    expected = listing.order(keys)
    assert list(IDS) == sorted(IDS) != sorted(IDS, key=str.casefold)  # bytes, not letters

    assert await ids_of(backend, listing.method, w.org) == expected
    for n, key in enumerate(sorted(keys, reverse=listing.newest_first)):
        after = Keyset(*key)
        assert await ids_of(backend, listing.method, w.org, after=after) == expected[n + 1 :]
        one = await ids_of(backend, listing.method, w.org, after=after, limit=1)
        assert one == expected[n + 1 : n + 2]
    assert await ids_of(backend, listing.method, w.org, limit=2) == expected[:2]
    # keys no row has: between two ids of one instant, and between and beyond the instants
    for cursor in [(at(2), "p-aa"), (at(2), "p-"), (at(1, days=1), "p-a"), (at(-1), "")]:
        page = await ids_of(backend, listing.method, w.org, after=Keyset(*cursor))
        assert page == listing.after(keys, cursor), cursor


@pytest.mark.parametrize("name", LISTINGS)
async def test_another_organisations_rows_never_appear(backend: ContractBackend, name: str) -> None:
    listing = LISTINGS[name]
    mine, theirs = await a_world(backend), await a_world(backend)
    await backend.seed(listing.make(mine, at(5), "p-mine"), listing.make(theirs, at(6), "p-th"))
    before_both = Keyset(at(7), "p-z") if listing.newest_first else Keyset(at(0), "")
    for after in (None, before_both):
        found = set(await ids_of(backend, listing.method, mine.org, after=after))
        assert "p-th" not in found
        assert "p-mine" in found
    assert await ids_of(backend, listing.method, "no-such-organization") == []


# filters of the materials ----------------------------------------------------------------


async def test_materials_filter_by_brand_status_and_name_and_leave_deleted_ones_out(
    backend: ContractBackend,
) -> None:
    w = await a_world(backend)
    other = a_brand(w.org, name="Other")
    await backend.seed(other)

    def material(i: str, minute: int, **fields: Any) -> Material:
        return a_material(w.org, w.brand, id=i, created_at=at(minute), **fields)

    rows = [
        material("p-1", 1, name="Solar Backpack 100%_off", status=MaterialStatus.READY),
        material("p-2", 2, name="solar panel", brand_profile_id=other.id),
        material("p-3", 3, name="SOLARIUM", status=MaterialStatus.ARCHIVED),
        material("p-4", 4, name="CAFÉ crème"),
        material("p-5", 5, name=None),
        material("p-6", 6, name="100x off"),
        material("p-7", 7, name="solar deleted", deleted_at=at(8)),
    ]
    await backend.seed(*rows)

    async def ids(**filters: Any) -> list[str]:
        return await ids_of(backend, LISTINGS["materials"].method, w.org, **filters)

    assert await ids() == ["p-6", "p-5", "p-4", "p-3", "p-2", "p-1", w.material.id]
    assert await ids(brand_id=other.id) == ["p-2"]
    assert await ids(brand_id="unknown") == []
    assert await ids(statuses=[MaterialStatus.READY]) == ["p-1"]
    assert await ids(statuses=[MaterialStatus.READY, MaterialStatus.ARCHIVED]) == ["p-3", "p-1"]
    assert await ids(statuses=[]) == []
    assert await ids(name_contains="solar") == ["p-3", "p-2", "p-1"]  # A–Z in any case
    assert await ids(name_contains="sOLAR p", brand_id=other.id) == ["p-2"]
    assert await ids(name_contains="100%_") == ["p-1"]  # % and _ are plain characters
    assert await ids(name_contains="100%") == ["p-1"]
    assert await ids(name_contains="0_o") == []
    assert await ids(name_contains="%") == ["p-1"]
    assert await ids(name_contains="café") == []  # É is not folded to é (only A–Z are)
    assert await ids(name_contains="CAFÉ CRÈME") == []  # nor È to è
    assert await ids(name_contains="cafÉ CRème") == ["p-4"]
    assert await ids(name_contains="caf") == ["p-4"]
    assert await ids(name_contains="") == [i for i in await ids() if i != "p-5"]  # no name
    after = Keyset(at(3), "p-3")
    assert await ids(name_contains="solar", after=after, limit=1) == ["p-2"]


# filters of the published posts ----------------------------------------------------------


async def test_published_posts_filter_by_brand_platform_and_a_half_open_date_range(
    backend: ContractBackend,
) -> None:
    w = await a_world(backend)
    other = a_brand(w.org, name="Other")
    twitter = a_social_account(w.org, platform=SocialPlatform.TWITTER)
    await backend.seed(other, twitter)

    def post(i: str, minute: int | None, **fields: Any) -> object:
        when = None if minute is None else at(minute)
        return a_post(w.org, w.brand, w.account, id=i, published_at=when, **fields)

    await backend.seed(
        post("p-1", 10),
        post("p-2", 20, social_account_id=twitter.id, platform=SocialPlatform.TWITTER),
        post("p-3", 30, brand_profile_id=other.id),
        post("p-4", 40),
        post("p-5", None),  # not published: never listed
        post("p-6", 50, deleted_at=at(60)),  # soft-deleted: never listed
    )

    async def ids(**filters: Any) -> list[str]:
        return await ids_of(backend, LISTINGS["published posts"].method, w.org, **filters)

    assert await ids() == ["p-4", "p-3", "p-2", "p-1"]
    assert await ids(brand_id=other.id) == ["p-3"]
    assert await ids(platform=SocialPlatform.TWITTER) == ["p-2"]
    assert await ids(platform=SocialPlatform.LINKEDIN, brand_id=w.brand.id) == ["p-4", "p-1"]
    assert await ids(platform=SocialPlatform.TIKTOK) == []
    # from is inclusive, before is exclusive
    assert await ids(published_from=at(20)) == ["p-4", "p-3", "p-2"]
    assert await ids(published_before=at(30)) == ["p-2", "p-1"]
    assert await ids(published_from=at(20), published_before=at(40)) == ["p-3", "p-2"]
    assert await ids(published_from=at(20), published_before=at(20)) == []
    assert await ids(published_from=at(19.99), published_before=at(20.01)) == ["p-2"]
    assert await ids(published_from=at(51)) == []
    after = Keyset(at(40), "p-4")
    assert await ids(published_before=at(40.5), after=after, limit=2) == ["p-3", "p-2"]


# the review queue ------------------------------------------------------------------------


async def test_the_review_queue_holds_pending_posts_only_of_the_brand_asked_for(
    backend: ContractBackend,
) -> None:
    w = await a_world(backend)
    other = a_brand(w.org, name="Other")
    await backend.seed(other)

    def pending(i: str, minute: int, **fields: Any) -> object:
        return a_pending_post(w.org, w.brand, w.material, id=i, created_at=at(minute), **fields)

    rows = [pending(f"p-{s.value}", n, status=s) for n, s in enumerate(PendingPostStatus)]
    rows.append(pending("p-other", 20, brand_profile_id=other.id))
    await backend.seed(*rows)

    async def ids(**filters: Any) -> list[str]:
        return await ids_of(backend, LISTINGS["review queue"].method, w.org, **filters)

    assert await ids() == ["p-PENDING", "p-other"]
    assert await ids(brand_id=w.brand.id) == ["p-PENDING"]
    assert await ids(brand_id=other.id) == ["p-other"]
    assert await ids(brand_id="unknown") == []
    assert await ids(after=Keyset(at(0), "p-PENDING")) == ["p-other"]


# any rows, any page size -----------------------------------------------------------------

_instants = st.sampled_from([at(0), at(1), at(1.000001), at(2, days=3)])
_ids = st.text(alphabet="aAbB_-é9", min_size=1, max_size=3).map(lambda s: "p-" + s)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(sorted(LISTINGS)),
    rows=st.dictionaries(_ids, _instants, max_size=8),
    limit=st.integers(min_value=1, max_value=4),
)
async def test_walking_any_rows_page_by_page_gives_them_all_once_in_order(
    backend: ContractBackend, name: str, rows: dict[str, datetime], limit: int
) -> None:
    """What a use case does (``limit + 1`` rows, the key of the last one shown as the next
    cursor) visits every row once, in the order Python sorts their keys."""
    await backend.reset()
    listing = LISTINGS[name]
    w = await a_world(backend)
    made = [listing.make(w, when, row_id) for row_id, when in rows.items()]
    await backend.seed(*made)
    expected = listing.order(keys_of(listing, w, made))

    async def page(after: Keyset | None) -> list[Any]:
        async def query(uow: UnitOfWork) -> list[Any]:
            return await listing.method(uow)(w.org.id, after=after, limit=limit + 1)

        found: list[Any] = await backend.read(query)
        return found

    walked: list[str] = []
    after = None
    for _ in range(len(made) + 2):  # a cursor that does not advance fails, not loops
        found = await page(after)
        assert len(found) <= limit + 1
        shown = found[:limit]
        walked += [row.id for row in shown]
        if len(found) <= limit:
            break
        after = Keyset(*listing.key(shown[-1]))
    assert walked == expected
