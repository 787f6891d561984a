"""Token key rotation: re-encrypt every stored secret with the cipher's current key.

The cipher names the key inside each stored value, so values of the old key stay readable
while this runs; afterwards the old key can be retired. Social account tokens are rewritten
through the compare-and-set on ``token_version``: an account refreshed concurrently already
holds tokens of the current key and is skipped rather than overwritten.

Every organisation's secrets are rotated by default; ``organization_ids`` scopes the
external sources rotated to those tenants (social accounts are always rotated whole: a
rewrite is harmless, and a value left under a retired key would be unreadable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rabbit.application.context import Ports
from rabbit.application.ports import TokenCipher, UnitOfWork
from rabbit.application.use_cases._base import UseCases
from rabbit.application.use_cases.external_sources import reencrypt_secrets
from rabbit.domain.model import ExternalSource


@dataclass(frozen=True, slots=True)
class RotationReport:
    accounts: int
    sources: int


class KeyRotation(UseCases):
    """A system job (no actor): run after a new key became the cipher's current one."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports

    async def rotate_token_keys(
        self, organization_ids: Iterable[str] | None = None
    ) -> RotationReport:
        """Rotate every stored secret (external sources only of ``organization_ids`` when
        given)."""
        async with self._ports.uow() as uow:
            accounts = await self._rotate_accounts(uow)
            if organization_ids is None:
                sources = self._rotated(await uow.external_sources.list_all(for_update=True))
            else:
                scoped: list[ExternalSource] = []
                for organization_id in sorted(set(organization_ids)):
                    for found in await uow.external_sources.find(organization_id):
                        locked = await uow.external_sources.get(
                            organization_id, found.id, for_update=True
                        )
                        scoped.extend([locked] if locked is not None else [])
                sources = self._rotated(scoped)
            for source in sources:
                await uow.external_sources.update(source)
            await uow.commit()
        return RotationReport(accounts=accounts, sources=len(sources))

    async def _rotate_accounts(self, uow: UnitOfWork) -> int:
        cipher = self._ports.cipher
        rewritten = 0
        for account in await uow.social_accounts.list_all(include_deleted=True):
            access = _reencrypt(cipher, account.access_token)
            refresh = _reencrypt(cipher, account.refresh_token)
            if access is None and refresh is None:
                continue
            version = account.token_version
            account.access_token = access or account.access_token
            account.refresh_token = refresh or account.refresh_token
            account.token_version = version + 1
            account.updated_at = self._ports.clock.now()
            if await uow.social_accounts.update_tokens_if_version(account, version):
                rewritten += 1
        return rewritten

    def _rotated(self, sources: list[ExternalSource]) -> list[ExternalSource]:
        """The sources whose secrets were re-encrypted (changed in place), to be stored."""
        rewritten = []
        for source in sources:
            config = reencrypt_secrets(self._ports.cipher, source.connection_config)
            if config is None:
                continue
            source.connection_config = config
            source.updated_at = self._ports.clock.now()
            rewritten.append(source)
        return rewritten


def _reencrypt(cipher: TokenCipher, stored: str | None) -> str | None:
    """The value under the current key, or None when it is absent or already current."""
    if stored is None or cipher.key_id_of(stored) == cipher.current_key_id:
        return None
    return cipher.encrypt(cipher.decrypt(stored))
