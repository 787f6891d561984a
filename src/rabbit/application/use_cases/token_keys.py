"""The token keys' fingerprints: one key id names one key, on every worker, for ever.

Stored ciphertexts name their key by id (``v1:<key id>:…``). Two workers that hold
*different* keys under the *same* id would each write tokens the other cannot read, and
nothing would say so until a token failed to decrypt. So every start registers the
fingerprint of each key the cipher holds (``TokenCipher.fingerprints``) and compares it
with the one registered first under that id: an unknown id is registered, a known id with
another fingerprint refuses the start with :class:`TokenKeyError` naming the key id (never
key material). Registering is an insert-or-read that never fails on a concurrent start
registering the same new id (``TokenKeyRepository.register``). ADR 0017.
"""

from __future__ import annotations

from dataclasses import dataclass

from rabbit.application.ports import Clock, TokenCipher, UnitOfWorkFactory
from rabbit.application.use_cases._arguments import UseCases
from rabbit.domain.errors import TokenKeyError
from rabbit.domain.model import TokenKey


@dataclass(frozen=True, slots=True)
class KeyCheckReport:
    registered: tuple[str, ...]
    """Key ids registered by this check (seen for the first time)."""
    known: tuple[str, ...]
    """Key ids registered before, with the same fingerprint."""


class TokenKeys(UseCases):
    """A system job (no actor): run at every start, before any token is written."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, cipher: TokenCipher) -> None:
        self._uow = uow
        self._clock = clock
        self._cipher = cipher

    async def check_fingerprints(self) -> KeyCheckReport:
        """Register the cipher's unknown key ids; refuse (TokenKeyError, nothing registered)
        when a known id's stored fingerprint differs from its key's."""
        fingerprints = self._cipher.fingerprints()
        async with self._uow() as uow:
            before = {key.id for key in await uow.token_keys.list_all()}
            for key_id in sorted(fingerprints):
                fingerprint = fingerprints[key_id]
                stored = await uow.token_keys.register(
                    TokenKey.registered(id=key_id, fingerprint=fingerprint, now=self._clock.now())
                )
                if stored.fingerprint != fingerprint:
                    raise TokenKeyError(
                        f"token key {key_id!r} is not the key registered under that id in this "
                        f"database (fingerprint {fingerprint}, registered {stored.fingerprint}): "
                        "tokens written with one could not be read with the other; give every "
                        "worker the same key, or a new key a new id"
                    )
            await uow.commit()
        return KeyCheckReport(
            registered=tuple(sorted(set(fingerprints) - before)),
            known=tuple(sorted(set(fingerprints) & before)),
        )
