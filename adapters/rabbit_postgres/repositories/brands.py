"""Brand profiles, their links to social accounts, and external sources."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from rabbit.domain.model import BrandProfile, BrandProfileAccount, ExternalSource
from rabbit_postgres.mapping import BRANDS, EXTERNAL_SOURCES, LINKS
from rabbit_postgres.schema import brand_profile_accounts, brand_profiles, external_sources
from rabbit_postgres.session import Condition, PostgresSession, ascending, eq, purged_before


class PostgresBrandRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, brand: BrandProfile) -> None:
        await self._session.insert(BRANDS, brand)

    async def get(
        self,
        organization_id: str,
        brand_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> BrandProfile | None:
        return await self._session.one_where(
            BRANDS,
            eq(brand_profiles.c.organization_id, organization_id),
            eq(brand_profiles.c.id, brand_id),
            live=not include_deleted,
            for_update=for_update,
        )

    async def find(
        self, organization_id: str, *, include_deleted: bool = False
    ) -> list[BrandProfile]:
        return await self._session.many_where(
            BRANDS,
            eq(brand_profiles.c.organization_id, organization_id),
            live=not include_deleted,
            order_by=(ascending(brand_profiles.c.created_at),),
        )

    async def update(self, brand: BrandProfile) -> None:
        await self._session.replace(BRANDS, brand)

    async def delete_purged(self, organization_id: str, before: datetime) -> int:
        return await self._session.delete(
            brand_profiles,
            brand_profiles.c.organization_id == organization_id,
            purged_before(brand_profiles, before),
        )


class PostgresBrandAccountLinkRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    @staticmethod
    def _link(organization_id: str, brand_id: str, account_id: str) -> list[sa.ColumnElement[bool]]:
        return [
            brand_profile_accounts.c.organization_id == organization_id,
            brand_profile_accounts.c.brand_profile_id == brand_id,
            brand_profile_accounts.c.social_account_id == account_id,
        ]

    async def add(self, link: BrandProfileAccount) -> None:
        await self._session.insert(LINKS, link)

    async def get(
        self, organization_id: str, brand_id: str, account_id: str, *, for_update: bool = False
    ) -> BrandProfileAccount | None:
        return await self._session.one_where(
            LINKS,
            eq(brand_profile_accounts.c.organization_id, organization_id),
            eq(brand_profile_accounts.c.brand_profile_id, brand_id),
            eq(brand_profile_accounts.c.social_account_id, account_id),
            for_update=for_update,
        )

    async def update(self, link: BrandProfileAccount) -> None:
        await self._session.replace(LINKS, link)

    async def remove(self, organization_id: str, brand_id: str, account_id: str) -> bool:
        removed = await self._session.delete(
            brand_profile_accounts, *self._link(organization_id, brand_id, account_id)
        )
        return removed > 0

    async def list_for_brand(
        self, organization_id: str, brand_id: str, *, for_update: bool = False
    ) -> list[BrandProfileAccount]:
        return await self._session.many_where(
            LINKS,
            eq(brand_profile_accounts.c.organization_id, organization_id),
            eq(brand_profile_accounts.c.brand_profile_id, brand_id),
            order_by=(ascending(brand_profile_accounts.c.created_at),),
            for_update=for_update,
        )

    async def list_for_account(
        self, organization_id: str, account_id: str
    ) -> list[BrandProfileAccount]:
        return await self._session.many_where(
            LINKS,
            eq(brand_profile_accounts.c.organization_id, organization_id),
            eq(brand_profile_accounts.c.social_account_id, account_id),
            order_by=(ascending(brand_profile_accounts.c.created_at),),
        )


class PostgresExternalSourceRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, source: ExternalSource) -> None:
        await self._session.insert(EXTERNAL_SOURCES, source)

    async def get(
        self, organization_id: str, source_id: str, *, for_update: bool = False
    ) -> ExternalSource | None:
        return await self._session.one_where(
            EXTERNAL_SOURCES,
            eq(external_sources.c.organization_id, organization_id),
            eq(external_sources.c.id, source_id),
            for_update=for_update,
        )

    async def find(
        self, organization_id: str, *, brand_id: str | None = None
    ) -> list[ExternalSource]:
        where: list[Condition] = [eq(external_sources.c.organization_id, organization_id)]
        if brand_id is not None:
            where.append(eq(external_sources.c.brand_profile_id, brand_id))
        return await self._session.many_where(
            EXTERNAL_SOURCES, *where, order_by=(ascending(external_sources.c.created_at),)
        )

    async def list_all(self, *, for_update: bool = False) -> list[ExternalSource]:
        return await self._session.many(EXTERNAL_SOURCES, for_update=for_update)

    async def update(self, source: ExternalSource) -> None:
        await self._session.replace(EXTERNAL_SOURCES, source)
