"""The use cases wired over a ``Ports`` bundle, plus helpers that set up organisations.

Tests drive everything through the use cases themselves (no seeding behind their back),
so the same tests hold for any store the ``ports`` factory is built on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import timedelta

from rabbit.application.context import Ports
from rabbit.application.facade import Rabbit
from rabbit.application.ports import TokenCipher
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.billing import Billing, Payments
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
from rabbit.domain.enums import MemberRole, SocialPlatform
from rabbit.domain.model import SocialAccount
from rabbit_local.clock import FakeClock


@dataclass
class App:
    ports: Ports
    clock: FakeClock
    organizations: Organizations = field(init=False)
    billing: Billing = field(init=False)
    brands: Brands = field(init=False)
    accounts: SocialAccounts = field(init=False)
    links: Links = field(init=False)
    sources: ExternalSources = field(init=False)
    rabbit: Rabbit = field(init=False)
    system: RabbitSystem = field(init=False)
    payments: Payments = field(init=False)
    tokens: AccountTokens = field(init=False)
    rotation: KeyRotation = field(init=False)
    purger: Purge = field(init=False)
    _users: int = 0

    def __post_init__(self) -> None:
        # the facades: members' (an application holds it) and the system's (workers and
        # payment webhooks hold it, ADR 0018); aliases below
        rabbit = self.rabbit = Rabbit(self.ports)
        system = self.system = RabbitSystem(self.ports)
        self.organizations = rabbit.organizations
        self.billing = rabbit.billing
        self.brands = rabbit.brands
        self.accounts = rabbit.accounts
        self.links = rabbit.links
        self.sources = rabbit.sources
        self.payments = system.payments
        self.tokens = system.tokens
        self.rotation = system.key_rotation
        self.purger = system.purge

    def with_cipher(self, cipher: TokenCipher) -> App:
        """The same store and clock, another cipher (key rotation)."""
        return App(dataclasses.replace(self.ports, cipher=cipher), self.clock)

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

    async def account(
        self,
        organization_id: str,
        actor_id: str,
        platform: SocialPlatform = SocialPlatform.TWITTER,
        account_id: str = "tw-1",
        access_token: str = "plain-access-token",
    ) -> SocialAccount:
        return await self.accounts.connect_account(
            actor_id,
            organization_id,
            ConnectAccount(
                platform=platform,
                account_id=account_id,
                account_name=f"@{account_id}",
                access_token=access_token,
                refresh_token=f"refresh-of-{access_token}",
            ),
        )
