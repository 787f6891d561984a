"""The unit of work port: one transaction, with every repository inside it."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

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


class UnlockedWriteError(RuntimeError):
    """An ``update`` of a row this unit of work does not hold (ADR 0012): the caller read it
    without ``for_update``, so a concurrent commit to it could be lost. A bug in the core,
    never a user's error; both stores raise it, so the memory-store tests catch it."""

    def __init__(self, table: str, row_id: str) -> None:
        super().__init__(
            f"update of {table} row {row_id!r} that this unit of work did not lock: "
            "load it with for_update=True first"
        )
        self.table = table
        self.row_id = row_id


class UnitOfWork(Protocol):
    """``async with uow: ...; await uow.commit()``.

    Leaving the block without ``commit`` (normally or by an exception) rolls back every
    write made through its repositories. ``commit`` may raise :class:`ConflictError` when a
    uniqueness rule is violated at that point. A unit of work is used once.
    """

    users: UserRepository
    organizations: OrganizationRepository
    members: MemberRepository
    subscriptions: SubscriptionRepository
    ledger: CreditLedger
    billing_events: BillingEventRepository
    brands: BrandRepository
    social_accounts: SocialAccountRepository
    brand_accounts: BrandAccountLinkRepository
    schedules: ScheduleRepository
    materials: MaterialRepository
    external_sources: ExternalSourceRepository
    pending_posts: PendingPostRepository
    posts: PostRepository
    post_metrics: PostMetricRepository
    publish_attempts: PublishAttemptRepository
    embeddings: EmbeddingRepository
    token_keys: TokenKeyRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork:
        """A fresh unit of work (never shared between use-case calls)."""
        ...
