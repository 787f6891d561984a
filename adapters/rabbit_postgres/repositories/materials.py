"""Materials."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rabbit.application.ports.repositories import Keyset, ascii_folded
from rabbit.domain.enums import MaterialStatus
from rabbit.domain.model import Material
from rabbit_postgres.mapping import MATERIALS
from rabbit_postgres.repositories._pages import Filters, keyset_page
from rabbit_postgres.schema import materials
from rabbit_postgres.session import (
    Condition,
    PostgresSession,
    ascending,
    eq,
    in_array,
    one_of,
    purged_before,
)

_m = materials.c

#: The optional filters of a page of materials (ADR 0028). The name search is ``strpos`` on
#: the name lowered under ``COLLATE "C"`` (A–Z only, whatever the locale), the needle folded
#: the same way by the caller (:func:`ascii_folded`): no ``LIKE`` pattern to escape.
_PAGE_FILTERS: Filters = {
    "brand_id": lambda: _m.brand_profile_id == sa.bindparam("brand_id", type_=_m.id.type),
    "statuses": lambda: in_array(
        _m.status, sa.bindparam("statuses", type_=pg.ARRAY(_m.status.type))
    ),
    "name_contains": lambda: (
        sa.func.strpos(sa.func.lower(sa.collate(_m.name, "C")), sa.bindparam("name_contains")) > 0
    ),
}


def _live() -> sa.ColumnElement[bool]:
    return _m.deleted_at.is_(None)


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

    async def page(
        self,
        organization_id: str,
        *,
        after: Keyset | None,
        limit: int,
        brand_id: str | None = None,
        statuses: Sequence[MaterialStatus] | None = None,
        name_contains: str | None = None,
    ) -> list[Material]:
        values = {
            "organization": organization_id,
            "brand_id": brand_id,
            "statuses": None if statuses is None else list(statuses),
            "name_contains": None if name_contains is None else ascii_folded(name_contains),
        }
        return await keyset_page(
            self._session,
            MATERIALS,
            _m.created_at,
            _PAGE_FILTERS,
            (_live,),
            values,
            after,
            limit,
            newest=True,
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
