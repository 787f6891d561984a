"""The fingerprint of a token key, registered under its key id (ADR 0017)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(kw_only=True, slots=True)
class TokenKey:
    """A key id the token cipher has used, and the fingerprint of the key it named; global
    (not a tenant row). The key itself never reaches the store: only its fingerprint, which
    tells keys apart without revealing them."""

    id: str
    """The key id, as stored ciphertexts name it (``v1:<key id>:…``)."""
    fingerprint: str
    """32 lowercase hex digits (``rabbit_local.cipher.key_fingerprint``)."""
    created_at: datetime

    @classmethod
    def registered(cls, *, id: str, fingerprint: str, now: datetime) -> TokenKey:
        """Key id ``id`` seen for the first time, naming the key of ``fingerprint``."""
        return cls(id=id, fingerprint=fingerprint, created_at=now)
