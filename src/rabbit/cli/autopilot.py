"""``rabbit autopilot tick``: the real job, for cron or a long-running service.

Each tick claims due schedules, generates, publishes due posts and expires stale ones
(:class:`rabbit.application.use_cases.autopilot.Autopilot`). Any number of these processes
may run at once: claims skip rows another worker holds.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from rabbit.bootstrap.containers import create_container, running
from rabbit.bootstrap.database import DATABASE_ERRORS
from rabbit.bootstrap.settings import Settings


async def run_ticks(
    settings: Settings, *, now: datetime | None, loop: bool, interval: float
) -> None:
    """One tick at ``now`` (default: the clock's now), or one every ``interval`` seconds."""
    if interval <= 0:
        raise ValueError("--interval must be a positive number of seconds")
    async with running(create_container(settings)) as container:
        autopilot = container.system().autopilot
        while True:
            try:
                report = await autopilot.tick(now)
            except DATABASE_ERRORS as exc:
                if not loop:
                    raise
                # a long-running worker outlives a database restart: the pool drops dead
                # connections on the error, and the next tick starts afresh
                print(f"rabbit: tick failed, retrying: {exc}", file=sys.stderr, flush=True)
                now = None
                await asyncio.sleep(interval)
                continue
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
