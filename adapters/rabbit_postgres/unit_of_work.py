"""The PostgreSQL unit of work: one connection and one transaction, used once.

``__aenter__`` takes a connection from the engine's pool and begins a transaction;
``commit``/``rollback`` end it; leaving the block without ``commit`` rolls back, and the
connection always goes back to the pool. Reusing a finished unit of work (a second
``async with``, a repository call after the end) raises RuntimeError, as the memory store's
does. Row locks (``FOR UPDATE``, ``SKIP LOCKED``) keep concurrent units of work apart
(docs/adr/0005).
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.ports.repositories import (
    BillingEventRepository,
    BrandAccountLinkRepository,
    BrandRepository,
    CreditLedger,
    EmbeddingRepository,
    ExternalSourceRepository,
    MaterialRepository,
    MemberRepository,
    OrganizationRepository,
    PendingPostRepository,
    PostMetricRepository,
    PostRepository,
    PublishAttemptRepository,
    ScheduleRepository,
    SocialAccountRepository,
    SubscriptionRepository,
    TokenKeyRepository,
    UserRepository,
)
from rabbit.application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from rabbit_postgres.repositories.billing import (
    PostgresBillingEventRepository,
    PostgresCreditLedger,
    PostgresSubscriptionRepository,
)
from rabbit_postgres.repositories.brands import (
    PostgresBrandAccountLinkRepository,
    PostgresBrandRepository,
    PostgresExternalSourceRepository,
)
from rabbit_postgres.repositories.content import (
    PostgresPendingPostRepository,
    PostgresPostMetricRepository,
    PostgresPostRepository,
    PostgresPublishAttemptRepository,
)
from rabbit_postgres.repositories.embeddings import PostgresEmbeddingRepository
from rabbit_postgres.repositories.identity import (
    PostgresMemberRepository,
    PostgresOrganizationRepository,
    PostgresUserRepository,
)
from rabbit_postgres.repositories.keys import PostgresTokenKeyRepository
from rabbit_postgres.repositories.materials import PostgresMaterialRepository
from rabbit_postgres.repositories.scheduling import PostgresScheduleRepository
from rabbit_postgres.repositories.social import PostgresSocialAccountRepository
from rabbit_postgres.session import PostgresSession, SessionState


class PostgresUnitOfWork:
    """``async with uow: ...; await uow.commit()`` on one pooled connection."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._session = session = PostgresSession(engine)
        self.users: UserRepository = PostgresUserRepository(session)
        self.organizations: OrganizationRepository = PostgresOrganizationRepository(session)
        self.members: MemberRepository = PostgresMemberRepository(session)
        self.subscriptions: SubscriptionRepository = PostgresSubscriptionRepository(session)
        self.ledger: CreditLedger = PostgresCreditLedger(session)
        self.billing_events: BillingEventRepository = PostgresBillingEventRepository(session)
        self.brands: BrandRepository = PostgresBrandRepository(session)
        self.social_accounts: SocialAccountRepository = PostgresSocialAccountRepository(session)
        self.brand_accounts: BrandAccountLinkRepository = PostgresBrandAccountLinkRepository(
            session
        )
        self.schedules: ScheduleRepository = PostgresScheduleRepository(session)
        self.materials: MaterialRepository = PostgresMaterialRepository(session)
        self.external_sources: ExternalSourceRepository = PostgresExternalSourceRepository(session)
        self.pending_posts: PendingPostRepository = PostgresPendingPostRepository(session)
        self.posts: PostRepository = PostgresPostRepository(session)
        self.post_metrics: PostMetricRepository = PostgresPostMetricRepository(session)
        self.publish_attempts: PublishAttemptRepository = PostgresPublishAttemptRepository(session)
        self.embeddings: EmbeddingRepository = PostgresEmbeddingRepository(session)
        self.token_keys: TokenKeyRepository = PostgresTokenKeyRepository(session)

    async def __aenter__(self) -> Self:
        if self._session.state is not SessionState.NEW:
            raise RuntimeError("a unit of work is used once")
        await self._session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._session.close()

    async def commit(self) -> None:
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()


class PostgresUnitOfWorkFactory:
    """A :class:`UnitOfWorkFactory` over one engine (its pool is shared, never a UoW)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(self.engine)


if TYPE_CHECKING:  # mypy proves the structural fit to the ports
    _uow: UnitOfWork = PostgresUnitOfWork(engine=...)  # type: ignore[arg-type]
    _factory: UnitOfWorkFactory = PostgresUnitOfWorkFactory(engine=...)  # type: ignore[arg-type]
