"""The memory store and Postgres agree on every random sequence of operations.

A hypothesis state machine applies the same operations to both adapters: adds (with small
pools of ids, emails, slugs and platform accounts, so duplicates are frequent), full
updates, soft deletes and restores (a restore can collide with a live account), upserts of
embeddings (also across organisations), deletes, and units of work left without commit;
schedules (and claiming the due ones), pending posts (and deleting a brand's), posts, publish
attempts, and credit transactions with their subscription. Each write's outcome must be the
same on both sides (the same result, or the same error type, entity and field), and after
every step everything readable is compared: users by id and by email, brands, accounts,
materials with their counts, embeddings by content and by hash, similarity searches;
schedules, pending posts (due, expired), posts, attempts, subscriptions and the ledger with
its totals.

Every example starts with a live and a long soft-deleted brand, account, material and post
in each organisation (and a schedule, a pending post and an attempt for rules to touch), and
every row is read by id with and without the deleted ones after every step: a store that
shows a soft-deleted row fails on the first step of every run, not only when a random
sequence happens to delete one.

Rules are synchronous; the async adapters run on an event loop of the machine's own
(``asyncio.Runner``), with an engine created inside it: pytest-asyncio's session loop cannot
be driven from sync code. Each example starts from an empty store on both sides.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rabbit.application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from rabbit.domain.enums import (
    ContentAngle,
    ContentType,
    CreditAction,
    MaterialStatus,
    MaterialType,
    PendingPostStatus,
    PublishAttemptStatus,
    SocialPlatform,
)
from rabbit.domain.errors import DomainError
from rabbit.domain.model import (
    EMBEDDING_DIMENSIONS,
    BrandProfile,
    ContentEmbedding,
    CreditTransaction,
    Material,
    Organization,
    PendingPost,
    Post,
    PublishAttempt,
    Schedule,
    SimilarContent,
    SocialAccount,
    Subscription,
    User,
)
from rabbit_memory import MemoryUnitOfWorkFactory
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory

from .conftest import store
from .postgres_backend import truncate_all

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ORGS = ("org-a", "org-b")
POOL = 3
EMAILS = ("ada@example.com", "grace@example.com", "linus@example.com")
SLUGS = ("acme", "globex", "initech")
ACCOUNT_KEYS = ((SocialPlatform.TWITTER, "@acme"), (SocialPlatform.LINKEDIN, "@acme"))
HASHES = ("0123456789abcdef", "fedcba9876543210")
# Small integers are exact in single precision, so vectors round-trip exactly; the zero
# vector checks that both stores call its similarity 0.
DIRECTIONS = ((1, 0, 0), (0, 1, 0), (1, 1, 0), (2, 2, 0), (1, -1, 1), (0, 0, 0), (3, 1, 2))
QUERIES = ((1, 0, 0), (1, 1, 1), (0, 0, 0))
TOLERANCE = 1e-6

PLATFORMS = (SocialPlatform.TWITTER, SocialPlatform.LINKEDIN)
# Rows every example starts with in each organisation (``seed-…`` live, ``old-…`` soft-deleted
# long ago), so that a store that shows a soft-deleted row is caught on the first step.
SEEDED = ("seed", "old")

R = TypeVar("R")

ids = st.integers(0, POOL - 1)
platforms = st.sampled_from(PLATFORMS)
#: An existing row of the organisation (live or soft-deleted), or one of the pool's.
referenced = st.sampled_from(["seed", "seed", "old", "0", "1"])
offsets = st.sampled_from([None, -30, -1, 0, 1, 30])  # minutes from the step's now
orgs = st.sampled_from(ORGS)
commits = st.sampled_from([True, True, True, False])
content_types = st.sampled_from([ContentType.MATERIAL, ContentType.POST])
#: The arguments of every write to one organisation's rows: the organisation, and whether
#: the unit of work commits.
IN_AN_ORGANISATION = {"org": orgs, "commit": commits}
pending_statuses = st.sampled_from(list(PendingPostStatus))
attempt_statuses = st.sampled_from(list(PublishAttemptStatus))
material_statuses = st.sampled_from(list(MaterialStatus))
#: Mostly the row's own organisation; sometimes the other one (the row is then "not found").
elsewhere = st.sampled_from([False, False, False, True])


def org_of(added: tuple[int, str], moved: bool) -> tuple[int, str]:
    index, org = added
    return index, (ORGS[1 - ORGS.index(org)] if moved else org)


def ref(kind: str, choice: str, org: str) -> str:
    """The id a rule refers to: a seeded row of ``org`` or the pool's row ``<kind><n>``."""
    return f"{choice}-{kind}-{org}" if choice in SEEDED else f"{kind}{choice}"


def ref_in(kind: str, choice: str, org: str, moved: bool) -> str:
    """As :func:`ref`, but sometimes the other organisation's row (then "not found")."""
    return ref(kind, choice, ORGS[1 - ORGS.index(org)] if moved else org)


def every_id(kind: str, org: str) -> list[str]:
    return [ref(kind, choice, org) for choice in (*SEEDED, *map(str, range(POOL)))]


def vector(direction: tuple[int, ...]) -> tuple[float, ...]:
    return tuple(float(x) for x in direction) + (0.0,) * (EMBEDDING_DIMENSIONS - len(direction))


def outcome_of_error(error: DomainError) -> tuple[Any, ...]:
    """What must agree about a refused write."""
    return (
        type(error).__name__,
        getattr(error, "entity", None),
        getattr(error, "field", None),
        getattr(error, "entity_id", None),
    )


def similarities(hits: list[SimilarContent]) -> dict[tuple[ContentType, str], float]:
    return {(h.content_type, h.content_id): h.similarity for h in hits}


def assert_same_search(memory: list[SimilarContent], postgres: list[SimilarContent]) -> None:
    """The same hits with the same similarities; order may differ only within ties (float
    rounding differs between the stores), so similarities are compared position by position."""
    assert [h.similarity for h in postgres] == pytest.approx(
        [h.similarity for h in memory], abs=TOLERANCE
    )
    tied = any(abs(a.similarity - b.similarity) < TOLERANCE for a, b in itertools.pairwise(memory))
    if not tied:
        assert [(h.content_type, h.content_id) for h in postgres] == [
            (h.content_type, h.content_id) for h in memory
        ]


# The rows the machine writes: one builder a kind, for the seed, the rules' adds and the
# stand-ins that an update of a missing row sends (which both stores must refuse alike).
# ``org`` is an organisation id and the references are ids, which may name no row.


def row(kind: type[R], row_id: str, org: str, at: datetime, **fields: Any) -> R:
    """A row of ``org`` created and last updated ``at``."""
    return kind(id=row_id, organization_id=org, created_at=at, updated_at=at, **fields)


def brand_row(brand: str, org: str, at: datetime, **fields: Any) -> BrandProfile:
    return row(BrandProfile, brand, org, at, name=brand, **fields)


def account_row(
    account: str, org: str, at: datetime, platform: SocialPlatform, handle: str, **fields: Any
) -> SocialAccount:
    names = {"account_id": handle, "account_name": handle, "access_token": "ciphertext"}
    return row(SocialAccount, account, org, at, platform=platform, **names, **fields)


def material_row(material: str, org: str, at: datetime, **fields: Any) -> Material:
    fields = {"type": MaterialType.TEXT, "original_content": f"text {material}", **fields}
    return row(Material, material, org, at, **fields)


def schedule_row(schedule: str, org: str, brand: str, at: datetime, **fields: Any) -> Schedule:
    fields = {"platforms": PLATFORMS, "times": ("09:00",), **fields}
    return row(Schedule, schedule, org, at, brand_profile_id=brand, **fields)


def pending_post_row(
    pending: str, org: str, brand: str, material: str, at: datetime, **fields: Any
) -> PendingPost:
    made = {"brand_profile_id": brand, "material_id": material, "content": f"pending {pending}"}
    return row(PendingPost, pending, org, at, platforms=PLATFORMS, **made, **fields)


def post_row(post: str, org: str, brand: str, account: str, at: datetime, **fields: Any) -> Post:
    fields = {"platform": SocialPlatform.TWITTER, "angle": ContentAngle.EDUCATIONAL, **fields}
    made = {"brand_profile_id": brand, "social_account_id": account, "content": f"post {post}"}
    return row(Post, post, org, at, **made, **fields)


def attempt_row(
    attempt: str, org: str, pending: str, account: str, at: datetime, **fields: Any
) -> PublishAttempt:
    fields = {"platform": SocialPlatform.TWITTER, "attempt_number": 1, **fields}
    key = f"{pending}:{fields['platform']}:{fields['attempt_number']}"
    return PublishAttempt(
        id=attempt,
        organization_id=org,
        pending_post_id=pending,
        social_account_id=account,
        idempotency_key=key,
        started_at=at,
        **fields,
    )


class StoresAgree(RuleBasedStateMachine):
    """Adds put ``(pool index, organisation)`` into a bundle (whether or not the add was
    refused or rolled back), so later rules mostly touch rows that may exist."""

    url: str = ""
    users = Bundle("users")
    brands = Bundle("brands")
    accounts = Bundle("accounts")
    materials = Bundle("materials")

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.engine: AsyncEngine = create_async_engine(self.url)
        self.runner.run(truncate_all(self.engine))
        self.stores: dict[str, UnitOfWorkFactory] = {
            "memory": MemoryUnitOfWorkFactory(),
            "postgres": PostgresUnitOfWorkFactory(self.engine),
        }
        self.step = 0
        assert self.add_both(*self._seed_organizations()) == ("ok", None)
        assert self.add_both(*self._seed_tenant_rows()) == ("ok", None)

    def teardown(self) -> None:
        try:
            self.runner.run(self.engine.dispose())
        finally:
            self.runner.close()

    # plumbing ----------------------------------------------------------------------

    def now(self) -> datetime:
        return T0 + timedelta(minutes=self.step)

    def at(self, offset: int | None) -> datetime | None:
        return None if offset is None else self.now() + timedelta(minutes=offset)

    @staticmethod
    def _seed_organizations() -> list[Organization]:
        return [
            Organization(id=org, name=org, slug=f"seed-{index}", created_at=T0, updated_at=T0)
            for index, org in enumerate(ORGS)
        ]

    @staticmethod
    def _seed_tenant_rows() -> list[Any]:
        """A subscription, and a live and a long-deleted brand, account, material and post
        in each organisation, and a schedule, a pending post and its publish attempt (so
        that the rules touching existing rows find some in every example)."""
        seeded: list[Any] = []
        for org in ORGS:
            seeded.append(row(Subscription, f"sub-{org}", org, T0, credits_total=50))
            brand, material = ref("b", "seed", org), ref("m", "seed", org)
            for choice in SEEDED:
                gone = {"deleted_at": T0 if choice == "old" else None}
                account, pending = ref("a", choice, org), ref("p", choice, org)
                seeded += [
                    brand_row(ref("b", choice, org), org, T0, **gone),
                    account_row(account, org, T0, SocialPlatform.TWITTER, account, **gone),
                    material_row(
                        ref("m", choice, org), org, T0, status=MaterialStatus.READY, **gone
                    ),
                    pending_post_row(
                        pending,
                        org,
                        brand,
                        material,
                        T0,
                        angle=ContentAngle.STORYTELLING,
                        status=PendingPostStatus.APPROVED,
                        scheduled_for=T0,
                    ),
                    schedule_row(ref("s", choice, org), org, brand, T0, next_run_at=T0),
                    attempt_row(ref("pa", choice, org), org, pending, account, T0),
                    post_row(
                        ref("po", choice, org), org, brand, account, T0, published_at=T0, **gone
                    ),
                ]
        return seeded

    def run_one(
        self, store: str, action: Callable[[UnitOfWork], Awaitable[Any]], *, commit: bool
    ) -> Any:
        async def go() -> Any:
            async with self.stores[store]() as uow:
                try:
                    result = await action(uow)
                except DomainError as error:
                    return ("error", outcome_of_error(error))
                if commit:
                    await uow.commit()
                return ("ok", result)

        return self.runner.run(go())

    def run_both(
        self, action: Callable[[UnitOfWork], Awaitable[Any]], *, commit: bool = True
    ) -> Any:
        """Apply one write to both stores; the outcomes must be equal. The outcome."""
        self.step += 1
        memory = self.run_one("memory", action, commit=commit)
        postgres = self.run_one("postgres", action, commit=commit)
        assert postgres == memory
        return memory

    def add_both(self, *entities: Any, commit: bool = True) -> Any:
        """Add new rows, each through the repository that owns its type, in one unit of
        work on both stores; the outcomes must be equal. The outcome."""

        async def action(uow: UnitOfWork) -> None:
            for entity in entities:
                await store(uow, entity)

        return self.run_both(action, commit=commit)

    def rewrite_both(
        self,
        repository: str,
        find: Callable[[Any], Awaitable[Any]],
        *,
        commit: bool,
        missing: Callable[[], Any] | None = None,
        then: Callable[[Any], None] = lambda _: None,
        **fields: Any,
    ) -> None:
        """Read a row for update through ``uow.<repository>`` with ``find``, set ``fields``
        (and apply ``then``), and write it back with ``update``, on both stores; the
        outcomes must be equal. A row that is not found is either left alone (the outcome
        is False) or, with ``missing``, replaced by a stand-in whose update must be refused
        alike."""

        async def action(uow: UnitOfWork) -> bool:
            rows = getattr(uow, repository)
            current = await find(rows)
            if current is None:
                if missing is None:
                    return False
                current = missing()
            for field, value in fields.items():
                setattr(current, field, value)
            then(current)
            await rows.update(current)
            return True

        self.run_both(action, commit=commit)

    def delete_or_restore_both(
        self,
        repository: str,
        org: str,
        row_id: str,
        deleted: bool,
        *,
        missing: Callable[[str, str, datetime], Any] | None = None,
        **changes: Any,
    ) -> None:
        """Soft-delete (or restore) a row of ``org``, deleted or not, with ``changes``, on
        both stores; ``missing(row_id, org, at)`` builds the stand-in for a row not found."""
        at = self.now()
        self.rewrite_both(
            repository,
            lambda rows: rows.get(org, row_id, include_deleted=True, for_update=True),
            missing=None if missing is None else lambda: missing(row_id, org, at),
            deleted_at=at if deleted else None,
            updated_at=at,
            **changes,
        )

    def read_both(self, query: Callable[[UnitOfWork], Awaitable[Any]]) -> tuple[Any, Any]:
        memory = self.run_one("memory", query, commit=False)
        postgres = self.run_one("postgres", query, commit=False)
        return memory, postgres

    def agree(self, query: Callable[[UnitOfWork], Awaitable[Any]]) -> None:
        """Both stores give the same answer to one read."""
        memory, postgres = self.read_both(query)
        assert postgres == memory

    # users -------------------------------------------------------------------------

    @rule(
        target=users, user=ids, email=st.sampled_from(EMAILS), shout=st.booleans(), commit=commits
    )
    def add_user(self, user: int, email: str, shout: bool, commit: bool) -> int:
        entity = User(
            id=f"u{user}",
            email=email.upper() if shout else email,
            created_at=self.now(),
            updated_at=self.now(),
        )
        self.add_both(entity, commit=commit)
        return user

    @rule(
        user=users,
        name=st.sampled_from(["Ada", "Grace", None]),
        deleted=st.booleans(),
        commit=commits,
    )
    def update_user(self, user: int, name: str | None, deleted: bool, commit: bool) -> None:
        at = self.now()
        self.rewrite_both(
            "users",
            lambda users: users.get(f"u{user}", include_deleted=True, for_update=True),
            missing=lambda: User(id=f"u{user}", email=EMAILS[0], created_at=at, updated_at=at),
            name=name,
            deleted_at=at if deleted else None,
            updated_at=at,
            commit=commit,
        )

    # organisations -----------------------------------------------------------------

    @rule(slug=st.sampled_from(SLUGS), commit=commits)
    def add_organization(self, slug: str, commit: bool) -> None:
        at = self.now()
        entity = Organization(
            id=f"org-{self.step}", name=slug, slug=slug, created_at=at, updated_at=at
        )
        self.add_both(entity, commit=commit)

    # brands ------------------------------------------------------------------------

    @rule(
        target=brands, brand=ids, tone=st.sampled_from([(), ("bold", "warm")]), **IN_AN_ORGANISATION
    )
    def add_brand(
        self, brand: int, org: str, tone: tuple[str, ...], commit: bool
    ) -> tuple[int, str]:
        self.add_both(brand_row(f"b{brand}", org, self.now(), tone=tone), commit=commit)
        return brand, org

    @rule(added=brands, moved=elsewhere, deleted=st.booleans(), commit=commits)
    def soft_delete_or_restore_brand(
        self, added: tuple[int, str], moved: bool, deleted: bool, commit: bool
    ) -> None:
        brand, org = org_of(added, moved)
        self.delete_or_restore_both(
            "brands", org, f"b{brand}", deleted, missing=brand_row, commit=commit
        )

    # social accounts ---------------------------------------------------------------

    @rule(target=accounts, account=ids, key=st.sampled_from(ACCOUNT_KEYS), **IN_AN_ORGANISATION)
    def add_account(
        self, account: int, org: str, key: tuple[SocialPlatform, str], commit: bool
    ) -> tuple[int, str]:
        platform, handle = key
        self.add_both(account_row(f"a{account}", org, self.now(), platform, handle), commit=commit)
        return account, org

    @rule(added=accounts, moved=elsewhere, deleted=st.booleans(), commit=commits)
    def soft_delete_or_restore_account(
        self, added: tuple[int, str], moved: bool, deleted: bool, commit: bool
    ) -> None:
        account, org = org_of(added, moved)
        self.delete_or_restore_both(
            "social_accounts",
            org,
            f"a{account}",
            deleted,
            missing=functools.partial(account_row, platform=SocialPlatform.TWITTER, handle="?"),
            commit=commit,
        )

    @rule(added=accounts, moved=elsewhere, staleness=st.sampled_from([0, 0, 1, -1]), commit=commits)
    def refresh_tokens(
        self, added: tuple[int, str], moved: bool, staleness: int, commit: bool
    ) -> None:
        """A compare-and-set with the current version, or a stale or future one."""
        account, org = org_of(added, moved)
        at = self.now()

        async def action(uow: UnitOfWork) -> bool:
            current = await uow.social_accounts.get(
                org, f"a{account}", include_deleted=True, for_update=True
            )
            if current is None:
                return False
            expected = current.token_version - staleness
            refreshed = dataclasses.replace(
                current,
                access_token=f"token-{self.step}",
                token_version=expected + 1,
                updated_at=at,
            )
            return await uow.social_accounts.update_tokens_if_version(refreshed, expected)

        self.run_both(action, commit=commit)

    # materials ---------------------------------------------------------------------

    @rule(target=materials, material=ids, brand=st.none() | ids, **IN_AN_ORGANISATION)
    def add_material(
        self, material: int, org: str, brand: int | None, commit: bool
    ) -> tuple[int, str]:
        entity = material_row(
            f"m{material}",
            org,
            self.now(),
            brand_profile_id=None if brand is None else f"b{brand}",
            keywords=("a", "b"),
        )
        self.add_both(entity, commit=commit)
        return material, org

    @rule(
        added=materials,
        moved=elsewhere,
        status=material_statuses,
        deleted=st.booleans(),
        commit=commits,
    )
    def update_material(
        self,
        added: tuple[int, str],
        moved: bool,
        status: MaterialStatus,
        deleted: bool,
        commit: bool,
    ) -> None:
        material, org = org_of(added, moved)

        def use(current: Material) -> None:
            current.usage_count += 1

        self.delete_or_restore_both(
            "materials",
            org,
            f"m{material}",
            deleted,
            missing=functools.partial(material_row, type=MaterialType.URL),
            then=use,
            status=status,
            commit=commit,
        )

    # embeddings --------------------------------------------------------------------

    @rule(
        content=ids,
        content_type=content_types,
        direction=st.sampled_from(DIRECTIONS),
        content_hash=st.sampled_from(HASHES),
        **IN_AN_ORGANISATION,
    )
    def upsert_embedding(
        self,
        content: int,
        content_type: ContentType,
        org: str,
        direction: tuple[int, ...],
        content_hash: str,
        commit: bool,
    ) -> None:
        entity = ContentEmbedding(
            id=f"e{self.step}",
            organization_id=org,
            content_type=content_type,
            content_id=f"c{content}",
            embedding=vector(direction),
            content_hash=content_hash,
            created_at=self.now(),
        )
        self.add_both(entity, commit=commit)

    @rule(content=ids, content_type=content_types, **IN_AN_ORGANISATION)
    def delete_embedding(
        self, content: int, content_type: ContentType, org: str, commit: bool
    ) -> None:
        self.run_both(
            lambda uow: uow.embeddings.delete_for(org, content_type, f"c{content}"), commit=commit
        )

    # schedules ---------------------------------------------------------------------

    @rule(schedule=ids, brand=referenced, active=st.booleans(), due=offsets, **IN_AN_ORGANISATION)
    def add_schedule(
        self, schedule: int, org: str, brand: str, active: bool, due: int | None, commit: bool
    ) -> None:
        entity = schedule_row(
            f"s{schedule}",
            org,
            ref("b", brand, org),
            self.now(),
            is_active=active,
            next_run_at=self.at(due),
        )
        self.add_both(entity, commit=commit)

    @rule(
        schedule=referenced,
        moved=elsewhere,
        active=st.booleans(),
        due=offsets,
        **IN_AN_ORGANISATION,
    )
    def update_schedule(
        self, schedule: str, org: str, moved: bool, active: bool, due: int | None, commit: bool
    ) -> None:
        schedule_id = ref_in("s", schedule, org, moved)
        at = self.now()
        self.rewrite_both(
            "schedules",
            lambda schedules: schedules.get(org, schedule_id, for_update=True),
            # updating a row that is not there: both refuse alike
            missing=lambda: schedule_row(schedule_id, org, ref("b", "seed", org), at),
            is_active=active,
            next_run_at=self.at(due),
            updated_at=at,
            commit=commit,
        )

    @rule(limit=st.integers(1, 3), commit=commits)
    def claim_due_schedules(self, limit: int, commit: bool) -> None:
        self.run_both(lambda uow: uow.schedules.claim_due(self.now(), limit=limit), commit=commit)

    # pending posts -----------------------------------------------------------------

    @rule(
        pending=ids,
        brand=referenced,
        material=referenced,
        status=pending_statuses,
        due=offsets,
        **IN_AN_ORGANISATION,
    )
    def add_pending_post(
        self,
        pending: int,
        org: str,
        brand: str,
        material: str,
        status: PendingPostStatus,
        due: int | None,
        commit: bool,
    ) -> None:
        entity = pending_post_row(
            f"p{pending}",
            org,
            ref("b", brand, org),
            ref("m", material, org),
            self.now(),
            angle=ContentAngle.PRODUCT_FOCUS,
            status=status,
            scheduled_for=self.at(due),
            expires_at=self.at(due),
        )
        self.add_both(entity, commit=commit)

    @rule(pending=referenced, moved=elsewhere, status=pending_statuses, **IN_AN_ORGANISATION)
    def update_pending_post(
        self, pending: str, org: str, moved: bool, status: PendingPostStatus, commit: bool
    ) -> None:
        pending_id = ref_in("p", pending, org, moved)
        self.rewrite_both(
            "pending_posts",
            lambda pending_posts: pending_posts.get(org, pending_id, for_update=True),
            status=status,
            review_notes=f"step {self.step}",
            updated_at=self.now(),
            commit=commit,
        )

    @rule(brand=referenced, **IN_AN_ORGANISATION)
    def delete_pending_posts_of_brand(self, org: str, brand: str, commit: bool) -> None:
        self.run_both(
            lambda uow: uow.pending_posts.delete_for_brand(org, ref("b", brand, org)),
            commit=commit,
        )

    # posts and publish attempts ------------------------------------------------------

    @rule(
        post=ids,
        brand=referenced,
        account=referenced,
        pending=st.none() | referenced,
        platform=platforms,
        published=offsets,
        **IN_AN_ORGANISATION,
    )
    def add_post(
        self,
        post: int,
        org: str,
        brand: str,
        account: str,
        pending: str | None,
        platform: SocialPlatform,
        published: int | None,
        commit: bool,
    ) -> None:
        entity = post_row(
            f"po{post}",
            org,
            ref("b", brand, org),
            ref("a", account, org),
            self.now(),
            pending_post_id=None if pending is None else ref("p", pending, org),
            platform=platform,
            published_at=self.at(published),
        )
        self.add_both(entity, commit=commit)

    @rule(
        post=referenced,
        moved=elsewhere,
        likes=st.sampled_from([0, 7]),
        deleted=st.booleans(),
        **IN_AN_ORGANISATION,
    )
    def update_post(
        self, post: str, org: str, moved: bool, likes: int, deleted: bool, commit: bool
    ) -> None:
        self.delete_or_restore_both(
            "posts",
            org,
            ref_in("po", post, org, moved),
            deleted,
            likes=likes,
            # exact in single precision: the column is REAL, the memory store keeps the
            # float as given (0.07 would come back as 0.07000000029802322 from Postgres)
            engagement_rate=likes / 128,
            commit=commit,
        )

    @rule(
        pending=referenced,
        account=referenced,
        platform=platforms,
        number=st.integers(1, 2),
        **IN_AN_ORGANISATION,
    )
    def add_publish_attempt(
        self,
        pending: str,
        org: str,
        account: str,
        platform: SocialPlatform,
        number: int,
        commit: bool,
    ) -> None:
        entity = attempt_row(
            f"pa{self.step}",
            org,
            ref("p", pending, org),
            ref("a", account, org),
            self.now(),
            platform=platform,
            attempt_number=number,
        )
        self.add_both(entity, commit=commit)

    @rule(pending=referenced, platform=platforms, status=attempt_statuses, **IN_AN_ORGANISATION)
    def finish_publish_attempt(
        self,
        pending: str,
        org: str,
        platform: SocialPlatform,
        status: PublishAttemptStatus,
        commit: bool,
    ) -> None:
        async def last_attempt(attempts: Any) -> PublishAttempt | None:
            found = await attempts.list_for(org, ref("p", pending, org), platform, for_update=True)
            return found[-1] if found else None

        self.rewrite_both(
            "publish_attempts",
            last_attempt,
            status=status,
            error=None if status is PublishAttemptStatus.SUCCEEDED else "refused",
            finished_at=self.now(),
            commit=commit,
        )

    # the credit ledger ---------------------------------------------------------------

    @rule(
        amount=st.sampled_from([-3, -1, 10]),
        foreign=elsewhere,
        related=st.none() | ids,
        **IN_AN_ORGANISATION,
    )
    def append_credit_transaction(
        self, org: str, amount: int, foreign: bool, related: int | None, commit: bool
    ) -> None:
        """Mostly against the organisation's own subscription; sometimes the other one's
        (refused by both)."""
        subscription = org_of((0, org), foreign)[1]
        entity = CreditTransaction(
            id=f"tx{self.step}",
            organization_id=org,
            subscription_id=f"sub-{subscription}",
            amount=amount,
            action=CreditAction.GENERATE if amount < 0 else CreditAction.TOPUP,
            related_post_id=None if related is None else f"po{related}",
            created_at=self.now(),
        )

        async def action(uow: UnitOfWork) -> None:
            current = await uow.subscriptions.get(org, for_update=True)
            assert current is not None
            current.credits_used -= min(amount, 0)
            current.credits_total += max(amount, 0)
            current.updated_at = self.now()
            await uow.subscriptions.update(current)
            await uow.ledger.append(entity)

        self.run_both(action, commit=commit)

    # the stores agree --------------------------------------------------------------

    @invariant()
    def users_agree(self) -> None:
        async def query(uow: UnitOfWork) -> list[Any]:
            found: list[Any] = []
            for user in range(POOL):
                found.append(await uow.users.get(f"u{user}", include_deleted=True))
                found.append(await uow.users.get(f"u{user}"))
            for email in EMAILS:
                found.append(await uow.users.get_by_email(email.title()))
            return found

        self.agree(query)

    @invariant()
    def organizations_agree(self) -> None:
        async def query(uow: UnitOfWork) -> list[Any]:
            return [await uow.organizations.get_by_slug(slug) for slug in SLUGS]

        self.agree(query)

    @invariant()
    def tenant_rows_agree(self) -> None:
        async def query(uow: UnitOfWork) -> list[Any]:
            found: list[Any] = [await uow.social_accounts.list_all(include_deleted=True)]
            for org in ORGS:
                found += [
                    await uow.brands.find(org),
                    await uow.brands.find(org, include_deleted=True),
                    await uow.social_accounts.find(org),
                    await uow.social_accounts.count_live(org),
                    await uow.materials.find(org, include_deleted=True),
                    await uow.materials.find(
                        org, statuses=[MaterialStatus.READY, MaterialStatus.USED]
                    ),
                    await uow.materials.count(org),
                ]
                for brand in range(POOL):
                    found.append(await uow.materials.find(org, brand_id=f"b{brand}"))
            return found

        self.agree(query)

    @invariant()
    def soft_deleted_rows_stay_hidden_alike(self) -> None:
        """Every brand, account, material and post by id, with and without the deleted
        ones (each organisation holds one deleted long ago from the first step on)."""

        async def query(uow: UnitOfWork) -> list[Any]:
            found: list[Any] = []
            for org in ORGS:
                for include_deleted in (False, True):
                    for brand in every_id("b", org):
                        found.append(
                            await uow.brands.get(org, brand, include_deleted=include_deleted)
                        )
                    for account in every_id("a", org):
                        found.append(
                            await uow.social_accounts.get(
                                org, account, include_deleted=include_deleted
                            )
                        )
                    for material in every_id("m", org):
                        found.append(
                            await uow.materials.get(org, material, include_deleted=include_deleted)
                        )
                    for post in every_id("po", org):
                        found.append(
                            await uow.posts.get(org, post, include_deleted=include_deleted)
                        )
            return found

        self.agree(query)

    @invariant()
    def content_rows_agree(self) -> None:
        """Schedules, pending posts, posts, publish attempts, subscriptions and the ledger:
        by id and through every listing."""
        now = self.now()
        recent = now - timedelta(minutes=10)

        async def query(uow: UnitOfWork) -> list[Any]:
            found: list[Any] = [
                await uow.pending_posts.list_due(now, limit=4),
                await uow.pending_posts.list_expired(now, limit=4),
            ]
            for org in ORGS:
                brand = ref("b", "seed", org)
                for schedule in every_id("s", org):
                    found.append(await uow.schedules.get(org, schedule))
                for pending in every_id("p", org):
                    found.append(await uow.pending_posts.get(org, pending))
                    for platform in PLATFORMS:
                        found += [
                            await uow.posts.get_for_pending(org, pending, platform),
                            await uow.publish_attempts.list_for(org, pending, platform),
                        ]
                found += [
                    await uow.schedules.find(org),
                    await uow.schedules.find(org, brand_id=brand),
                    await uow.pending_posts.find(org),
                    await uow.pending_posts.find(
                        org, brand_id=brand, statuses=[PendingPostStatus.PENDING]
                    ),
                    await uow.posts.find(org),
                    await uow.posts.find(org, include_deleted=True),
                    await uow.posts.find(org, brand_id=brand, published_since=recent),
                    await uow.posts.count_published(org, since=recent),
                    await uow.subscriptions.get(org),
                    await uow.ledger.find(org),
                    await uow.ledger.find(org, since=recent),
                    await uow.ledger.total(org),
                    await uow.ledger.total(org, since=recent),
                ]
            return found

        self.agree(query)

    @invariant()
    def embeddings_agree(self) -> None:
        async def query(uow: UnitOfWork) -> list[Any]:
            found: list[Any] = []
            for org in ORGS:
                for content in range(POOL):
                    for content_type in (ContentType.MATERIAL, ContentType.POST):
                        found.append(await uow.embeddings.get(org, content_type, f"c{content}"))
                for content_hash in HASHES:
                    found.append(await uow.embeddings.find_by_hash(org, content_hash, since=T0))
            return found

        self.agree(query)

    @invariant()
    def similarity_searches_agree(self) -> None:
        for org in ORGS:
            for direction in QUERIES:
                for limit in (2, 4 * POOL):

                    async def query(
                        uow: UnitOfWork,
                        org: str = org,
                        direction: Any = direction,
                        limit: int = limit,
                    ) -> list[SimilarContent]:
                        return await uow.embeddings.nearest(
                            org,
                            vector(direction),
                            since=T0,
                            limit=limit,
                            exclude=[(ContentType.POST, "c0")],
                        )

                    (_, memory), (_, postgres) = self.read_both(query)
                    assert_same_search(memory, postgres)
                    if limit > POOL * 2:
                        assert similarities(postgres) == pytest.approx(
                            similarities(memory), abs=TOLERANCE
                        )


def test_memory_and_postgres_agree_on_random_operation_sequences(postgres_url: str) -> None:
    StoresAgree.url = postgres_url
    run_state_machine_as_test(
        StoresAgree,
        settings=settings(max_examples=20, stateful_step_count=15, deadline=None),
    )
