"""Links between brands and social accounts (N:M), and which account publishes for a brand
(:mod:`.publishing_accounts`).

Linking again updates ``is_default`` (an upsert). Making an account the default of a brand
for its platform first clears the previous default of that (brand, platform) and then sets
the new one, in that order inside one unit of work, so the partial unique index "one
default per (brand, platform)" is never violated, not even between two statements.
Unlinking removes the link only. Queries skip soft-deleted brands and accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from rabbit.application.authorization import authorize
from rabbit.application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases._lookups import existing_account, existing_brand
from rabbit.application.use_cases.publishing_accounts import find_publishing_account
from rabbit.domain.enums import SocialPlatform
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import BrandProfile, BrandProfileAccount, SocialAccount
from rabbit.domain.policies.permissions import Permission


class LinkAccount(Command):
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class LinkedAccount:
    account: SocialAccount
    is_default: bool


@dataclass(frozen=True, slots=True)
class LinkedBrand:
    brand: BrandProfile
    is_default: bool


class Links(UseCases):
    """Link, unlink and list (MANAGE_BRANDS to change, VIEW_ANALYTICS to read)."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def link_account(
        self,
        actor_id: str,
        organization_id: str,
        brand_id: str,
        account_id: str,
        command: LinkAccount,
    ) -> BrandProfileAccount:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            # the brand's row locks its set of links: one default per platform (ADR 0012)
            await existing_brand(uow, organization_id, brand_id, for_update=True)
            account = await existing_account(uow, organization_id, account_id)
            if command.is_default:
                await _clear_default(uow, organization_id, brand_id, account)
            link = await uow.brand_accounts.get(
                organization_id, brand_id, account_id, for_update=True
            )
            if link is None:
                link = BrandProfileAccount.linked(
                    id=self._ids.new_id(),
                    brand_profile_id=brand_id,
                    account=account,
                    is_default=command.is_default,
                    now=self._clock.now(),
                )
                await uow.brand_accounts.add(link)
            else:
                link.set_default(command.is_default)
                await uow.brand_accounts.update(link)
            await uow.commit()
        return link

    async def unlink_account(
        self, actor_id: str, organization_id: str, brand_id: str, account_id: str
    ) -> None:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            if not await uow.brand_accounts.remove(organization_id, brand_id, account_id):
                raise NotFoundError("brand_profile_account", f"{brand_id}/{account_id}")
            await uow.commit()

    async def brand_accounts(
        self, actor_id: str, organization_id: str, brand_id: str
    ) -> list[LinkedAccount]:
        """The brand's live accounts, by link creation, with their is_default flag."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            await existing_brand(uow, organization_id, brand_id)
            result = []
            for link in await uow.brand_accounts.list_for_brand(organization_id, brand_id):
                account = await uow.social_accounts.get(organization_id, link.social_account_id)
                if account is not None:
                    result.append(LinkedAccount(account, link.is_default))
            return result

    async def account_brands(
        self, actor_id: str, organization_id: str, account_id: str
    ) -> list[LinkedBrand]:
        """The account's live brands, by link creation, with the is_default flag."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            await existing_account(uow, organization_id, account_id)
            result = []
            for link in await uow.brand_accounts.list_for_account(organization_id, account_id):
                brand = await uow.brands.get(organization_id, link.brand_profile_id)
                if brand is not None:
                    result.append(LinkedBrand(brand, link.is_default))
            return result

    async def publishing_account(
        self, actor_id: str, organization_id: str, brand_id: str, platform: SocialPlatform
    ) -> SocialAccount | None:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            await existing_brand(uow, organization_id, brand_id)
            return await find_publishing_account(uow, organization_id, brand_id, platform)


async def _clear_default(
    uow: UnitOfWork, organization_id: str, brand_id: str, account: SocialAccount
) -> None:
    links = await uow.brand_accounts.list_for_brand(organization_id, brand_id, for_update=True)
    for link in links:
        is_other = link.social_account_id != account.id
        if link.is_default and link.platform == account.platform and is_other:
            link.set_default(False)
            await uow.brand_accounts.update(link)
