"""Users, organisations and memberships."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import Organization, OrganizationMember, User
from rabbit_memory.repositories._ordering import by_created, purged_before
from rabbit_memory.session import Session, Table


def _lower_cased(user: User) -> User:
    """Emails are stored lower-cased (as rabbit_postgres stores them)."""
    return dataclasses.replace(user, email=user.email.lower())


class MemoryUserRepository:
    def __init__(self, session: Session) -> None:
        self._users: Table[User] = Table(session, "users")

    async def add(self, user: User) -> None:
        self._users.insert(_lower_cased(user))

    async def get(
        self, user_id: str, *, include_deleted: bool = False, for_update: bool = False
    ) -> User | None:
        user = self._users.get(user_id)
        if user is None or (user.deleted_at is not None and not include_deleted):
            return None
        return self._users.locked(user, for_update)

    async def get_by_email(self, email: str) -> User | None:
        wanted = email.lower()
        return self._users.first(lambda u: u.email.lower() == wanted and u.deleted_at is None)

    async def update(self, user: User) -> None:
        self._users.replace(_lower_cased(user))

    async def delete_purged(self, before: datetime) -> int:
        return self._users.delete(self._users.ids(lambda u: purged_before(u.deleted_at, before)))


class MemoryOrganizationRepository:
    def __init__(self, session: Session) -> None:
        self._organizations: Table[Organization] = Table(session, "organizations")

    async def add(self, organization: Organization) -> None:
        self._organizations.insert(organization)

    async def get(
        self, organization_id: str, *, include_deleted: bool = False, for_update: bool = False
    ) -> Organization | None:
        organization = self._organizations.get(organization_id)
        if organization is None or (organization.deleted_at is not None and not include_deleted):
            return None
        return self._organizations.locked(organization, for_update)

    async def get_by_slug(self, slug: str) -> Organization | None:
        return self._organizations.first(lambda o: o.slug == slug and o.deleted_at is None)

    async def update(self, organization: Organization) -> None:
        self._organizations.replace(organization)

    async def list_ids(self, *, include_deleted: bool = False) -> list[str]:
        return sorted(self._organizations.ids(lambda o: include_deleted or o.deleted_at is None))

    async def list_purgeable(self, before: datetime) -> list[Organization]:
        return self._organizations.select(lambda o: purged_before(o.deleted_at, before))

    async def delete(self, organization_id: str) -> None:
        self._organizations.delete([organization_id])


class MemoryMemberRepository:
    def __init__(self, session: Session) -> None:
        self._members: Table[OrganizationMember] = Table(session, "organization_members")

    async def add(self, member: OrganizationMember) -> None:
        self._members.insert(member)

    async def get(
        self, organization_id: str, user_id: str, *, for_update: bool = False
    ) -> OrganizationMember | None:
        member = self._members.first(
            lambda m: m.organization_id == organization_id and m.user_id == user_id
        )
        return self._members.locked(member, for_update)

    async def find(self, organization_id: str) -> list[OrganizationMember]:
        return self._members.select(
            lambda m: m.organization_id == organization_id, order=by_created
        )

    async def list_for_user(self, user_id: str) -> list[OrganizationMember]:
        return self._members.select(lambda m: m.user_id == user_id, order=by_created)

    async def update(self, member: OrganizationMember) -> None:
        self._members.replace(member)

    async def remove(self, organization_id: str, user_id: str) -> None:
        ids = self._members.ids(
            lambda m: m.organization_id == organization_id and m.user_id == user_id
        )
        if not ids:
            raise NotFoundError(self._members.entity, user_id)
        self._members.delete(ids)
