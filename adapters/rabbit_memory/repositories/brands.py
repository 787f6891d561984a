"""Brand profiles, their links to social accounts, and external sources."""

from __future__ import annotations

from datetime import datetime

from rabbit.domain.model import BrandProfile, BrandProfileAccount, ExternalSource
from rabbit_memory.repositories._ordering import by_created, purged_before
from rabbit_memory.session import Session, Table


class MemoryBrandRepository:
    def __init__(self, session: Session) -> None:
        self._brands: Table[BrandProfile] = Table(session, "brand_profiles")

    async def add(self, brand: BrandProfile) -> None:
        self._brands.insert(brand)

    async def get(
        self,
        organization_id: str,
        brand_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> BrandProfile | None:
        brand = self._brands.get(brand_id)
        if brand is None or brand.organization_id != organization_id:
            return None
        if brand.deleted_at is not None and not include_deleted:
            return None
        return self._brands.locked(brand, for_update)

    async def find(
        self, organization_id: str, *, include_deleted: bool = False
    ) -> list[BrandProfile]:
        return self._brands.select(
            lambda b: (
                b.organization_id == organization_id and (include_deleted or b.deleted_at is None)
            ),
            order=by_created,
        )

    async def update(self, brand: BrandProfile) -> None:
        self._brands.replace(brand)

    async def delete_purged(self, organization_id: str, before: datetime) -> int:
        return self._brands.delete(
            self._brands.ids(
                lambda b: (
                    b.organization_id == organization_id and purged_before(b.deleted_at, before)
                )
            )
        )


class MemoryBrandAccountLinkRepository:
    def __init__(self, session: Session) -> None:
        self._links: Table[BrandProfileAccount] = Table(session, "brand_profile_accounts")

    async def add(self, link: BrandProfileAccount) -> None:
        self._links.insert(link)

    async def get(
        self, organization_id: str, brand_id: str, account_id: str, *, for_update: bool = False
    ) -> BrandProfileAccount | None:
        link = self._links.first(
            lambda link: (
                link.organization_id == organization_id
                and link.brand_profile_id == brand_id
                and link.social_account_id == account_id
            )
        )
        return self._links.locked(link, for_update)

    async def update(self, link: BrandProfileAccount) -> None:
        self._links.replace(link)

    async def remove(self, organization_id: str, brand_id: str, account_id: str) -> bool:
        ids = self._links.ids(
            lambda link: (
                link.organization_id == organization_id
                and link.brand_profile_id == brand_id
                and link.social_account_id == account_id
            )
        )
        return self._links.delete(ids) > 0

    async def list_for_brand(
        self, organization_id: str, brand_id: str, *, for_update: bool = False
    ) -> list[BrandProfileAccount]:
        links = self._links.select(
            lambda link: (
                link.organization_id == organization_id and link.brand_profile_id == brand_id
            ),
            order=by_created,
        )
        return self._links.all_locked(links, for_update)

    async def list_for_account(
        self, organization_id: str, account_id: str
    ) -> list[BrandProfileAccount]:
        return self._links.select(
            lambda link: (
                link.organization_id == organization_id and link.social_account_id == account_id
            ),
            order=by_created,
        )


class MemoryExternalSourceRepository:
    def __init__(self, session: Session) -> None:
        self._sources: Table[ExternalSource] = Table(session, "external_sources")

    async def add(self, source: ExternalSource) -> None:
        self._sources.insert(source)

    async def get(
        self, organization_id: str, source_id: str, *, for_update: bool = False
    ) -> ExternalSource | None:
        source = self._sources.get(source_id)
        if source is None or source.organization_id != organization_id:
            return None
        return self._sources.locked(source, for_update)

    async def find(
        self, organization_id: str, *, brand_id: str | None = None
    ) -> list[ExternalSource]:
        return self._sources.select(
            lambda s: (
                s.organization_id == organization_id
                and (brand_id is None or s.brand_profile_id == brand_id)
            ),
            order=by_created,
        )

    async def list_all(self, *, for_update: bool = False) -> list[ExternalSource]:
        return self._sources.all_locked(self._sources.select(lambda s: True), for_update)

    async def update(self, source: ExternalSource) -> None:
        self._sources.replace(source)
