"""Connected social accounts (tokens held as ciphertext, never decrypted here)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from rabbit.domain.model import SocialAccount
from rabbit_postgres.mapping import SOCIAL_ACCOUNTS
from rabbit_postgres.schema import social_accounts
from rabbit_postgres.session import PostgresSession, ascending, eq, live, purged_before


class PostgresSocialAccountRepository:
    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    async def add(self, account: SocialAccount) -> None:
        await self._session.insert(SOCIAL_ACCOUNTS, account)

    async def get(
        self,
        organization_id: str,
        account_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> SocialAccount | None:
        return await self._session.one_where(
            SOCIAL_ACCOUNTS,
            eq(social_accounts.c.organization_id, organization_id),
            eq(social_accounts.c.id, account_id),
            live=not include_deleted,
            for_update=for_update,
        )

    async def find(
        self, organization_id: str, *, include_deleted: bool = False
    ) -> list[SocialAccount]:
        return await self._session.many_where(
            SOCIAL_ACCOUNTS,
            eq(social_accounts.c.organization_id, organization_id),
            live=not include_deleted,
            order_by=(ascending(social_accounts.c.created_at),),
        )

    async def list_all(
        self, *, include_deleted: bool = False, for_update: bool = False
    ) -> list[SocialAccount]:
        return await self._session.many(
            SOCIAL_ACCOUNTS, live(social_accounts, include_deleted), for_update=for_update
        )

    async def count_live(self, organization_id: str) -> int:
        return await self._session.count_where(
            SOCIAL_ACCOUNTS, eq(social_accounts.c.organization_id, organization_id), live=True
        )

    async def update(self, account: SocialAccount) -> None:
        await self._session.replace(SOCIAL_ACCOUNTS, account)

    async def update_tokens_if_version(self, account: SocialAccount, expected_version: int) -> bool:
        """``UPDATE … WHERE token_version = :expected``: a compare-and-set in one statement."""
        statement = (
            sa.update(social_accounts)
            .where(
                social_accounts.c.id == account.id,
                social_accounts.c.organization_id == account.organization_id,
                social_accounts.c.token_version == expected_version,
            )
            .values(
                access_token=account.access_token,
                refresh_token=account.refresh_token,
                token_expires_at=account.token_expires_at,
                token_version=account.token_version,
                updated_at=account.updated_at,
            )
        )
        result = await self._session.execute(statement)
        return bool(result.rowcount == 1)

    async def delete_purged(self, organization_id: str, before: datetime) -> int:
        return await self._session.delete(
            social_accounts,
            social_accounts.c.organization_id == organization_id,
            purged_before(social_accounts, before),
        )
