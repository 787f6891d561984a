"""No N+1 in the autopilot tick: its SQL statements grow with the schedules it handles, not
with the rows an organisation holds.

The same shape is built twice: an organisation with a few materials and published posts,
and one with ten times as many (materials, posts and their embeddings). A tick that runs one
schedule (select a material by pillar balance, generate, deduplicate, publish) must send
the same number of statements in both; a tick that runs two schedules must send more.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.use_cases.brands import UpdateBrand
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.domain.enums import MaterialStrategy, PendingPostStatus, ScheduleFrequency
from rabbit.domain.model import EMBEDDING_DIMENSIONS
from rabbit.domain.values import ContentPillar, ContentPillars
from support.postgres import EmptyPostgresStore
from use_cases.app import build_app
from use_cases.content_support import X, world

from .support import counted_statements

pytestmark = pytest.mark.postgres

MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # the app's clock starts at 09:00
PILLARS = ("Gear", "Food", "Money")
_rng = random.Random(42)
VOCABULARY = sorted({"".join(_rng.choices("abcdefghijklmnoprstuvw", k=7)) for _ in range(900)})


def topic(number: int) -> str:
    """A material text of its own words (so its posts are never near-duplicates)."""
    words = random.Random(number).sample(VOCABULARY, 16)
    return f"Topic {number}: " + " ".join(words) + "."


async def tick_statements(
    engine: AsyncEngine, *, materials: int, posts: int, schedules: int = 1
) -> int:
    """Statements of one tick running ``schedules`` schedules, in an organisation holding
    ``materials`` READY materials and ``posts`` published posts (with their embeddings)."""
    app = build_app(EmptyPostgresStore(engine))
    w = await world(app)
    await app.top_up(w.org)
    pillars = ContentPillars(
        pillars=tuple(ContentPillar(name=name, percentage=100 / 3) for name in PILLARS)
    )
    await app.brands.update_brand(w.owner, w.org, w.brand, UpdateBrand(content_pillars=pillars))
    ready = [
        await w.ready_material(topic(n), pillar=PILLARS[n % 3]) for n in range(materials + posts)
    ]
    for material in ready[materials:]:
        await w.generate(material)
    await w.content.publishing.publish_due(app.clock.now())
    for _ in range(schedules):
        await w.content.schedules.create_schedule(
            w.owner,
            w.org,
            w.brand,
            CreateSchedule(
                platforms=(X,),
                frequency=ScheduleFrequency.ONE_PER_DAY,
                times=("10:00",),
                days_of_week=(0, 1, 2, 3, 4, 5, 6),
                material_strategy=MaterialStrategy.PILLAR_BALANCED,
            ),
        )
    app.clock.set(MONDAY_10)
    async with app.ports.uow() as uow:
        assert len(await uow.posts.find(w.org)) == posts
        stored = await uow.embeddings.nearest(
            w.org, [1.0] * EMBEDDING_DIMENSIONS, since=MONDAY_10 - timedelta(days=1), limit=10**4
        )
    assert len(stored) == (materials + posts) + 2 * posts  # materials, pending posts, posts
    with counted_statements() as statements:
        report = await w.content.autopilot.tick(MONDAY_10)
    assert (report.schedules_run, report.posts_generated, report.published) == (
        schedules,
        schedules,
        schedules,
    )
    async with app.ports.uow() as uow:
        published = await uow.pending_posts.find(w.org, statuses=[PendingPostStatus.PUBLISHED])
    assert len(published) == posts + schedules
    return len(statements)


async def test_a_tick_costs_as_many_statements_with_ten_times_the_rows(
    pg_engine: AsyncEngine,
) -> None:
    small = await tick_statements(pg_engine, materials=3, posts=3)
    large = await tick_statements(pg_engine, materials=30, posts=30)
    assert large == small


async def test_a_tick_costs_more_statements_with_two_schedules_than_one(
    pg_engine: AsyncEngine,
) -> None:
    one = await tick_statements(pg_engine, materials=4, posts=3, schedules=1)
    two = await tick_statements(pg_engine, materials=4, posts=3, schedules=2)
    assert two > one
