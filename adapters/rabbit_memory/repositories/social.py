"""Connected social accounts (tokens held as ciphertext, never decrypted here)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from rabbit.domain.model import SocialAccount
from rabbit_memory.repositories._ordering import by_created, purged_before
from rabbit_memory.session import Session, Table


class MemorySocialAccountRepository:
    def __init__(self, session: Session) -> None:
        self._accounts: Table[SocialAccount] = Table(session, "social_accounts")

    async def add(self, account: SocialAccount) -> None:
        self._accounts.insert(account)

    async def get(
        self,
        organization_id: str,
        account_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> SocialAccount | None:
        account = self._accounts.get(account_id)
        if account is None or account.organization_id != organization_id:
            return None
        if account.deleted_at is not None and not include_deleted:
            return None
        return self._accounts.locked(account, for_update)

    async def find(
        self, organization_id: str, *, include_deleted: bool = False
    ) -> list[SocialAccount]:
        return self._accounts.select(
            lambda a: (
                a.organization_id == organization_id and (include_deleted or a.deleted_at is None)
            ),
            order=by_created,
        )

    async def list_all(
        self, *, include_deleted: bool = False, for_update: bool = False
    ) -> list[SocialAccount]:
        accounts = self._accounts.select(lambda a: include_deleted or a.deleted_at is None)
        return self._accounts.all_locked(accounts, for_update)

    async def count_live(self, organization_id: str) -> int:
        return self._accounts.count(
            lambda a: a.organization_id == organization_id and a.deleted_at is None
        )

    async def update(self, account: SocialAccount) -> None:
        self._accounts.replace(account)

    async def update_tokens_if_version(self, account: SocialAccount, expected_version: int) -> bool:
        """Compare-and-set of the token fields; False when the row moved on or is gone."""
        stored = self._accounts.get(account.id)
        if (
            stored is None
            or stored.organization_id != account.organization_id
            or stored.token_version != expected_version
        ):
            return False
        self._accounts.locked(stored)  # the compare-and-set holds the row it writes
        self._accounts.replace(
            dataclasses.replace(
                stored,
                access_token=account.access_token,
                refresh_token=account.refresh_token,
                token_expires_at=account.token_expires_at,
                token_version=account.token_version,
                updated_at=account.updated_at,
            )
        )
        return True

    async def delete_purged(self, organization_id: str, before: datetime) -> int:
        return self._accounts.delete(
            self._accounts.ids(
                lambda a: (
                    a.organization_id == organization_id and purged_before(a.deleted_at, before)
                )
            )
        )
