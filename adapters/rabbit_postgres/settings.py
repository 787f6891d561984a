"""What the database runtime needs to know, as a Protocol.

The composition root's pydantic ``Settings`` satisfies it structurally, so this adapter
never imports the composition root (and tools such as alembic's env.py can pass a plain
:class:`DatabaseSettings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

#: The embedded server's data folder, under the data directory.
PGDATA_FOLDER = "pgdata"


class DatabaseSettingsLike(Protocol):
    """``database_url``: a plain ``postgresql://…`` URL, or None for the embedded server;
    ``data_dir``: where the embedded server keeps its data (``<data_dir>/pgdata``)."""

    @property
    def database_url(self) -> str | None: ...

    @property
    def data_dir(self) -> Path: ...


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """A plain implementation of :class:`DatabaseSettingsLike`."""

    database_url: str | None = None
    data_dir: Path = Path(".rabbit")
