"""A publisher that records posts in memory, with scripted faults for tests.

It behaves like a platform that honours idempotency keys: publishing twice under one key
returns the first result. Faults are scripted per call, so a test can reproduce exactly the
crash windows the exactly-once rule is about (rejected, lost before sending, lost after
sending).

It knows whose each access token is, as a platform does: :meth:`RecordingPublisher.
issue_token` hands out a token of one account (what an OAuth flow would return), and
:meth:`RecordingPublisher.account_of` answers the account behind a token it issued and
rejects any other.

It is a development adapter (ADR 0029): the container wires it only in development (explicit
``RABBIT_DEV=1``, the embedded server, the memory store). It remembers at most ``keep``
recent publications and issued tokens (default :data:`~rabbit_local.history.
DEFAULT_DEV_HISTORY`): an idempotency key or a token older than that is forgotten, as if the
platform had never seen it, so a long-running worker stays bounded.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rabbit.application.ports.publisher import (
    PublishedPost,
    PublishRejectedError,
    PublishRequest,
    PublishUnknownError,
    TokenRejectedError,
)
from rabbit.domain.enums import SocialPlatform
from rabbit_local.history import DEFAULT_DEV_HISTORY, check_history

ScriptedPublish = Literal["ok", "reject", "unknown_before_send", "unknown_after_send"]
"""How the fake platform answers one scripted ``publish`` call."""
ScriptedLookup = Literal["ok", "unavailable"]
"""How the fake platform answers one scripted ``lookup`` call."""


@dataclass(frozen=True, slots=True)
class PublishedRecord:
    """What reached the "platform": the request (token hidden from repr) and its result."""

    request: PublishRequest
    result: PublishedPost


class RecordingPublisher:
    """Publishes into memory, keeping the ``keep`` most recent posts; ``script`` queues
    outcomes of the next calls (then "ok")."""

    def __init__(
        self, outcomes: Iterable[ScriptedPublish] = (), *, keep: int = DEFAULT_DEV_HISTORY
    ) -> None:
        self._keep = check_history(keep)
        self._outcomes: deque[ScriptedPublish] = deque(outcomes)
        self._lookup_outcomes: deque[ScriptedLookup] = deque()
        self._by_key: dict[str, PublishedRecord] = {}
        self._records: deque[PublishedRecord] = deque()
        self._accounts: dict[tuple[SocialPlatform, str], str] = {}
        self._numbers: dict[SocialPlatform, int] = {}
        self._tokens_issued = 0
        self.calls = 0
        self.lookups = 0
        self.identity_checks = 0

    def issue_token(
        self, platform: SocialPlatform, account_id: str, token: str | None = None
    ) -> str:
        """An access token of ``account_id`` on ``platform`` (``token`` itself when given,
        else a new one), as the platform's OAuth flow would hand it out."""
        self._tokens_issued += 1
        if token is None:
            token = f"{platform.lower()}-token-{self._tokens_issued}-{account_id}"
        self._accounts.pop((platform, token), None)  # re-issued: now the most recent
        self._accounts[(platform, token)] = account_id
        if len(self._accounts) > self._keep:  # forget the oldest token (insertion order)
            del self._accounts[next(iter(self._accounts))]
        return token

    async def account_of(self, platform: SocialPlatform, access_token: str) -> str:
        self.identity_checks += 1
        account_id = self._accounts.get((platform, access_token))
        if account_id is None:
            raise TokenRejectedError(f"{platform} does not accept this access token")
        return account_id

    def script(self, *outcomes: ScriptedPublish) -> None:
        """Append outcomes for the next publish calls, one per call."""
        self._outcomes.extend(outcomes)

    def script_lookups(self, *outcomes: ScriptedLookup) -> None:
        """Append outcomes for the next lookups ("unavailable" raises PublishUnknownError)."""
        self._lookup_outcomes.extend(outcomes)

    @property
    def published(self) -> list[PublishedRecord]:
        """The distinct posts the platform holds (the ``keep`` most recent), in publishing
        order."""
        return list(self._records)

    async def publish(self, request: PublishRequest) -> PublishedPost:
        self.calls += 1
        outcome = self._outcomes.popleft() if self._outcomes else "ok"
        if outcome == "reject":
            raise PublishRejectedError(f"{request.platform} rejected the post")
        if outcome == "unknown_before_send":
            raise PublishUnknownError(f"connection to {request.platform} lost before sending")
        result = self._record(request)
        if outcome == "unknown_after_send":
            raise PublishUnknownError(f"no answer from {request.platform} after sending")
        return result

    async def lookup(
        self, platform: SocialPlatform, account_id: str, idempotency_key: str
    ) -> PublishedPost | None:
        self.lookups += 1
        outcome = self._lookup_outcomes.popleft() if self._lookup_outcomes else "ok"
        if outcome == "unavailable":
            raise PublishUnknownError(f"{platform} cannot be asked right now")
        record = self._by_key.get(idempotency_key)
        if record is None:
            return None
        if record.request.platform != platform or record.request.account_id != account_id:
            return None
        return record.result

    def _record(self, request: PublishRequest) -> PublishedPost:
        earlier = self._by_key.get(request.idempotency_key)
        if earlier is not None:
            return earlier.result
        number = self._numbers[request.platform] = self._numbers.get(request.platform, 0) + 1
        external_id = f"{request.platform.lower()}-{number}"
        result = PublishedPost(
            external_id=external_id,
            external_url=f"https://{request.platform.lower()}.example/posts/{external_id}",
        )
        record = PublishedRecord(request=request, result=result)
        self._by_key[request.idempotency_key] = record
        self._records.append(record)
        if len(self._records) > self._keep:  # forget the oldest post and its key
            forgotten = self._records.popleft()
            del self._by_key[forgotten.request.idempotency_key]
        return result
