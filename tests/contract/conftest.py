"""The ``backend`` fixture: every contract test runs once per adapter.

A backend gives ``uow_factory()`` (a fresh unit of work), ``reset()`` (an empty store:
memory makes a fresh database, Postgres truncates every table, since ``claim_due`` and
``list_due`` look across organisations) and ``seed(*entities)`` (adds them in one committed
unit of work, each through its own repository).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

import pytest

from rabbit.application.ports.unit_of_work import UnitOfWork
from rabbit.domain import model
from rabbit.domain.enums import SocialPlatform
from rabbit_memory.unit_of_work import MemoryUnitOfWorkFactory

from .builders import a_brand, a_material, a_social_account, an_organization

# entity type -> (unit-of-work attribute, repository method that stores a new one)
_STORE: dict[type, tuple[str, str]] = {
    model.User: ("users", "add"),
    model.Organization: ("organizations", "add"),
    model.OrganizationMember: ("members", "add"),
    model.Subscription: ("subscriptions", "add"),
    model.CreditTransaction: ("ledger", "append"),
    model.BillingEvent: ("billing_events", "add"),
    model.BrandProfile: ("brands", "add"),
    model.SocialAccount: ("social_accounts", "add"),
    model.BrandProfileAccount: ("brand_accounts", "add"),
    model.Schedule: ("schedules", "add"),
    model.Material: ("materials", "add"),
    model.ExternalSource: ("external_sources", "add"),
    model.PendingPost: ("pending_posts", "add"),
    model.Post: ("posts", "add"),
    model.PostMetric: ("post_metrics", "add"),
    model.PublishAttempt: ("publish_attempts", "add"),
    model.ContentEmbedding: ("embeddings", "upsert"),
    model.TokenKey: ("token_keys", "register"),
}


async def store(uow: UnitOfWork, entity: object) -> None:
    """Add one new entity through the repository that owns its type."""
    attribute, method = _STORE[type(entity)]
    await getattr(getattr(uow, attribute), method)(entity)


async def load(uow: UnitOfWork, entity: Any, *, for_update: bool = False) -> Any:
    """``entity``'s stored row (soft-deleted or not) through the repository that owns its
    type, or None: a row that is missing or belongs to another organisation is not found."""
    org = getattr(entity, "organization_id", None)
    match entity:
        case model.User():
            return await uow.users.get(entity.id, include_deleted=True, for_update=for_update)
        case model.Organization():
            return await uow.organizations.get(
                entity.id, include_deleted=True, for_update=for_update
            )
        case model.OrganizationMember():
            return await uow.members.get(
                entity.organization_id, entity.user_id, for_update=for_update
            )
        case model.Subscription():
            return await uow.subscriptions.get(entity.organization_id, for_update=for_update)
        case model.BrandProfile():
            return await uow.brands.get(org, entity.id, include_deleted=True, for_update=for_update)
        case model.SocialAccount():
            return await uow.social_accounts.get(
                org, entity.id, include_deleted=True, for_update=for_update
            )
        case model.BrandProfileAccount():
            return await uow.brand_accounts.get(
                org, entity.brand_profile_id, entity.social_account_id, for_update=for_update
            )
        case model.Schedule():
            return await uow.schedules.get(org, entity.id, for_update=for_update)
        case model.Material():
            return await uow.materials.get(
                org, entity.id, include_deleted=True, for_update=for_update
            )
        case model.ExternalSource():
            return await uow.external_sources.get(org, entity.id, for_update=for_update)
        case model.PendingPost():
            return await uow.pending_posts.get(org, entity.id, for_update=for_update)
        case model.Post():
            return await uow.posts.get(org, entity.id, include_deleted=True, for_update=for_update)
        case model.PublishAttempt():
            attempts = await uow.publish_attempts.list_for(
                org, entity.pending_post_id, entity.platform, for_update=for_update
            )
            return next((a for a in attempts if a.id == entity.id), None)
        case _:
            raise TypeError(f"no load for {type(entity).__name__}")


async def lock(uow: UnitOfWork, entity: Any) -> None:
    """Read ``entity``'s stored row ``for_update``, as a use case does before it writes it
    (ADR 0012: ``update`` accepts only rows the unit of work holds). A row that is missing or
    belongs to another organisation is simply not found, and ``update`` then says so."""
    await load(uow, entity, for_update=True)


async def update(uow: UnitOfWork, entity: Any) -> None:
    """Lock ``entity``'s row, then store every field through its repository's ``update``."""
    await lock(uow, entity)
    attribute, _ = _STORE[type(entity)]
    await getattr(uow, attribute).update(entity)


class Backend(Protocol):
    name: str

    def uow_factory(self) -> UnitOfWork: ...
    async def reset(self) -> None: ...


class ContractBackend:
    """What the tests use: an adapter's backend plus the seeding helper."""

    def __init__(self, adapter: Backend) -> None:
        self._adapter = adapter
        self.name = adapter.name

    def uow_factory(self) -> UnitOfWork:
        return self._adapter.uow_factory()

    async def reset(self) -> None:
        await self._adapter.reset()

    async def seed(self, *entities: object) -> None:
        async with self.uow_factory() as uow:
            for entity in entities:
                await store(uow, entity)
            await uow.commit()

    async def write(self, action: Callable[[UnitOfWork], Awaitable[Any]]) -> Any:
        """Run one write in a fresh unit of work and commit it; its result.

        Adapters may refuse a write at the statement or at commit (the port allows both),
        so tests expecting an error wrap this whole call in ``pytest.raises``."""
        async with self.uow_factory() as uow:
            result = await action(uow)
            await uow.commit()
        return result

    async def read(self, query: Callable[[UnitOfWork], Awaitable[Any]]) -> Any:
        """Run one read in a fresh unit of work (left without commit); its result."""
        async with self.uow_factory() as uow:
            return await query(uow)


class MemoryBackend:
    name = "memory"

    def __init__(self) -> None:
        self._factory = MemoryUnitOfWorkFactory()

    def uow_factory(self) -> UnitOfWork:
        return self._factory()

    async def reset(self) -> None:
        self._factory = MemoryUnitOfWorkFactory()  # a fresh, empty database


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)])
def adapter(request: pytest.FixtureRequest) -> Backend:
    """The adapter under test (sync, so that it may look the Postgres fixture up lazily)."""
    if request.param == "memory":
        return MemoryBackend()
    backend: Backend = request.getfixturevalue("postgres_contract_backend")
    return backend


@pytest.fixture
async def backend(adapter: Backend) -> AsyncIterator[ContractBackend]:
    """An empty store of the adapter under test, emptied again afterwards so that the
    shared Postgres test database is left as the folders after this one expect it."""
    await adapter.reset()
    yield ContractBackend(adapter)
    await adapter.reset()


@pytest.fixture(scope="session")
async def postgres_contract_backend(postgres_url: str) -> AsyncIterator[Backend]:
    """One engine for the whole session (on the migrated database of
    tests/support/postgres.py); each test starts from truncated tables."""
    from .postgres_backend import PostgresBackend

    adapter = await PostgresBackend.connect(postgres_url)
    yield adapter
    await adapter.close()


@pytest.fixture
async def org(backend: ContractBackend) -> model.Organization:
    organization = an_organization()
    await backend.seed(organization)
    return organization


@pytest.fixture
async def other_org(backend: ContractBackend) -> model.Organization:
    organization = an_organization(name="Globex")
    await backend.seed(organization)
    return organization


@pytest.fixture
async def brand(backend: ContractBackend, org: model.Organization) -> model.BrandProfile:
    profile = a_brand(org)
    await backend.seed(profile)
    return profile


@pytest.fixture
async def material(
    backend: ContractBackend, org: model.Organization, brand: model.BrandProfile
) -> model.Material:
    item = a_material(org, brand)
    await backend.seed(item)
    return item


@pytest.fixture
async def account(backend: ContractBackend, org: model.Organization) -> model.SocialAccount:
    social = a_social_account(org, platform=SocialPlatform.LINKEDIN)
    await backend.seed(social)
    return social
