"""Local adapters that need neither a database nor a network: clocks, ids, randomness, a
hashing embedder, a template generator, an AES-GCM token cipher, a recording publisher and
a logging notifier; and ``net.resolve_public``, the resolve-time guard every outbound HTTP
adapter must use (ADR 0022)."""

from rabbit_local.cipher import AesGcmTokenCipher, encode_key, generate_key, parse_keys
from rabbit_local.clock import FakeClock, SystemClock
from rabbit_local.embedder import HashingEmbedder
from rabbit_local.generator import TemplateContentGenerator
from rabbit_local.ids import Cuid2Ids, SequentialIds
from rabbit_local.notifier import LoggingNotifier
from rabbit_local.publisher import PublishedRecord, RecordingPublisher
from rabbit_local.random import SeededRandom

__all__ = [
    "AesGcmTokenCipher",
    "Cuid2Ids",
    "FakeClock",
    "HashingEmbedder",
    "LoggingNotifier",
    "PublishedRecord",
    "RecordingPublisher",
    "SeededRandom",
    "SequentialIds",
    "SystemClock",
    "TemplateContentGenerator",
    "encode_key",
    "generate_key",
    "parse_keys",
]
