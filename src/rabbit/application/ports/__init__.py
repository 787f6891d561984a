"""The ports: what the core needs from the outside world, as ``typing.Protocol`` classes.

Each port's docstring is its contract (ordering, what "not found" returns, which errors it
raises). Adapters in ``rabbit_memory``, ``rabbit_local`` and ``rabbit_postgres`` implement
them; the contract test suite (tests/contract) holds every adapter to the same words.
"""

from rabbit.application.ports.cipher import SecretContext, TokenCipher
from rabbit.application.ports.clock import Clock
from rabbit.application.ports.embedder import Embedder
from rabbit.application.ports.generator import ContentGenerator, GeneratedContent, GenerationRequest
from rabbit.application.ports.ids import IdGenerator
from rabbit.application.ports.notifier import ApprovalRequest, Notifier
from rabbit.application.ports.publisher import (
    PublishedPost,
    Publisher,
    PublishRejectedError,
    PublishRequest,
    PublishUnknownError,
    TokenRejectedError,
)
from rabbit.application.ports.random import RandomSource
from rabbit.application.ports.unit_of_work import (
    UnitOfWork,
    UnitOfWorkFactory,
    UnlockedWriteError,
)

__all__ = [
    "ApprovalRequest",
    "Clock",
    "ContentGenerator",
    "Embedder",
    "GeneratedContent",
    "GenerationRequest",
    "IdGenerator",
    "Notifier",
    "PublishRejectedError",
    "PublishRequest",
    "PublishUnknownError",
    "PublishedPost",
    "Publisher",
    "RandomSource",
    "SecretContext",
    "TokenCipher",
    "TokenRejectedError",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UnlockedWriteError",
]
