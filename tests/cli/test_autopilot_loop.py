"""The long-running tick worker survives a lost database connection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from rabbit.application.use_cases.autopilot import TickReport
from rabbit.bootstrap.containers import create_container
from rabbit.bootstrap.settings import Settings, StoreKind
from rabbit.cli import autopilot as autopilot_cli
from rabbit_postgres.errors import ConnectionLostError


class StopLoopError(Exception):
    """Raised by the patched sleep to end the otherwise endless loop."""


class FlakyAutopilot:
    def __init__(self) -> None:
        self.calls = 0

    async def tick(self, now: datetime | None = None) -> TickReport:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionLostError("the connection to the server was lost")
        return TickReport(schedules_run=1)


async def test_a_looping_worker_reports_a_lost_connection_and_ticks_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flaky = FlakyAutopilot()
    container = create_container(Settings(store=StoreKind.MEMORY, data_dir=tmp_path))
    container.system().autopilot = flaky  # type: ignore[assignment]
    monkeypatch.setattr(autopilot_cli, "create_container", lambda settings: container)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise StopLoopError

    monkeypatch.setattr(autopilot_cli.asyncio, "sleep", sleep)
    with pytest.raises(StopLoopError):
        await autopilot_cli.run_ticks(
            Settings(store=StoreKind.MEMORY, data_dir=tmp_path), now=None, loop=True, interval=5
        )
    assert flaky.calls == 2
    captured = capsys.readouterr()
    assert "tick failed, retrying: the connection to the server was lost" in captured.err
    assert "tick: schedules=1" in captured.out


async def test_a_single_tick_lets_a_lost_connection_reach_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    container = create_container(Settings(store=StoreKind.MEMORY, data_dir=tmp_path))
    container.system().autopilot = FlakyAutopilot()  # type: ignore[assignment]
    monkeypatch.setattr(autopilot_cli, "create_container", lambda settings: container)
    with pytest.raises(ConnectionLostError):
        await autopilot_cli.run_ticks(
            Settings(store=StoreKind.MEMORY, data_dir=tmp_path),
            now=datetime(2026, 11, 2, 9, tzinfo=UTC),
            loop=False,
            interval=5,
        )
