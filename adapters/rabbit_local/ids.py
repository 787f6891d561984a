"""Id generators: cuid2 in production, predictable sequences in tests."""

from __future__ import annotations

import itertools

from cuid2 import Cuid


class Cuid2Ids:
    """Collision-resistant cuid2 ids (24 characters, lower-case base36, starting with a
    letter), from a cryptographically secure random source."""

    def __init__(self, length: int = 24) -> None:
        self._cuid = Cuid(length=length)

    def new_id(self) -> str:
        return str(self._cuid.generate())


class SequentialIds:
    """``<prefix>1``, ``<prefix>2``, …: readable ids for tests, still never reused.

    The counter is zero-padded so that ids sort in creation order, which makes "ties by id"
    orderings predictable in tests.
    """

    def __init__(self, prefix: str = "id", width: int = 6) -> None:
        self._prefix = prefix
        self._width = width
        self._counter = itertools.count(1)

    def new_id(self) -> str:
        return f"{self._prefix}{next(self._counter):0{self._width}d}"
