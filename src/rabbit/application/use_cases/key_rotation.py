"""Token key rotation: re-encrypt every stored secret with the cipher's current key.

Each value is decrypted and encrypted again bound to its own place (ADR 0016); account tokens
go through the compare-and-set on ``token_version``, so an account refreshed meanwhile is
skipped, not overwritten. A value that does not decrypt where it is stays as it is, logged
and counted in ``RotationReport.unreadable``. ``organization_ids`` scopes the external
sources; accounts are always rotated whole. The key lifecycle: ADR 0017 and
docs/security.md#keys-lifecycle-and-rotation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rabbit.application.ports import (
    Clock,
    SecretContext,
    TokenCipher,
    UnitOfWork,
    UnitOfWorkFactory,
)
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases.external_sources import secret_context
from rabbit.application.use_cases.social_accounts import token_context
from rabbit.domain.errors import UnreadableSecretError, ValidationError
from rabbit.domain.model import ExternalSource

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RotationReport:
    accounts: int
    """Social accounts whose tokens were rewritten."""
    sources: int
    """External sources whose secrets were rewritten."""
    unreadable: int = 0
    """Values left as they were because they do not decrypt where they are (logged)."""


class KeyRotation(UseCases):
    """A system job (no actor): run after a new key became the cipher's current one."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, cipher: TokenCipher) -> None:
        self._uow = uow
        self._clock = clock
        self._cipher = cipher

    async def rotate_token_keys(
        self, organization_ids: Iterable[str] | None = None
    ) -> RotationReport:
        """Rotate every stored secret (external sources only of ``organization_ids`` when
        given)."""
        unreadable: list[str] = []
        async with self._uow() as uow:
            accounts = await self._rotate_accounts(uow, unreadable.append)
            if organization_ids is None:
                every = await uow.external_sources.list_all(for_update=True)
                sources = self._rotated(every, unreadable.append)
            else:
                scoped: list[ExternalSource] = []
                for organization_id in sorted(set(organization_ids)):
                    for found in await uow.external_sources.find(organization_id):
                        locked = await uow.external_sources.get(
                            organization_id, found.id, for_update=True
                        )
                        scoped.extend([locked] if locked is not None else [])
                sources = self._rotated(scoped, unreadable.append)
            for source in sources:
                await uow.external_sources.update(source)
            await uow.commit()
        return RotationReport(accounts=accounts, sources=len(sources), unreadable=len(unreadable))

    async def _rotate_accounts(self, uow: UnitOfWork, unreadable: Callable[[str], None]) -> int:
        cipher = self._cipher
        rewritten = 0
        for account in await uow.social_accounts.list_all(include_deleted=True):
            org, row = account.organization_id, account.id
            access = _reencrypt(
                cipher, account.access_token, token_context(org, row, "access_token"), unreadable
            )
            refresh = _reencrypt(
                cipher, account.refresh_token, token_context(org, row, "refresh_token"), unreadable
            )
            if access is None and refresh is None:
                continue
            version = account.token_version
            account.reencrypt_tokens(access, refresh, self._clock.now())
            if await uow.social_accounts.update_tokens_if_version(account, version):
                rewritten += 1
        return rewritten

    def _rotated(
        self, sources: list[ExternalSource], unreadable: Callable[[str], None]
    ) -> list[ExternalSource]:
        """The sources whose secrets were re-encrypted (changed in place), to be stored."""
        rewritten = []
        for source in sources:
            changed = {}
            for path, stored in source.connection_config.secrets().items():
                context = secret_context(source.organization_id, source.id, path)
                value = _reencrypt(self._cipher, stored, context, unreadable)
                if value is not None:
                    changed[path] = value
            if not changed:
                continue
            source.replace_secrets(changed, self._clock.now())
            rewritten.append(source)
        return rewritten


def _reencrypt(
    cipher: TokenCipher,
    stored: str | None,
    context: SecretContext,
    unreadable: Callable[[str], None],
) -> str | None:
    """The value under the current key, bound to ``context``; None when it is absent,
    already current, or unreadable where it is (then reported to ``unreadable``)."""
    if stored is None:
        return None
    try:
        if cipher.key_id_of(stored) == cipher.current_key_id:
            return None
        return cipher.encrypt(cipher.decrypt(stored, context), context)
    except (UnreadableSecretError, ValidationError) as exc:
        _log.warning(
            "key rotation left %s of %s (organisation %s) as it was: %s",
            context.place,
            context.row_id,
            context.organization_id,
            exc.code,
        )
        unreadable(f"{context.place}:{context.row_id}")
        return None
