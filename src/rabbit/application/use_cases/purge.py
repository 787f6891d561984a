"""Purge (GDPR): hard-delete rows soft-deleted longer ago than the retention period.

One unit of work, all or nothing, in the order of ADR 0008: organisations due go whole;
in every other organisation dependants first (posts, brands' pending posts, materials,
social accounts, then the brands); then users. A due row that a surviving row still
references waits (:mod:`rabbit.domain.policies.purging`), so no live row is deleted and
nothing is left pointing at a deleted one. ``organization_ids`` scopes a run (deleted
organisations due and deleted users are always swept).
The rules: docs/behaviour.md#soft-delete-and-purge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rabbit.application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from rabbit.application.use_cases._arguments import UseCases
from rabbit.domain.enums import ContentType
from rabbit.domain.policies.purging import is_due, purge_before


@dataclass(frozen=True, slots=True)
class PurgeReport:
    organizations: int = 0
    users: int = 0
    posts: int = 0
    pending_posts: int = 0
    materials: int = 0
    social_accounts: int = 0
    brands: int = 0


class Purge(UseCases):
    """A system job (no actor)."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, purge_retention: timedelta) -> None:
        self._uow = uow
        self._clock = clock
        self._purge_retention = purge_retention

    async def purge(self, organization_ids: Iterable[str] | None = None) -> PurgeReport:
        """Purge every organisation, or only ``organization_ids`` when given."""
        cutoff = self._clock.now() - self._purge_retention
        kinds = ("posts", "pending_posts", "materials", "social_accounts", "brands")
        counts = dict.fromkeys(kinds, 0)
        async with self._uow() as uow:
            doomed = await uow.organizations.list_purgeable(cutoff)
            for organization in doomed:
                await uow.organizations.delete(organization.id)
            gone = {organization.id for organization in doomed}
            if organization_ids is None:
                organization_ids = await uow.organizations.list_ids(include_deleted=True)
            for organization_id in sorted(set(organization_ids) - gone):
                for kind, removed in (await self._tenant(uow, organization_id, cutoff)).items():
                    counts[kind] += removed
            users = await uow.users.delete_purged(cutoff)
            await uow.commit()
        return PurgeReport(organizations=len(doomed), users=users, **counts)

    async def _tenant(self, uow: UnitOfWork, org: str, cutoff: datetime) -> dict[str, int]:
        if await uow.organizations.get(org, include_deleted=True) is None:
            return {}
        posts = await uow.posts.find(org, include_deleted=True)
        for post in posts:
            if is_due(post.deleted_at, cutoff):
                await uow.embeddings.delete_for(org, ContentType.POST, post.id)
        removed = {"posts": await uow.posts.delete_purged(org, cutoff)}
        posts = await uow.posts.find(org, include_deleted=True)

        branded = {p.brand_profile_id for p in posts}
        brands = await uow.brands.find(org, include_deleted=True)
        brands_before = purge_before(cutoff, [(b.id, b.deleted_at) for b in brands], branded)
        removed["pending_posts"] = 0
        for brand in brands:
            if is_due(brand.deleted_at, brands_before):
                removed["pending_posts"] += await self._pending_posts_of(uow, org, brand.id)
        pending = await uow.pending_posts.find(org)

        used = {p.material_id for p in posts if p.material_id is not None}
        used.update(p.material_id for p in pending)
        materials = await uow.materials.find(org, include_deleted=True)
        before = purge_before(cutoff, [(m.id, m.deleted_at) for m in materials], used)
        for material in materials:
            if is_due(material.deleted_at, before):
                await uow.embeddings.delete_for(org, ContentType.MATERIAL, material.id)
        removed["materials"] = await uow.materials.delete_purged(org, before)

        named = {post.social_account_id for post in posts}
        for pending_post in pending:
            for platform in pending_post.platforms:
                attempts = await uow.publish_attempts.list_for(org, pending_post.id, platform)
                named.update(attempt.social_account_id for attempt in attempts)
        accounts = await uow.social_accounts.find(org, include_deleted=True)
        before = purge_before(cutoff, [(a.id, a.deleted_at) for a in accounts], named)
        removed["social_accounts"] = await uow.social_accounts.delete_purged(org, before)

        removed["brands"] = await uow.brands.delete_purged(org, brands_before)
        return removed

    async def _pending_posts_of(self, uow: UnitOfWork, org: str, brand_id: str) -> int:
        """Delete a purged brand's pending posts and their embeddings; how many."""
        for pending_post in await uow.pending_posts.find(org, brand_id=brand_id):
            await uow.embeddings.delete_for(org, ContentType.PENDING_POST, pending_post.id)
        return await uow.pending_posts.delete_for_brand(org, brand_id)
