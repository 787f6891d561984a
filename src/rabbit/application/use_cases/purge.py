"""Purge (GDPR): hard-delete rows soft-deleted longer ago than the retention period.

One unit of work, so a purge is all or nothing. Order and decisions:

1. Organisations due for purge are deleted whole; the store cascades to every tenant row.
2. Within each named live organisation, dependants first:
   - posts due (their embeddings first; metrics cascade);
   - materials due (their embeddings first) that no surviving post or pending post uses;
   - social accounts due that no surviving post or publish attempt names (links cascade);
   - brands due that no surviving post or pending post names (schedules, external sources
     and links cascade; materials of the brand are organisation assets and stay, their
     brand reference set to null by the store).
3. Users due (their memberships cascade).

A due row still referenced by a surviving row waits (see
:mod:`rabbit.domain.policies.purging`): posts and pending posts are the brand's publishing
history and are never removed implicitly. A deleted brand is therefore purged once its
posts were deleted and purged and it has no pending posts left; pending posts have no soft
delete and no delete port yet, so a brand with pending posts waits (see the report of the
"Use cases I" issue). No live row is ever deleted, and nothing is left pointing at a
deleted row.

The repositories offer no list of organisations, so the caller names the tenants to sweep
(the system job passes every tenant); deleted organisations and users are always swept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rabbit.application.context import Ports
from rabbit.application.ports import UnitOfWork
from rabbit.domain.enums import ContentType
from rabbit.domain.policies.purging import is_due, purge_before


@dataclass(frozen=True, slots=True)
class PurgeReport:
    organizations: int = 0
    users: int = 0
    posts: int = 0
    materials: int = 0
    social_accounts: int = 0
    brands: int = 0


class Purge:
    """A system job (no actor)."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports

    async def purge(self, organization_ids: Iterable[str] = ()) -> PurgeReport:
        cutoff = self._ports.clock.now() - self._ports.config.purge_retention
        counts = dict.fromkeys(("posts", "materials", "social_accounts", "brands"), 0)
        async with self._ports.uow() as uow:
            doomed = await uow.organizations.list_purgeable(cutoff)
            for organization in doomed:
                await uow.organizations.delete(organization.id)
            gone = {organization.id for organization in doomed}
            for organization_id in sorted(set(organization_ids) - gone):
                for kind, removed in (await self._tenant(uow, organization_id, cutoff)).items():
                    counts[kind] += removed
            users = await uow.users.delete_purged(cutoff)
            await uow.commit()
        return PurgeReport(organizations=len(doomed), users=users, **counts)

    async def _tenant(self, uow: UnitOfWork, org: str, cutoff: datetime) -> dict[str, int]:
        if await uow.organizations.get(org) is None:
            return {}
        posts = await uow.posts.find(org, include_deleted=True)
        for post in posts:
            if is_due(post.deleted_at, cutoff):
                await uow.embeddings.delete_for(org, ContentType.POST, post.id)
        removed = {"posts": await uow.posts.delete_purged(org, cutoff)}
        posts = await uow.posts.find(org, include_deleted=True)
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

        branded = {p.brand_profile_id for p in posts}
        branded.update(p.brand_profile_id for p in pending)
        brands = await uow.brands.find(org, include_deleted=True)
        before = purge_before(cutoff, [(b.id, b.deleted_at) for b in brands], branded)
        removed["brands"] = await uow.brands.delete_purged(org, before)
        return removed
