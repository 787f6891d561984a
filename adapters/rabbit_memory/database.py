"""The committed state of the in-memory store, shared by its units of work."""

from __future__ import annotations

import asyncio

from rabbit_memory.schema import TABLES


class MemoryDatabase:
    """One dict ``id -> entity`` per table, and the lock that serialises units of work.

    Only a committing unit of work replaces tables here; the entities held are private
    copies that nobody outside the store can reach (see docs/adr/0005).
    """

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, object]] = {name: {} for name in TABLES}
        self.lock = asyncio.Lock()

    def count(self, table: str) -> int:
        """Committed rows of a table (for tests and diagnostics)."""
        return len(self.tables[table])
