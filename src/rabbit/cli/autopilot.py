"""``rabbit autopilot tick``: the real job, for cron or a long-running service.

Each tick claims due schedules, generates, publishes due posts and expires stale ones
(:class:`rabbit.application.use_cases.autopilot.Autopilot`). Any number of these processes
may run at once: claims skip rows another worker holds.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from rabbit.bootstrap.containers import create_container, running
from rabbit.bootstrap.settings import Settings


async def run_ticks(
    settings: Settings, *, now: datetime | None, loop: bool, interval: float
) -> None:
    """One tick at ``now`` (default: the clock's now), or one every ``interval`` seconds."""
    if interval <= 0:
        raise ValueError("--interval must be a positive number of seconds")
    async with running(create_container(settings)) as container:
        autopilot = container.rabbit().autopilot
        while True:
            report = await autopilot.tick(now)
            print(
                f"tick: schedules={report.schedules_run} generated={report.posts_generated} "
                f"duplicates={report.duplicates_skipped} published={report.published} "
                f"failed={report.failed} expired={report.expired}",
                flush=True,
            )
            if not loop:
                return
            now = None  # later ticks run at the clock's instant
            await asyncio.sleep(interval)
