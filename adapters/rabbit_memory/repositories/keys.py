"""The token keys' fingerprints (a global table: no organisation)."""

from __future__ import annotations

from rabbit.domain.model import TokenKey
from rabbit_memory.session import Session, Table


class MemoryTokenKeyRepository:
    def __init__(self, session: Session) -> None:
        self._rows: Table[TokenKey] = Table(session, "token_keys")

    async def register(self, key: TokenKey) -> TokenKey:
        # units of work run one at a time (ADR 0005): nobody can insert between the two
        stored = self._rows.get(key.id)
        if stored is not None:
            return stored
        self._rows.insert(key)
        stored = self._rows.get(key.id)
        assert stored is not None
        return stored

    async def list_all(self) -> list[TokenKey]:
        return self._rows.select(lambda _: True)
