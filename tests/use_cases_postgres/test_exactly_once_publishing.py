"""Exactly-once publishing on Postgres, with concurrent workers, platform faults and crashes.

Six workers (four on one engine, two on another: two processes, as far as the server can
tell) tick at the same instant over the same due posts, round after round. The platform
honours idempotency keys and fails on a script per key: a rejection (error before sending),
an unknown outcome after sending, a timeout before sending, and a *crash*: the platform
takes the post and the worker dies (a BaseException) before anything is recorded. Another
worker dies in the commit of the transaction that records a post. However the rounds
interleave, every (pending post, platform) ends with exactly one post or the pending post
FAILED, the platform never receives a second publish for a key it already holds, every
post records the platform's own id, and PUBLISH credits are charged once per published
pending post, keeping the ledger invariant.

A second test makes two workers overlap on the same (pending post, platform) on purpose,
with a slow platform whose arrival and answer the test releases (events, no sleeps): within
the lease the second worker must leave the first one's attempt alone (without the lease it
would send a second publish for the key); past the lease it settles the attempt by lookup
and records the post, and the first worker's late answer must not record a second one
(neither the check before recording nor UNIQUE (pending_post_id, platform) may be missing).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter, deque
from datetime import timedelta
from typing import Any, Literal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.context import Ports
from rabbit.application.ports import PublishedPost, PublishRejectedError, PublishRequest
from rabbit.application.system import RabbitSystem
from rabbit.domain.enums import (
    CreditAction,
    PendingPostStatus,
    PublishAttemptStatus,
    SocialPlatform,
)
from rabbit.domain.model import PendingPost, Post
from rabbit.domain.policies.pricing import publish_price
from rabbit.domain.policies.publishing import idempotency_key
from rabbit_local.publisher import RecordingPublisher
from rabbit_postgres.unit_of_work import PostgresUnitOfWork, PostgresUnitOfWorkFactory
from use_cases.app import App
from use_cases.content_support import LI, TOPICS, World, X, world

from .support import worker

pytestmark = pytest.mark.postgres

Fault = Literal["ok", "reject", "unknown_before_send", "unknown_after_send", "crash"]
ROUNDS = 6


class CrashError(BaseException):
    """The worker process dies here (not an Exception: nothing in the core catches it)."""


class ScriptedPlatform(RecordingPublisher):
    """The platform: idempotent by key, failing by a script per idempotency key."""

    def __init__(self, scripts: dict[str, list[Fault]]) -> None:
        super().__init__()
        self._scripts = {key: deque(faults) for key, faults in scripts.items()}
        self.repeats: Counter[str] = Counter()
        """Publish calls for a key the platform already held."""

    def holds(self, key: str) -> PublishedPost | None:
        return next((r.result for r in self.published if r.request.idempotency_key == key), None)

    async def publish(self, request: PublishRequest) -> PublishedPost:
        key = request.idempotency_key
        if self.holds(key) is not None:
            self.repeats[key] += 1
        script = self._scripts.get(key)
        fault = script.popleft() if script else "ok"
        if fault == "crash":
            await super().publish(request)
            raise CrashError
        if fault != "ok":
            self.script(fault)
        return await super().publish(request)


class CrashingCommitStore(PostgresUnitOfWorkFactory):
    """Units of work that die in the commit recording the first post of a target pending
    post (once per target, shared by every worker that holds the same set)."""

    def __init__(self, engine: AsyncEngine, targets: set[str]) -> None:
        super().__init__(engine)
        self.targets = targets

    def __call__(self) -> PostgresUnitOfWork:
        return _CrashingCommit(self.engine, self.targets)


class _CrashingCommit(PostgresUnitOfWork):
    def __init__(self, engine: AsyncEngine, targets: set[str]) -> None:
        super().__init__(engine)
        self._armed = False
        add = self.posts.add

        async def watched_add(post: Post) -> None:
            if post.pending_post_id in targets:
                targets.discard(post.pending_post_id)
                self._armed = True
            await add(post)

        self.posts.add = watched_add  # type: ignore[method-assign]

    async def commit(self) -> None:
        if self._armed:
            raise CrashError
        await super().commit()


#: Per pending post: its platforms, the script of each platform, its final status.
PLAN: list[tuple[tuple[SocialPlatform, ...], dict[SocialPlatform, list[Fault]], str]] = [
    ((X, LI), {X: ["reject"], LI: ["unknown_after_send"]}, "PUBLISHED"),
    ((X,), {X: ["unknown_before_send"]}, "PUBLISHED"),
    ((X,), {X: ["reject", "reject", "reject"]}, "FAILED"),
    ((X, LI), {X: ["crash"]}, "PUBLISHED"),
    ((LI,), {}, "PUBLISHED"),  # its recording commit crashes
    ((LI,), {LI: ["unknown_before_send"] * 3}, "FAILED"),
    ((X, LI), {X: ["reject"] * 3}, "FAILED"),  # LinkedIn gets its post, X never does
    ((X, LI), {X: ["unknown_before_send"], LI: ["unknown_after_send", "crash"]}, "PUBLISHED"),
    ((X, LI), {}, "PUBLISHED"),
    ((X,), {X: ["crash", "crash"]}, "PUBLISHED"),
]
COMMIT_CRASH = 4


async def due_posts(w: World) -> list[PendingPost]:
    created = []
    for topic, (platforms, _, _) in zip(TOPICS, PLAN, strict=False):
        (pending,) = await w.generate(await w.ready_material(topic), platforms)
        created.append(pending)
    return created


async def run_rounds(app: App, workers: list[Ports]) -> list[Any]:
    """ROUNDS rounds of concurrent ticks, the clock a minute on between rounds; what the
    workers raised (crashes) is returned."""
    raised = []
    for _ in range(ROUNDS):
        now = app.clock.advance(timedelta(minutes=1))
        results = await asyncio.gather(
            *(RabbitSystem(ports).autopilot.tick(now) for ports in workers), return_exceptions=True
        )
        raised += [r for r in results if isinstance(r, BaseException)]
    return raised


async def test_concurrent_workers_with_faults_and_crashes_publish_each_platform_once(
    pg_app: App, pg_engine: AsyncEngine, second_engine: AsyncEngine
) -> None:
    app = pg_app
    w = await world(app)
    pending = await due_posts(w)
    platform = ScriptedPlatform(
        {
            idempotency_key(p.id, target): faults
            for p, (_, scripts, _) in zip(pending, PLAN, strict=True)
            for target, faults in scripts.items()
        }
    )
    targets = {pending[COMMIT_CRASH].id}
    stores = {e: CrashingCommitStore(e, targets) for e in (pg_engine, second_engine)}
    # a backoff shorter than a round, never doubling past it, so three unknown outcomes
    # settle within ROUNDS whichever worker takes which post (backoff has its own tests)
    config = dataclasses.replace(
        app.ports.config,
        publish_backoff=timedelta(seconds=30),
        publish_backoff_max=timedelta(seconds=30),
    )
    workers = [
        worker(app.ports, engine, f"w{n}", uow=stores[engine], publisher=platform, config=config)
        for n, engine in enumerate([pg_engine] * 4 + [second_engine] * 2)
    ]

    raised = await run_rounds(app, workers)

    assert raised
    assert all(isinstance(e, CrashError) for e in raised)
    assert not targets  # the recording commit did crash once
    async with app.ports.uow() as uow:
        stored = {p.id: p for p in await uow.pending_posts.find(w.org)}
        posts = await uow.posts.find(w.org)
        attempts = {
            (p.id, target): await uow.publish_attempts.list_for(w.org, p.id, target)
            for p in pending
            for target in p.platforms
        }
    assert [stored[p.id].status for p in pending] == [
        PendingPostStatus(status) for _, _, status in PLAN
    ]
    per_platform = Counter((post.pending_post_id, post.platform) for post in posts)
    assert set(per_platform.values()) == {1}
    for p in pending:
        for target in p.platforms:
            posted = per_platform[(p.id, target)]
            assert posted == 1 or stored[p.id].status is PendingPostStatus.FAILED
            succeeded = [
                a for a in attempts[(p.id, target)] if a.status is PublishAttemptStatus.SUCCEEDED
            ]
            assert len(succeeded) == posted
    for post in posts:
        held = platform.holds(idempotency_key(post.pending_post_id or "", post.platform))
        assert held is not None
        assert held.external_id == post.external_id
    assert len(platform.published) == len(posts)
    assert not platform.repeats
    await assert_charged_once_per_published_post(w, stored, posts)


async def assert_charged_once_per_published_post(
    w: World, stored: dict[str, PendingPost], posts: list[Post]
) -> None:
    ledger = await w.app.billing.ledger(w.owner, w.org)
    net: Counter[str | None] = Counter()
    debits: Counter[str | None] = Counter()
    for row in ledger:
        if row.action is CreditAction.PUBLISH:
            net[row.related_post_id] += row.amount
            debits[row.related_post_id] += row.amount < 0
    posted = Counter(post.pending_post_id for post in posts)
    # net: the price of the platforms that accepted the post, nothing for none (ADR 0015)
    assert +net == Counter()
    assert -net == +Counter(
        {p.id: publish_price(posted[p.id]) if posted[p.id] else 0 for p in stored.values()}
    )
    for p in stored.values():
        if p.status is PendingPostStatus.PUBLISHED:  # reserved once, never charged again
            assert (debits[p.id], net[p.id]) == (1, -publish_price(len(p.platforms)))
    balance = await w.app.billing.balance(w.owner, w.org)
    period = await w.app.billing.ledger(w.owner, w.org, current_period_only=True)
    assert balance.credits_total - balance.credits_used == sum(row.amount for row in period)
    assert 0 <= balance.credits_used <= balance.credits_total


class SlowPlatform(RecordingPublisher):
    """The first call under ``slow_key`` waits for ``arrive`` before the platform takes the
    post, then for ``answer`` before it answers; ``rejections`` refuses that many calls of
    a key; every call is counted per key."""

    def __init__(self, slow_key: str) -> None:
        super().__init__()
        self.slow_key = slow_key
        self.arrive = asyncio.Event()
        self.answer = asyncio.Event()
        self.in_flight = asyncio.Event()
        self.taken = asyncio.Event()
        self.per_key: Counter[str] = Counter()
        self.rejections: Counter[str] = Counter()

    async def publish(self, request: PublishRequest) -> PublishedPost:
        key = request.idempotency_key
        self.per_key[key] += 1
        if self.rejections[key] > 0:
            self.rejections[key] -= 1
            raise PublishRejectedError(f"{request.platform} is busy")
        if key != self.slow_key or self.in_flight.is_set():
            return await super().publish(request)
        self.in_flight.set()
        await self.arrive.wait()
        result = await super().publish(request)
        self.taken.set()
        await self.answer.wait()
        return result


async def test_two_workers_overlapping_on_one_platform_past_the_lease_publish_once(
    pg_app: App, pg_engine: AsyncEngine, second_engine: AsyncEngine
) -> None:
    app = pg_app
    w = await world(app)
    (pending,) = await w.generate(await w.ready_material(TOPICS[0]), (X, LI))
    key = idempotency_key(pending.id, X)
    platform = SlowPlatform(key)
    platform.rejections[idempotency_key(pending.id, LI)] = 2  # LinkedIn refuses twice
    first = RabbitSystem(worker(app.ports, pg_engine, "first", publisher=platform)).publishing
    second = RabbitSystem(worker(app.ports, second_engine, "second", publisher=platform)).publishing
    lease = app.ports.config.publish_attempt_lease

    async with asyncio.timeout(60):
        slow = asyncio.create_task(first.publish_due(app.clock.now()))
        await platform.in_flight.wait()  # X's attempt 1 is STARTED, its call not arrived
        await second.publish_due(app.clock.advance(lease / 2))  # leaves attempt 1 alone
        platform.arrive.set()  # the platform takes the first worker's X post ...
        await platform.taken.wait()
        past = app.clock.advance(lease)  # ... and has not answered when the lease ran out
        await second.publish_due(past)  # settles X's attempt 1 by lookup: found
        platform.answer.set()
        await slow  # the first worker's late answer for X, then LinkedIn's third try

    async with app.ports.uow() as uow:
        posts = await uow.posts.find(w.org)
        x_tries = await uow.publish_attempts.list_for(w.org, pending.id, X)
        stored = await uow.pending_posts.get(w.org, pending.id)
    assert platform.per_key[key] == 1  # one publish call for X's key
    assert sorted(p.platform for p in posts) == sorted([X, LI])  # one post per platform
    assert len(platform.published) == 2
    held = {r.request.platform: r.result.external_id for r in platform.published}
    assert {p.platform: p.external_id for p in posts} == held
    assert [a.status for a in x_tries] == [PublishAttemptStatus.SUCCEEDED]
    assert stored is not None
    assert stored.status is PendingPostStatus.PUBLISHED
    await assert_charged_once_per_published_post(w, {pending.id: stored}, posts)
