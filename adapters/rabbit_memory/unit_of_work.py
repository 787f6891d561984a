"""The in-memory unit of work: serialised by the database lock, writes staged until commit.

See docs/adr/0005: holding one lock from ``__aenter__`` to ``__aexit__`` gives the same
observable outcomes as the Postgres row locks (no overdraft, each due slot claimed once).
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

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
from rabbit.application.ports.unit_of_work import UnitOfWorkFactory
from rabbit_memory.database import MemoryDatabase
from rabbit_memory.repositories.billing import (
    MemoryBillingEventRepository,
    MemoryCreditLedger,
    MemorySubscriptionRepository,
)
from rabbit_memory.repositories.brands import (
    MemoryBrandAccountLinkRepository,
    MemoryBrandRepository,
    MemoryExternalSourceRepository,
)
from rabbit_memory.repositories.content import (
    MemoryPendingPostRepository,
    MemoryPostMetricRepository,
    MemoryPostRepository,
    MemoryPublishAttemptRepository,
)
from rabbit_memory.repositories.embeddings import MemoryEmbeddingRepository
from rabbit_memory.repositories.identity import (
    MemoryMemberRepository,
    MemoryOrganizationRepository,
    MemoryUserRepository,
)
from rabbit_memory.repositories.keys import MemoryTokenKeyRepository
from rabbit_memory.repositories.materials import MemoryMaterialRepository
from rabbit_memory.repositories.scheduling import MemoryScheduleRepository
from rabbit_memory.repositories.social import MemorySocialAccountRepository
from rabbit_memory.session import Session, SessionState


class MemoryUnitOfWork:
    """``async with uow: ...; await uow.commit()`` over a :class:`MemoryDatabase`.

    Used once: after commit or rollback every repository call, a second commit and a second
    ``async with`` raise RuntimeError.
    """

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database
        self._session = Session(database)
        self._holds_lock = False
        session = self._session
        self.users: UserRepository = MemoryUserRepository(session)
        self.organizations: OrganizationRepository = MemoryOrganizationRepository(session)
        self.members: MemberRepository = MemoryMemberRepository(session)
        self.subscriptions: SubscriptionRepository = MemorySubscriptionRepository(session)
        self.ledger: CreditLedger = MemoryCreditLedger(session)
        self.billing_events: BillingEventRepository = MemoryBillingEventRepository(session)
        self.brands: BrandRepository = MemoryBrandRepository(session)
        self.social_accounts: SocialAccountRepository = MemorySocialAccountRepository(session)
        self.brand_accounts: BrandAccountLinkRepository = MemoryBrandAccountLinkRepository(session)
        self.schedules: ScheduleRepository = MemoryScheduleRepository(session)
        self.materials: MaterialRepository = MemoryMaterialRepository(session)
        self.external_sources: ExternalSourceRepository = MemoryExternalSourceRepository(session)
        self.pending_posts: PendingPostRepository = MemoryPendingPostRepository(session)
        self.posts: PostRepository = MemoryPostRepository(session)
        self.post_metrics: PostMetricRepository = MemoryPostMetricRepository(session)
        self.publish_attempts: PublishAttemptRepository = MemoryPublishAttemptRepository(session)
        self.embeddings: EmbeddingRepository = MemoryEmbeddingRepository(session)
        self.token_keys: TokenKeyRepository = MemoryTokenKeyRepository(session)

    async def __aenter__(self) -> Self:
        if self._session.state is not SessionState.NEW:
            raise RuntimeError("a unit of work is used once")
        await self._database.lock.acquire()
        self._holds_lock = True
        self._session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._session.state is SessionState.ACTIVE:
                self._session.discard()
        finally:
            if self._holds_lock:
                self._holds_lock = False
                self._database.lock.release()

    async def commit(self) -> None:
        self._session.commit()

    async def rollback(self) -> None:
        self._session.discard()


class MemoryUnitOfWorkFactory:
    """A :class:`UnitOfWorkFactory` over one shared database."""

    def __init__(self, database: MemoryDatabase | None = None) -> None:
        self.database = database if database is not None else MemoryDatabase()

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.database)


if TYPE_CHECKING:  # mypy proves the structural fit to the ports
    _factory: UnitOfWorkFactory = MemoryUnitOfWorkFactory()
