"""The demo's closing tables, read back through the use cases."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from rabbit.application.facade import Rabbit

if TYPE_CHECKING:
    from rabbit.cli.demo import RunTotals


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.2%}"


async def print_report(
    console: Console, rabbit: Rabbit, organization_id: str, actor_id: str, totals: RunTotals
) -> None:
    dashboard = await rabbit.analytics.dashboard(actor_id, organization_id)
    table = Table(title="Dashboard")
    for column in ("active brands", "posts (30 days)", "READY materials", "credits left"):
        table.add_column(column, justify="right")
    table.add_row(
        str(dashboard.active_brands),
        str(dashboard.posts_last_30_days),
        str(dashboard.ready_materials),
        str(dashboard.credits_remaining),
    )
    console.print(table)

    run = Table(title="The autopilot run")
    run.add_column("what")
    run.add_column("count", justify="right")
    for label, value in (
        ("ticks (simulated hours)", totals.ticks),
        ("pending posts generated", totals.generated),
        ("dedup skips (too similar, another material taken)", totals.duplicates),
        ("slots with no post", totals.skipped_slots),
        ("approved by a reviewer", totals.approved),
        ("rejected by a reviewer", totals.rejected),
        ("platform posts published", totals.published),
        ("pending posts failed", totals.failed),
        ("pending posts expired", totals.expired),
        ("metric readings recorded", totals.metrics),
    ):
        run.add_row(label, str(value))
    console.print(run)

    for brand in await rabbit.brands.list_brands(actor_id, organization_id):
        angles = Table(title=f"Angle performance: {brand.name}")
        for column in ("angle", "posts", "mean engagement", "mean rate"):
            angles.add_column(column, justify="right" if column != "angle" else "left")
        for row in await rabbit.analytics.angle_performance(actor_id, organization_id, brand.id):
            angles.add_row(
                row.angle.value,
                str(row.post_count),
                f"{row.mean_engagement:.1f}",
                _rate(row.mean_engagement_rate),
            )
        console.print(angles)

    platforms = Table(title="Platform performance")
    for column in ("platform", "posts", "likes", "comments", "shares", "mean rate"):
        platforms.add_column(column, justify="right" if column != "platform" else "left")
    for platform in await rabbit.analytics.platform_performance(actor_id, organization_id):
        platforms.add_row(
            platform.platform.value,
            str(platform.post_count),
            str(platform.likes),
            str(platform.comments),
            str(platform.shares),
            _rate(platform.mean_engagement_rate),
        )
    console.print(platforms)

    ledger = await rabbit.billing.ledger(actor_id, organization_id)
    amounts: dict[str, int] = defaultdict(int)
    counts: Counter[str] = Counter()
    for entry in ledger:
        amounts[entry.action.value] += entry.amount
        counts[entry.action.value] += 1
    credits = Table(title="Credit ledger")
    for column in ("action", "rows", "credits"):
        credits.add_column(column, justify="right" if column != "action" else "left")
    for action in sorted(amounts):
        credits.add_row(action, str(counts[action]), f"{amounts[action]:+d}")
    balance = await rabbit.billing.balance(actor_id, organization_id)
    credits.add_row(
        "balance", "", f"{balance.credits_remaining} of {balance.credits_total}", style="bold"
    )
    console.print(credits)
