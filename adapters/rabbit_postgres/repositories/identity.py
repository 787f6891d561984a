"""Users, organisations and memberships."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import Organization, OrganizationMember, User
from rabbit_postgres.mapping import MEMBERS, ORGANIZATIONS, USERS
from rabbit_postgres.schema import organization_members, organizations, users
from rabbit_postgres.session import PostgresSession, ascending, by_id, eq, live, purged_before


class PostgresUserRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, user: User) -> None:
        await self._session.insert(USERS, user)

    async def get(
        self, user_id: str, *, include_deleted: bool = False, for_update: bool = False
    ) -> User | None:
        return await self._session.one_where(
            USERS, eq(users.c.id, user_id), live=not include_deleted, for_update=for_update
        )

    async def get_by_email(self, email: str) -> User | None:
        return await self._session.one_where(USERS, eq(users.c.email, email.lower()), live=True)

    async def update(self, user: User) -> None:
        await self._session.replace(USERS, user)

    async def delete_purged(self, before: datetime) -> int:
        return await self._session.delete(users, purged_before(users, before))


class PostgresOrganizationRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, organization: Organization) -> None:
        await self._session.insert(ORGANIZATIONS, organization)

    async def get(
        self, organization_id: str, *, include_deleted: bool = False, for_update: bool = False
    ) -> Organization | None:
        return await self._session.one_where(
            ORGANIZATIONS,
            eq(organizations.c.id, organization_id),
            live=not include_deleted,
            for_update=for_update,
        )

    async def get_by_slug(self, slug: str) -> Organization | None:
        return await self._session.one_where(
            ORGANIZATIONS, eq(organizations.c.slug, slug), live=True
        )

    async def update(self, organization: Organization) -> None:
        await self._session.replace(ORGANIZATIONS, organization)

    async def list_ids(self, *, include_deleted: bool = False) -> list[str]:
        statement = (
            sa.select(organizations.c.id)
            .where(live(organizations, include_deleted))
            .order_by(by_id(organizations.c.id))
        )
        return list((await self._session.execute(statement)).scalars())

    async def list_purgeable(self, before: datetime) -> list[Organization]:
        return await self._session.many(ORGANIZATIONS, purged_before(organizations, before))

    async def delete(self, organization_id: str) -> None:
        await self._session.delete(organizations, organizations.c.id == organization_id)


class PostgresMemberRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, member: OrganizationMember) -> None:
        await self._session.insert(MEMBERS, member)

    async def get(
        self, organization_id: str, user_id: str, *, for_update: bool = False
    ) -> OrganizationMember | None:
        return await self._session.one_where(
            MEMBERS,
            eq(organization_members.c.organization_id, organization_id),
            eq(organization_members.c.user_id, user_id),
            for_update=for_update,
        )

    async def find(self, organization_id: str) -> list[OrganizationMember]:
        return await self._session.many_where(
            MEMBERS,
            eq(organization_members.c.organization_id, organization_id),
            order_by=(ascending(organization_members.c.created_at),),
        )

    async def list_for_user(self, user_id: str) -> list[OrganizationMember]:
        return await self._session.many_where(
            MEMBERS,
            eq(organization_members.c.user_id, user_id),
            order_by=(ascending(organization_members.c.created_at),),
        )

    async def update(self, member: OrganizationMember) -> None:
        await self._session.replace(MEMBERS, member)

    async def remove(self, organization_id: str, user_id: str) -> None:
        removed = await self._session.delete(
            organization_members,
            organization_members.c.organization_id == organization_id,
            organization_members.c.user_id == user_id,
        )
        if removed == 0:
            raise NotFoundError("organization_member", user_id)
