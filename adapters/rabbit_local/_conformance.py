"""Static proof (for mypy) that every local adapter fits its port structurally."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rabbit.application.ports import (
        Clock,
        ContentGenerator,
        Embedder,
        IdGenerator,
        Notifier,
        Publisher,
        RandomSource,
        TokenCipher,
    )
    from rabbit_local.cipher import AesGcmTokenCipher
    from rabbit_local.clock import FakeClock, SystemClock
    from rabbit_local.embedder import HashingEmbedder
    from rabbit_local.generator import TemplateContentGenerator
    from rabbit_local.ids import Cuid2Ids, SequentialIds
    from rabbit_local.notifier import LoggingNotifier
    from rabbit_local.publisher import RecordingPublisher
    from rabbit_local.random import SeededRandom

    def _fits(
        system: SystemClock,
        fake: FakeClock,
        cuid: Cuid2Ids,
        sequential: SequentialIds,
        seeded: SeededRandom,
        embedder: HashingEmbedder,
        generator: TemplateContentGenerator,
        cipher: AesGcmTokenCipher,
        publisher: RecordingPublisher,
        notifier: LoggingNotifier,
    ) -> None:
        _clocks: tuple[Clock, Clock] = (system, fake)
        _ids: tuple[IdGenerator, IdGenerator] = (cuid, sequential)
        _random: RandomSource = seeded
        _embedder: Embedder = embedder
        _generator: ContentGenerator = generator
        _cipher: TokenCipher = cipher
        _publisher: Publisher = publisher
        _notifier: Notifier = notifier
