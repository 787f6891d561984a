"""The memory store and Postgres agree on every random sequence of operations.

A hypothesis state machine applies the same operations to both adapters: adds (with small
pools of ids, emails, slugs and platform accounts, so duplicates are frequent), full
updates, soft deletes and restores (a restore can collide with a live account), upserts of
embeddings (also across organisations), deletes, and units of work left without commit.
Each write's outcome must be the same on both sides (the same result, or the same error
type, entity and field), and after every step everything readable is compared: users by id
and by email, brands, accounts, materials with their counts, embeddings by content and by
hash, and similarity searches.

Rules are synchronous; the async adapters run on an event loop of the machine's own
(``asyncio.Runner``), with an engine created inside it: pytest-asyncio's session loop cannot
be driven from sync code. Each example starts from an empty store on both sides.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

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
from rabbit.domain.enums import ContentType, MaterialStatus, MaterialType, SocialPlatform
from rabbit.domain.errors import DomainError
from rabbit.domain.model import (
    EMBEDDING_DIMENSIONS,
    BrandProfile,
    ContentEmbedding,
    Material,
    Organization,
    SimilarContent,
    SocialAccount,
    User,
)
from rabbit_memory import MemoryUnitOfWorkFactory
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory

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

ids = st.integers(0, POOL - 1)
orgs = st.sampled_from(ORGS)
commits = st.sampled_from([True, True, True, False])
content_types = st.sampled_from([ContentType.MATERIAL, ContentType.POST])
#: Mostly the row's own organisation; sometimes the other one (the row is then "not found").
elsewhere = st.sampled_from([False, False, False, True])


def org_of(added: tuple[int, str], moved: bool) -> tuple[int, str]:
    index, org = added
    return index, (ORGS[1 - ORGS.index(org)] if moved else org)


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
        self.run_both(self._seed_organizations, commit=True)

    def teardown(self) -> None:
        try:
            self.runner.run(self.engine.dispose())
        finally:
            self.runner.close()

    # plumbing ----------------------------------------------------------------------

    def now(self) -> datetime:
        return T0 + timedelta(minutes=self.step)

    async def _seed_organizations(self, uow: UnitOfWork) -> None:
        for slug_index, organization_id in enumerate(ORGS):
            await uow.organizations.add(
                Organization(
                    id=organization_id,
                    name=organization_id,
                    slug=f"seed-{slug_index}",
                    created_at=T0,
                    updated_at=T0,
                )
            )

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
    ) -> None:
        """Apply one write to both stores; the outcomes must be equal."""
        self.step += 1
        memory = self.run_one("memory", action, commit=commit)
        postgres = self.run_one("postgres", action, commit=commit)
        assert postgres == memory

    def read_both(self, query: Callable[[UnitOfWork], Awaitable[Any]]) -> tuple[Any, Any]:
        memory = self.run_one("memory", query, commit=False)
        postgres = self.run_one("postgres", query, commit=False)
        return memory, postgres

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
        self.run_both(lambda uow: uow.users.add(entity), commit=commit)
        return user

    @rule(
        user=users,
        name=st.sampled_from(["Ada", "Grace", None]),
        deleted=st.booleans(),
        commit=commits,
    )
    def update_user(self, user: int, name: str | None, deleted: bool, commit: bool) -> None:
        at = self.now()

        async def action(uow: UnitOfWork) -> None:
            current = await uow.users.get(f"u{user}", include_deleted=True, for_update=True)
            if current is None:
                current = User(id=f"u{user}", email=EMAILS[0], created_at=at, updated_at=at)
            current.name = name
            current.deleted_at = at if deleted else None
            current.updated_at = at
            await uow.users.update(current)

        self.run_both(action, commit=commit)

    # organisations -----------------------------------------------------------------

    @rule(slug=st.sampled_from(SLUGS), commit=commits)
    def add_organization(self, slug: str, commit: bool) -> None:
        entity = Organization(
            id=f"org-{self.step}",
            name=slug,
            slug=slug,
            created_at=self.now(),
            updated_at=self.now(),
        )
        self.run_both(lambda uow: uow.organizations.add(entity), commit=commit)

    # brands ------------------------------------------------------------------------

    @rule(
        target=brands,
        brand=ids,
        org=orgs,
        tone=st.sampled_from([(), ("bold", "warm")]),
        commit=commits,
    )
    def add_brand(
        self, brand: int, org: str, tone: tuple[str, ...], commit: bool
    ) -> tuple[int, str]:
        entity = BrandProfile(
            id=f"b{brand}",
            organization_id=org,
            name=f"Brand {brand}",
            tone=tone,
            created_at=self.now(),
            updated_at=self.now(),
        )
        self.run_both(lambda uow: uow.brands.add(entity), commit=commit)
        return brand, org

    @rule(added=brands, moved=elsewhere, deleted=st.booleans(), commit=commits)
    def soft_delete_or_restore_brand(
        self, added: tuple[int, str], moved: bool, deleted: bool, commit: bool
    ) -> None:
        brand, org = org_of(added, moved)
        at = self.now()

        async def action(uow: UnitOfWork) -> None:
            current = await uow.brands.get(org, f"b{brand}", include_deleted=True, for_update=True)
            if current is None:
                current = BrandProfile(
                    id=f"b{brand}", organization_id=org, name="?", created_at=at, updated_at=at
                )
            current.deleted_at = at if deleted else None
            current.updated_at = at
            await uow.brands.update(current)

        self.run_both(action, commit=commit)

    # social accounts ---------------------------------------------------------------

    @rule(target=accounts, account=ids, org=orgs, key=st.sampled_from(ACCOUNT_KEYS), commit=commits)
    def add_account(
        self, account: int, org: str, key: tuple[SocialPlatform, str], commit: bool
    ) -> tuple[int, str]:
        platform, account_id = key
        entity = SocialAccount(
            id=f"a{account}",
            organization_id=org,
            platform=platform,
            account_id=account_id,
            account_name="Acme",
            access_token="ciphertext",
            created_at=self.now(),
            updated_at=self.now(),
        )
        self.run_both(lambda uow: uow.social_accounts.add(entity), commit=commit)
        return account, org

    @rule(added=accounts, moved=elsewhere, deleted=st.booleans(), commit=commits)
    def soft_delete_or_restore_account(
        self, added: tuple[int, str], moved: bool, deleted: bool, commit: bool
    ) -> None:
        account, org = org_of(added, moved)
        at = self.now()

        async def action(uow: UnitOfWork) -> None:
            current = await uow.social_accounts.get(
                org, f"a{account}", include_deleted=True, for_update=True
            )
            if current is None:
                current = SocialAccount(
                    id=f"a{account}",
                    organization_id=org,
                    platform=SocialPlatform.TWITTER,
                    account_id="?",
                    account_name="?",
                    access_token="?",
                    created_at=at,
                    updated_at=at,
                )
            current.deleted_at = at if deleted else None
            current.updated_at = at
            await uow.social_accounts.update(current)

        self.run_both(action, commit=commit)

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

    @rule(target=materials, material=ids, org=orgs, brand=st.none() | ids, commit=commits)
    def add_material(
        self, material: int, org: str, brand: int | None, commit: bool
    ) -> tuple[int, str]:
        entity = Material(
            id=f"m{material}",
            organization_id=org,
            brand_profile_id=None if brand is None else f"b{brand}",
            type=MaterialType.TEXT,
            original_content=f"text {material}",
            keywords=("a", "b"),
            created_at=self.now(),
            updated_at=self.now(),
        )
        self.run_both(lambda uow: uow.materials.add(entity), commit=commit)
        return material, org

    @rule(
        added=materials,
        moved=elsewhere,
        status=st.sampled_from(list(MaterialStatus)),
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
        at = self.now()

        async def action(uow: UnitOfWork) -> None:
            current = await uow.materials.get(
                org, f"m{material}", include_deleted=True, for_update=True
            )
            if current is None:
                current = Material(
                    id=f"m{material}",
                    organization_id=org,
                    type=MaterialType.URL,
                    created_at=at,
                    updated_at=at,
                )
            current.status = status
            current.usage_count += 1
            current.deleted_at = at if deleted else None
            current.updated_at = at
            await uow.materials.update(current)

        self.run_both(action, commit=commit)

    # embeddings --------------------------------------------------------------------

    @rule(
        content=ids,
        content_type=content_types,
        org=orgs,
        direction=st.sampled_from(DIRECTIONS),
        content_hash=st.sampled_from(HASHES),
        commit=commits,
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
        self.run_both(lambda uow: uow.embeddings.upsert(entity), commit=commit)

    @rule(content=ids, content_type=content_types, org=orgs, commit=commits)
    def delete_embedding(
        self, content: int, content_type: ContentType, org: str, commit: bool
    ) -> None:
        self.run_both(
            lambda uow: uow.embeddings.delete_for(org, content_type, f"c{content}"), commit=commit
        )

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

        memory, postgres = self.read_both(query)
        assert postgres == memory

    @invariant()
    def organizations_agree(self) -> None:
        async def query(uow: UnitOfWork) -> list[Any]:
            return [await uow.organizations.get_by_slug(slug) for slug in SLUGS]

        memory, postgres = self.read_both(query)
        assert postgres == memory

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

        memory, postgres = self.read_both(query)
        assert postgres == memory

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

        memory, postgres = self.read_both(query)
        assert postgres == memory

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
