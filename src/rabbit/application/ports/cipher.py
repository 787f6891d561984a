"""The token cipher port: social tokens and source secrets are stored only encrypted, each
bound to the place it is stored in (docs/adr/0016-secrets-bound-to-their-place.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SecretContext:
    """Where a stored secret lives: its table, its field (a column, or a path inside a jsonb
    column such as ``connection_config.consumer_secret``), its organisation and its row.

    The cipher binds a value to its context (authenticated, not secret), so a ciphertext
    copied to another row, column, field or organisation does not decrypt there.
    """

    table: str
    field: str
    organization_id: str
    row_id: str

    def __post_init__(self) -> None:
        for name in ("table", "field", "organization_id", "row_id"):
            if not getattr(self, name):
                raise ValueError(f"a secret context needs its {name}")

    @property
    def place(self) -> str:
        """``<table>.<field>``: what an error about the value names."""
        return f"{self.table}.{self.field}"


class TokenCipher(Protocol):
    """Authenticated encryption with key rotation, bound to the value's place.

    The stored form is a string that names the key that made it (``v2:<key id>:<payload>``),
    so ciphertexts of an old key stay readable while a rotation re-encrypts them.
    """

    @property
    def current_key_id(self) -> str:
        """The id of the key new values are encrypted with."""
        ...

    def encrypt(self, plaintext: str, context: SecretContext) -> str:
        """The stored form of ``plaintext`` under the current key, bound to ``context``; a
        fresh nonce every call."""
        ...

    def decrypt(self, stored: str, context: SecretContext) -> str:
        """The plaintext of a value stored at ``context``.

        Raises :class:`rabbit.domain.errors.UnreadableSecretError` (field
        ``context.place``) when the value was encrypted for another place or altered
        (``MOVED``), is malformed, names an unknown key, or is in the old v1 form
        (``LEGACY``: the database needs ``rabbit db upgrade``). The message never contains
        the value itself.
        """
        ...

    def key_id_of(self, stored: str) -> str:
        """The key id a stored value names (ValidationError, field ``token``, when it is not
        a stored form at all)."""
        ...

    def fingerprints(self) -> Mapping[str, str]:
        """Key id -> fingerprint of every key the cipher holds (current and older ones).

        A fingerprint tells two keys apart and reveals nothing of the key (so it may be
        stored and logged); the same key always has the same fingerprint. The core stores
        them to refuse a start where one key id names a different key than before (ADR 0017).
        """
        ...
