"""Helpers of the Postgres-specific use-case proofs: applications, workers, counting.

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

from rabbit.application.context import CoreConfig, Ports
from rabbit.application.ports import UnitOfWorkFactory
from rabbit_local.clock import FakeClock
from rabbit_local.embedder import HashingEmbedder
from rabbit_local.generator import TemplateContentGenerator
from rabbit_local.ids import SequentialIds
from rabbit_local.notifier import LoggingNotifier
from rabbit_local.publisher import RecordingPublisher
from rabbit_local.random import SeededRandom
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory
from support.postgres import sent_sql
from use_cases.app import App
from use_cases.conftest import START, EmptyPostgresStore, cipher


def postgres_app(engine: AsyncEngine) -> App:
    """An application over the test database, emptied before its first unit of work."""
    clock = FakeClock(START)
    ports = Ports(
        uow=EmptyPostgresStore(engine),
        clock=clock,
        ids=SequentialIds(),
        random=SeededRandom(7),
        cipher=cipher(),
        embedder=HashingEmbedder(),
        generator=TemplateContentGenerator(),
        publisher=RecordingPublisher(),
        notifier=LoggingNotifier(),
        config=CoreConfig(),
    )
    return App(ports, clock)


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
