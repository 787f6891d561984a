"""A simulated run on Postgres across London's fall-back (25 October 2026).

The New York fall-back is covered on both stores by ``tests/use_cases/test_autopilot.py``
(its ``store_factory`` is parametrised over memory and Postgres); this adds the European
change, a week earlier, with the same approach: a FakeClock ticking every 30 minutes, and
the scheduled_for of every post converted to the schedule's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rabbit.domain.enums import PendingPostStatus
from use_cases import test_autopilot as autopilot
from use_cases.app import App
from use_cases.content_support import TOPICS, world

pytestmark = pytest.mark.postgres

LONDON = ZoneInfo("Europe/London")


async def test_ticks_across_the_london_fall_back_post_at_the_local_times(pg_app: App) -> None:
    app = pg_app
    app.clock.set(datetime(2026, 10, 21, 12, 0, tzinfo=UTC))
    w = await world(app)
    await app.top_up(w.org)
    for topic in TOPICS:
        await w.ready_material(topic)
    start = datetime(2026, 10, 23, 0, 0, tzinfo=UTC)  # Friday
    app.clock.set(start)
    await autopilot.schedule(w, ("09:00", "17:00"), timezone="Europe/London")
    now = start
    while now < datetime(2026, 10, 28, 0, 0, tzinfo=UTC):  # to Tuesday night
        await w.content.autopilot.tick(now)
        now = app.clock.advance(timedelta(minutes=30))
    pending, posts = await autopilot.everything(w)
    local = sorted(p.scheduled_for.astimezone(LONDON) for p in pending if p.scheduled_for)
    assert [(t.day, t.hour, t.minute) for t in local] == [
        (day, hour, 0) for day in (23, 24, 25, 26, 27) for hour in (9, 17)
    ]
    utc_hours = {p.scheduled_for.astimezone(UTC).hour for p in pending if p.scheduled_for}
    assert utc_hours == {8, 16, 9, 17}  # BST before 25 October, GMT from then on
    assert all(p.status is PendingPostStatus.PUBLISHED for p in pending)
    assert len(posts) == len(pending) == 10
