"""The use cases wired over a ``Ports`` bundle, plus helpers that set up organisations.

Tests drive everything through the use cases themselves (no seeding behind their back),
so the same tests hold for any store the ``ports`` factory is built on. ``build_app`` is
the one place the local adapters are wired for tests and benchmarks (bench/_support.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rabbit.application.context import CoreConfig, Ports
from rabbit.application.facade import Rabbit
from rabbit.application.ports import TokenCipher, UnitOfWorkFactory
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.billing import Billing, ChangeTier, Payments
from rabbit.application.use_cases.brands import Brands, CreateBrand
from rabbit.application.use_cases.external_sources import ExternalSources
from rabbit.application.use_cases.key_rotation import KeyRotation
from rabbit.application.use_cases.links import Links
from rabbit.application.use_cases.organizations import (
    CreateOrganization,
    InviteMember,
    Organizations,
    RegisterUser,
)
from rabbit.application.use_cases.purge import Purge
from rabbit.application.use_cases.social_accounts import (
    AccountTokens,
    ConnectAccount,
    SocialAccounts,
)
from rabbit.domain.enums import MemberRole, SocialPlatform, SubscriptionTier
from rabbit.domain.model import SocialAccount, Subscription
from rabbit_local.cipher import AesGcmTokenCipher
from rabbit_local.clock import FakeClock
from rabbit_local.embedder import HashingEmbedder
from rabbit_local.generator import TemplateContentGenerator
from rabbit_local.ids import SequentialIds
from rabbit_local.notifier import LoggingNotifier
from rabbit_local.publisher import RecordingPublisher
from rabbit_local.random import SeededRandom

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""The fake clock's first instant (a Monday)."""

KEYS = {"k1": bytes(range(32)), "k2": bytes(range(32, 64))}


def cipher(current: str = "k1") -> AesGcmTokenCipher:
    """The test cipher: both keys known, ``current`` encrypts."""
    return AesGcmTokenCipher(KEYS, current)


@dataclass
class App:
    ports: Ports
    clock: FakeClock
    organizations: Organizations = field(init=False)
    billing: Billing = field(init=False)
    brands: Brands = field(init=False)
    social_accounts: SocialAccounts = field(init=False)
    links: Links = field(init=False)
    external_sources: ExternalSources = field(init=False)
    rabbit: Rabbit = field(init=False)
    system: RabbitSystem = field(init=False)
    payments: Payments = field(init=False)
    account_tokens: AccountTokens = field(init=False)
    rotation: KeyRotation = field(init=False)
    purger: Purge = field(init=False)
    _users: int = 0
    _references: int = 0

    def __post_init__(self) -> None:
        # the facades: members' (an application holds it) and the system's (workers and
        # payment webhooks hold it, ADR 0018); aliases below
        rabbit = self.rabbit = Rabbit(self.ports)
        system = self.system = RabbitSystem(self.ports)
        self.organizations = rabbit.organizations
        self.billing = rabbit.billing
        self.brands = rabbit.brands
        self.social_accounts = rabbit.social_accounts
        self.links = rabbit.links
        self.external_sources = rabbit.external_sources
        self.payments = system.payments
        self.account_tokens = system.account_tokens
        self.rotation = system.key_rotation
        self.purger = system.purge

    def with_cipher(self, cipher: TokenCipher) -> App:
        """The same store and clock, another cipher (key rotation)."""
        return App(dataclasses.replace(self.ports, cipher=cipher), self.clock)

    def reference(self, kind: str = "evt") -> str:
        """A payment provider's reference not used before (an event id)."""
        self._references += 1
        return f"{kind}_{self._references:06d}"

    async def set_tier(self, organization_id: str, tier: SubscriptionTier) -> Subscription:
        """The payment provider reports a tier change (a new reference)."""
        return await self.payments.change_tier(
            organization_id, ChangeTier(tier=tier), self.reference("tier")
        )

    async def top_up(self, organization_id: str) -> Subscription:
        """The payment provider reports a top-up purchase (a new reference)."""
        return await self.payments.top_up(organization_id, self.reference("topup"))

    async def renew(self, organization_id: str) -> Subscription:
        """The payment provider reports a paid renewal invoice (a new reference)."""
        return await self.payments.renew_period(organization_id, self.reference("in"))

    def tick(self, seconds: int = 1) -> None:
        self.clock.advance(timedelta(seconds=seconds))

    async def user(self, name: str = "user") -> str:
        self._users += 1
        user = await self.organizations.register_user(
            RegisterUser(email=f"{name}{self._users}@example.com", name=name)
        )
        return user.id

    async def organization(self, slug: str = "acme") -> tuple[str, str]:
        """A new organisation and its owner's id."""
        owner = await self.user("owner")
        org = await self.organizations.create_organization(
            owner, CreateOrganization(name=slug.title(), slug=slug)
        )
        return org.id, owner

    async def member(self, organization_id: str, owner_id: str, role: MemberRole) -> str:
        """A user who joined ``organization_id`` with ``role``."""
        user_id = await self.user(role.lower())
        await self.organizations.invite_member(
            owner_id, organization_id, InviteMember(user_id=user_id, role=role)
        )
        await self.organizations.accept_invitation(user_id, organization_id)
        return user_id

    async def brand(self, organization_id: str, actor_id: str, name: str = "Brand") -> str:
        brand = await self.brands.create_brand(actor_id, organization_id, CreateBrand(name=name))
        return brand.id

    @property
    def platform(self) -> RecordingPublisher:
        """The fake platform behind the publisher port (it issues and checks tokens)."""
        publisher = self.ports.publisher
        assert isinstance(publisher, RecordingPublisher)
        return publisher

    async def account(
        self,
        organization_id: str,
        actor_id: str,
        platform: SocialPlatform = SocialPlatform.TWITTER,
        account_id: str = "tw-1",
        access_token: str | None = None,
    ) -> SocialAccount:
        """Connect ``account_id`` with a token the platform issued for it (``access_token``
        when given, else a new one)."""
        token = self.platform.issue_token(platform, account_id, access_token)
        return await self.social_accounts.connect_account(
            actor_id,
            organization_id,
            ConnectAccount(
                platform=platform,
                account_id=account_id,
                account_name=f"@{account_id}",
                access_token=token,
                refresh_token=f"refresh-of-{token}",
            ),
        )


def build_app(uow: UnitOfWorkFactory, *, clock: FakeClock | None = None, **ports: Any) -> App:
    """The use cases over the store ``uow`` with the local adapters: a fake clock at START,
    sequential ids, a seeded random source, the test cipher, the hashing embedder, the
    template generator, a fresh recording publisher, the logging notifier and the default
    config. ``ports`` replaces any of them by name (``config=``, ``publisher=``, …)."""
    clock = clock or FakeClock(START)
    local = Ports(
        uow=uow,
        clock=clock,
        ids=SequentialIds(),
        random=SeededRandom(7),
        cipher=cipher(),
        embedder=HashingEmbedder(),
        generator=TemplateContentGenerator(),
        publisher=RecordingPublisher(),
        notifier=LoggingNotifier(),
        config=CoreConfig(),
    )
    return App(dataclasses.replace(local, **ports), clock)
