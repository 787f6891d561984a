"""Helpers of the Postgres use-case proofs: workers, and counting the statements sent.

A *worker* is what one process of the autopilot would be: the same database, its own units
of work (from its own engine when given one), its own id generator (a prefix of its own, so
two workers never mint the same id, as cuid2 ids would not), and the shared platform (the
publisher) and clock.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.context import Ports
from rabbit.application.ports import UnitOfWorkFactory
from rabbit_local.ids import SequentialIds
from rabbit_local.random import SeededRandom
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory
from support.postgres import sent_sql


def worker(
    ports: Ports,
    engine: AsyncEngine,
    name: str,
    *,
    uow: UnitOfWorkFactory | None = None,
    **changes: Any,
) -> Ports:
    """The ports of one more worker over ``engine`` (see the module docstring)."""
    return dataclasses.replace(
        ports,
        uow=uow or PostgresUnitOfWorkFactory(engine),
        ids=SequentialIds(prefix=f"{name}-"),
        random=SeededRandom(zlib.crc32(name.encode())),
        **changes,
    )


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """Every SQL statement units of work send while the block runs (from the SQL log)."""
    with sent_sql() as sent:
        statements: list[str] = []
        yield statements
        statements.extend(sql for sql, _ in sent)
