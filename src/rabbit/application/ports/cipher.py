"""The token cipher port: social tokens and source secrets are stored only encrypted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class TokenCipher(Protocol):
    """Authenticated encryption with key rotation.

    The stored form is a string that names the key that made it (``<key id>:<payload>``),
    so ciphertexts of an old key stay readable while a rotation re-encrypts them.
    """

    @property
    def current_key_id(self) -> str:
        """The id of the key new values are encrypted with."""
        ...

    def encrypt(self, plaintext: str) -> str:
        """The stored form of ``plaintext`` under the current key; a fresh nonce every call."""
        ...

    def decrypt(self, stored: str) -> str:
        """The plaintext of a stored value.

        Raises :class:`rabbit.domain.errors.ValidationError` (field ``token``) when the value
        is malformed, names an unknown key or fails authentication. The message never
        contains the value itself.
        """
        ...

    def key_id_of(self, stored: str) -> str:
        """The key id a stored value names (ValidationError when malformed)."""
        ...

    def fingerprints(self) -> Mapping[str, str]:
        """Key id -> fingerprint of every key the cipher holds (current and older ones).

        A fingerprint tells two keys apart and reveals nothing of the key (so it may be
        stored and logged); the same key always has the same fingerprint. The core stores
        them to refuse a start where one key id names a different key than before (ADR 0017).
        """
        ...
