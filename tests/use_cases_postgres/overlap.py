"""Forcing two use cases to overlap on PostgreSQL, without sleeping.

A lost update needs a precise interleaving: one transaction has written a row and not yet
committed while another reads the same row to change it. :func:`overlap` makes exactly that
happen every run:

1. the *first* call runs until the commit of its unit of work that wrote ``table`` (a
   :class:`PausingStore` wraps the store and holds that commit at a :class:`Gate`);
2. the *second* call starts, and runs until it either finishes or waits on a lock, which
   ``pg_stat_activity`` shows (``wait_event_type = 'Lock'``): polled, not guessed;
3. the first call commits, and both finish.

With "lock before you write" (ADR 0012) the second call's ``for_update`` read waits in step
2 and then sees the first call's commit. Without it, the second call read the row before the
first committed and writes that stale copy back: the first call's change is lost, and the
tests' final checks say so.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.ports import UnitOfWork, UnitOfWorkFactory
from use_cases.app import App

#: How long a step may take before the test says the overlap could not be forced.
STEP_TIMEOUT = 30.0

_GATE: contextvars.ContextVar[Gate | None] = contextvars.ContextVar("gate", default=None)

_LOCK_WAITERS = sa.text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


@dataclasses.dataclass
class Gate:
    """Holds the first commit, in the task that set it, of a unit of work that wrote
    ``table`` (through a repository's ``add``/``update``/``append``/``upsert``)."""

    table: str
    reached: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    release: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    used: bool = False


class _Recording:
    """A repository whose writes mark its unit of work as having written its table."""

    def __init__(self, repository: Any, written: Callable[[], None]) -> None:
        self._repository = repository
        self._written = written

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._repository, name)
        if name in {"add", "update", "append", "upsert", "remove", "update_tokens_if_version"}:

            async def recorded(*args: Any, **kwargs: Any) -> Any:
                self._written()
                return await attribute(*args, **kwargs)

            return recorded
        return attribute


class _PausingUnitOfWork:
    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner
        self._gate = _GATE.get()
        self._wrote = False

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        gate = self._gate
        if gate is not None and name == gate.table:
            return _Recording(attribute, self._mark)
        return attribute

    def _mark(self) -> None:
        self._wrote = True

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        gate = self._gate
        if gate is not None and self._wrote and not gate.used:
            gate.used = True
            gate.reached.set()
            await gate.release.wait()
        await self._inner.commit()

    async def rollback(self) -> None:
        await self._inner.rollback()


class PausingStore:
    """A unit-of-work factory over another, whose units of work honour the task's gate."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self._inner = inner

    def __call__(self) -> UnitOfWork:
        return _PausingUnitOfWork(self._inner())  # type: ignore[return-value]


def pausing(app: App) -> App:
    """The same application over a :class:`PausingStore` of its store."""
    ports = dataclasses.replace(app.ports, uow=PausingStore(app.ports.uow))
    return App(ports, app.clock)


async def _gated(gate: Gate, call: Callable[[], Awaitable[Any]]) -> Any:
    _GATE.set(gate)  # inside the task: only this call's units of work see the gate
    return await call()


async def _lock_waiters(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(_LOCK_WAITERS)).scalar_one())


async def _until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + STEP_TIMEOUT
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the overlap could not be forced: {what}")
        await asyncio.sleep(0.005)  # polling a condition, not waiting a guessed time


async def overlap(
    engine: AsyncEngine,
    first: Callable[[], Awaitable[Any]],
    second: Callable[[], Awaitable[Any]],
    *,
    table: str,
) -> tuple[Any, Any]:
    """Run ``first`` up to the commit of its unit of work that wrote ``table`` (a unit of
    work attribute: ``"subscriptions"``, ``"materials"`` …), then ``second`` until it ends or
    waits on a lock, then let ``first`` commit. Both results (or exceptions), in order."""
    gate = Gate(table)
    first_task = asyncio.create_task(_gated(gate, first))
    try:
        return await _overlap(engine, gate, first_task, second, table)
    finally:
        gate.release.set()  # a failed step must not leave the first call waiting forever


async def _overlap(
    engine: AsyncEngine,
    gate: Gate,
    first_task: asyncio.Task[Any],
    second: Callable[[], Awaitable[Any]],
    table: str,
) -> tuple[Any, Any]:

    async def first_paused() -> bool:
        if first_task.done():
            first_task.result()  # its exception, if it failed
            raise AssertionError(f"the first call finished without writing {table}")
        return gate.reached.is_set()

    await _until(first_paused, f"the first call never wrote {table}")
    second_task = asyncio.create_task(second())

    async def second_waits_or_ended() -> bool:
        return second_task.done() or await _lock_waiters(engine) > 0

    await _until(second_waits_or_ended, "the second call neither ended nor waited")
    gate.release.set()
    first_result, second_result = await asyncio.gather(
        first_task, second_task, return_exceptions=True
    )
    return first_result, second_result
