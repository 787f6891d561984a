"""The clock port: every timestamp the core writes comes from here."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC. Never goes backwards within a run."""
        ...
