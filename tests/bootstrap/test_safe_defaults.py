"""Safe defaults (ADR 0029): development adapters only in development, a refusing publisher
elsewhere, and no override after a provider was used.

"Production" here is a container built from settings naming a ``DATABASE_URL`` server without
``RABBIT_DEV``; its store is then pointed at a memory database that a development app
filled, so the tick's refusal can be checked row by row without a server.
"""

from __future__ import annotations

import copy
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from dependency_injector import providers

from rabbit.application.ports.notifier import ApprovalRequest
from rabbit.application.ports.publisher import TokenRejectedError
from rabbit.application.ports.unconfigured import UnconfiguredNotifier, UnconfiguredPublisher
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.application.use_cases.social_accounts import ConnectAccount
from rabbit.bootstrap.containers import (
    Container,
    OverrideAfterUseError,
    create_container,
)
from rabbit.bootstrap.settings import Settings, StoreKind
from rabbit.domain.enums import PendingPostStatus, SocialPlatform
from rabbit.domain.errors import AdapterNotConfiguredError
from rabbit_local import FakeClock, LoggingNotifier, RecordingPublisher
from rabbit_memory import MemoryDatabase, MemoryUnitOfWork, MemoryUnitOfWorkFactory
from support.keys import TEST_TOKEN_KEYS
from use_cases.app import START, App, build_app
from use_cases.content_support import TOPICS, World, X, world

SERVER = "postgresql://u@127.0.0.1:1/db"  # never contacted


def production(tmp_path: Path) -> Settings:
    return Settings(database_url=SERVER, token_keys=TEST_TOKEN_KEYS, data_dir=tmp_path)


@pytest.mark.parametrize(
    ("fields", "development"),
    [
        ({"database_url": SERVER, "token_keys": TEST_TOKEN_KEYS}, False),
        ({"database_url": SERVER, "token_keys": TEST_TOKEN_KEYS, "dev": True}, True),
        ({"store": StoreKind.MEMORY}, True),
        ({}, True),  # the embedded server
    ],
    ids=["database-url", "database-url-dev", "memory", "embedded"],
)
def test_the_development_adapters_are_the_defaults_only_in_development(
    tmp_path: Path, fields: dict[str, object], development: bool
) -> None:
    container = create_container(Settings(data_dir=tmp_path, **fields))  # type: ignore[arg-type]

    publisher, notifier = container.services.publisher(), container.services.notifier()

    if development:
        assert isinstance(publisher, RecordingPublisher)
        assert isinstance(notifier, LoggingNotifier)
    else:
        assert isinstance(publisher, UnconfiguredPublisher)
        assert isinstance(notifier, UnconfiguredNotifier)


async def test_the_development_adapters_keep_the_configured_history(tmp_path: Path) -> None:
    container = create_container(Settings(store=StoreKind.MEMORY, data_dir=tmp_path, dev_history=3))
    publisher = container.services.publisher()
    tokens = [publisher.issue_token(X, f"acct-{number}") for number in range(4)]

    assert await publisher.account_of(X, tokens[-1]) == "acct-3"
    with pytest.raises(TokenRejectedError):  # the oldest of four was forgotten
        await publisher.account_of(X, tokens[0])


class Production:
    """A development app that filled a memory database, and a production container over
    that same database (same clock, same token keys)."""

    def __init__(self, tmp_path: Path) -> None:
        self.database = MemoryDatabase()
        self.app: App = build_app(MemoryUnitOfWorkFactory(self.database))
        self.container: Container = create_container(production(tmp_path))
        self.container.store.uow.override(
            providers.Factory(MemoryUnitOfWork, database=self.database)
        )
        self.container.services.clock.override(providers.Object(self.app.clock))
        self.container.services.cipher.override(providers.Object(self.app.ports.cipher))

    def snapshot(self) -> dict[str, dict[str, object]]:
        return copy.deepcopy(self.database.tables)


async def due_work(app: App) -> World:
    """A due schedule with a ready material, and an approved post due for publishing."""
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    await w.ready_material(TOPICS[1])
    await w.content.schedules.create_schedule(
        w.owner,
        w.org,
        w.brand,
        CreateSchedule(platforms=(X,), times=("10:00",), days_of_week=(0, 1, 2, 3, 4, 5, 6)),
    )
    (pending,) = await w.generate(material)
    assert pending.status is PendingPostStatus.AUTO_APPROVED
    app.clock.advance(timedelta(hours=1))  # the schedule's 10:00 slot is due
    return w


async def test_a_tick_without_a_configured_publisher_refuses_and_changes_nothing(
    tmp_path: Path,
) -> None:
    setup = Production(tmp_path)
    w = await due_work(setup.app)
    before, credits = setup.snapshot(), await w.credits()

    with pytest.raises(AdapterNotConfiguredError) as refused:
        await setup.container.system().autopilot.tick()

    assert refused.value.port == "publisher"
    assert "container.services.publisher" in refused.value.message
    assert "RABBIT_DEV=1" in refused.value.message
    assert setup.snapshot() == before  # no slot claimed, nothing generated, charged, tried
    assert await w.credits() == credits


async def test_publishing_without_a_configured_publisher_refuses_and_changes_nothing(
    tmp_path: Path,
) -> None:
    setup = Production(tmp_path)
    w = await due_work(setup.app)
    async with setup.app.ports.uow() as uow:
        (pending,) = await uow.pending_posts.find(w.org)
    before = setup.snapshot()
    publishing = setup.container.system().publishing

    with pytest.raises(AdapterNotConfiguredError):
        await publishing.publish_due(setup.app.clock.now())
    with pytest.raises(AdapterNotConfiguredError):
        await publishing.publish_platform(w.org, pending.id, X, setup.app.clock.now())

    assert setup.snapshot() == before  # no credit reserved, no attempt, still APPROVED


async def test_connecting_an_account_without_a_configured_publisher_refuses(
    tmp_path: Path,
) -> None:
    setup = Production(tmp_path)
    w = await world(setup.app)
    before = setup.snapshot()

    with pytest.raises(AdapterNotConfiguredError, match="no publisher is configured"):
        await setup.container.rabbit().social_accounts.connect_account(
            w.owner,
            w.org,
            ConnectAccount(
                platform=SocialPlatform.LINKEDIN,
                account_id="li-new",
                account_name="@new",
                access_token="some-token",
            ),
        )

    assert setup.snapshot() == before


async def test_the_unconfigured_notifier_logs_an_error_and_never_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    notifier = UnconfiguredNotifier("override container.services.notifier")
    notice = ApprovalRequest("org-1", "brand-1", "pp-1", "a@example.com", None, None)

    with caplog.at_level(logging.ERROR):
        await notifier.approval_requested(notice)

    (record,) = caplog.records
    assert record.levelno == logging.ERROR
    assert "pp-1" in record.getMessage()
    assert "no notifier is configured" in record.getMessage()
    assert "a@example.com" not in record.getMessage()  # no personal data (ADR 0021)


async def test_a_configured_publisher_makes_the_production_tick_publish(tmp_path: Path) -> None:
    """The refusal goes as soon as the application plugs in its publisher."""
    setup = Production(tmp_path)
    setup.container.services.publisher.override(providers.Object(setup.app.platform))
    w = await due_work(setup.app)
    credits = await w.credits()

    report = await setup.container.system().autopilot.tick()

    assert report.schedules_run == 1
    assert report.published >= 1
    assert len(setup.app.platform.published) == report.published
    assert await w.credits() < credits


def test_an_override_before_first_use_is_what_the_facades_use(tmp_path: Path) -> None:
    container = create_container(Settings(store=StoreKind.MEMORY, data_dir=tmp_path))
    platform, clock = RecordingPublisher(), FakeClock(START)
    container.services.publisher.override(providers.Object(platform))
    container.services.clock.override(providers.Object(clock))

    ports = container.ports()

    assert ports.publisher is platform
    assert ports.clock is clock


@pytest.mark.parametrize("use", ["ports", "rabbit", "system"])
def test_an_override_after_first_use_raises_naming_the_provider(tmp_path: Path, use: str) -> None:
    container = create_container(Settings(store=StoreKind.MEMORY, data_dir=tmp_path))
    first = container.services.publisher()
    getattr(container, use)()

    with pytest.raises(OverrideAfterUseError, match=r"^container\.services\.publisher was"):
        container.services.publisher.override(providers.Object(RecordingPublisher()))
    with pytest.raises(OverrideAfterUseError, match=r"^container\.ports was"):
        container.ports.override(providers.Object(None))

    assert container.ports().publisher is first  # nothing changed
    assert container.services.publisher() is first


async def test_the_store_refuses_an_override_once_a_unit_of_work_was_opened(
    tmp_path: Path,
) -> None:
    container = create_container(Settings(store=StoreKind.MEMORY, data_dir=tmp_path))
    async with container.ports().uow():
        pass

    with pytest.raises(OverrideAfterUseError, match=r"^container\.store\.uow was"):
        container.store.uow.override(providers.Factory(MemoryUnitOfWork, database=MemoryDatabase()))
