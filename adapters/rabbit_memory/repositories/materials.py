"""Materials."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from rabbit.application.ports.repositories import Keyset, ascii_folded
from rabbit.domain.enums import MaterialStatus
from rabbit.domain.model import Material
from rabbit_memory.repositories._ordering import by_created, newest_page, purged_before
from rabbit_memory.session import Session, Table


class MemoryMaterialRepository:
    def __init__(self, session: Session) -> None:
        self._materials: Table[Material] = Table(session, "materials")

    async def add(self, material: Material) -> None:
        self._materials.insert(material)

    async def get(
        self,
        organization_id: str,
        material_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> Material | None:
        material = self._materials.get(material_id)
        if material is None or material.organization_id != organization_id:
            return None
        if material.deleted_at is not None and not include_deleted:
            return None
        return self._materials.locked(material, for_update)

    async def find(
        self,
        organization_id: str,
        *,
        brand_id: str | None = None,
        statuses: Sequence[MaterialStatus] | None = None,
        include_deleted: bool = False,
        ids: Collection[str] | None = None,
    ) -> list[Material]:
        wanted = None if statuses is None else frozenset(statuses)
        chosen = None if ids is None else frozenset(ids)
        return self._materials.select(
            lambda m: (
                m.organization_id == organization_id
                and (brand_id is None or m.brand_profile_id == brand_id)
                and (wanted is None or m.status in wanted)
                and (include_deleted or m.deleted_at is None)
                and (chosen is None or m.id in chosen)
            ),
            order=by_created,
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
        wanted = None if statuses is None else frozenset(statuses)
        needle = None if name_contains is None else ascii_folded(name_contains)
        found = self._materials.select(
            lambda m: (
                m.organization_id == organization_id
                and m.deleted_at is None
                and (brand_id is None or m.brand_profile_id == brand_id)
                and (wanted is None or m.status in wanted)
                and (needle is None or (m.name is not None and needle in ascii_folded(m.name)))
            )
        )
        return newest_page(found, lambda m: (m.created_at, m.id), after, limit)

    async def count(
        self, organization_id: str, *, statuses: Sequence[MaterialStatus] | None = None
    ) -> int:
        """Live materials (not deleted) of the organisation, of those statuses if given."""
        wanted = None if statuses is None else frozenset(statuses)
        return self._materials.count(
            lambda m: (
                m.organization_id == organization_id
                and m.deleted_at is None
                and (wanted is None or m.status in wanted)
            )
        )

    async def update(self, material: Material) -> None:
        self._materials.replace(material)

    async def delete_purged(self, organization_id: str, before: datetime) -> int:
        return self._materials.delete(
            self._materials.ids(
                lambda m: (
                    m.organization_id == organization_id and purged_before(m.deleted_at, before)
                )
            )
        )
