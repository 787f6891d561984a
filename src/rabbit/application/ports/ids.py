"""The id generator port."""

from __future__ import annotations

from typing import Protocol


class IdGenerator(Protocol):
    def new_id(self) -> str:
        """A fresh collision-resistant id (a cuid2 in production): never reused."""
        ...
