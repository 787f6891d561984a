"""Materials."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from rabbit.domain.enums import MaterialStatus
from rabbit.domain.model import Material
from rabbit_postgres.mapping import MATERIALS
from rabbit_postgres.schema import materials
from rabbit_postgres.session import Condition, PostgresSession, ascending, eq, one_of, purged_before


class PostgresMaterialRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, material: Material) -> None:
        await self._session.insert(MATERIALS, material)

    async def get(
        self,
        organization_id: str,
        material_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> Material | None:
        return await self._session.one_where(
            MATERIALS,
            eq(materials.c.organization_id, organization_id),
            eq(materials.c.id, material_id),
            live=not include_deleted,
            for_update=for_update,
        )

    async def find(
        self,
        organization_id: str,
        *,
        brand_id: str | None = None,
        statuses: Sequence[MaterialStatus] | None = None,
        include_deleted: bool = False,
        ids: Collection[str] | None = None,
    ) -> list[Material]:
        where: list[Condition] = [eq(materials.c.organization_id, organization_id)]
        if statuses is not None:
            where.append(one_of(materials.c.status, statuses))
        if brand_id is not None:
            where.append(eq(materials.c.brand_profile_id, brand_id))
        if ids is not None:
            where.append(one_of(materials.c.id, sorted(ids)))
        return await self._session.many_where(
            MATERIALS,
            *where,
            live=not include_deleted,
            order_by=(ascending(materials.c.created_at),),
        )

    async def count(
        self, organization_id: str, *, statuses: Sequence[MaterialStatus] | None = None
    ) -> int:
        """Live materials (not deleted) of the organisation, of those statuses if given."""
        where: list[Condition] = [eq(materials.c.organization_id, organization_id)]
        if statuses is not None:
            where.append(one_of(materials.c.status, statuses))
        return await self._session.count_where(MATERIALS, *where, live=True)

    async def update(self, material: Material) -> None:
        await self._session.replace(MATERIALS, material)

    async def delete_purged(self, organization_id: str, before: datetime) -> int:
        return await self._session.delete(
            materials,
            materials.c.organization_id == organization_id,
            purged_before(materials, before),
        )
