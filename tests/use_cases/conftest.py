"""The ``ports`` the use-case tests run on: the memory store plus the local adapters.

``make_app`` builds a fresh, empty application (property tests need one per example);
``app`` is one of them. To run these tests on another store, parametrise ``store_factory``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from rabbit.application.context import CoreConfig, Ports
from rabbit.application.ports import UnitOfWorkFactory
from rabbit_local.cipher import AesGcmTokenCipher
from rabbit_local.clock import FakeClock
from rabbit_local.embedder import HashingEmbedder
from rabbit_local.generator import TemplateContentGenerator
from rabbit_local.ids import SequentialIds
from rabbit_local.notifier import LoggingNotifier
from rabbit_local.publisher import RecordingPublisher
from rabbit_local.random import SeededRandom
from rabbit_memory import MemoryUnitOfWorkFactory

from .app import App

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEYS = {"k1": bytes(range(32)), "k2": bytes(range(32, 64))}


def cipher(current: str = "k1") -> AesGcmTokenCipher:
    """The test cipher: both keys known, ``current`` encrypts."""
    return AesGcmTokenCipher(KEYS, current)


@pytest.fixture
def store_factory() -> Callable[[], UnitOfWorkFactory]:
    return MemoryUnitOfWorkFactory


@pytest.fixture
def make_app(store_factory: Callable[[], UnitOfWorkFactory]) -> Callable[[], App]:
    def build() -> App:
        clock = FakeClock(START)
        ports = Ports(
            uow=store_factory(),
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

    return build


@pytest.fixture
def app(make_app: Callable[[], App]) -> App:
    return make_app()
