"""Stand-ins for ports an application must plug in itself (ADR 0029).

Outside explicit development mode the composition root puts these where the development
adapters (the recording publisher, the logging notifier) would go, so an application that
forgets its own publisher is told so instead of "publishing" into memory:

- :class:`UnconfiguredPublisher` refuses every call with
  :class:`~rabbit.domain.errors.AdapterNotConfiguredError`; the tick and
  ``publish_due`` ask :func:`refuse_unconfigured` first, so they stop before anything is
  charged, attempted or marked.
- :class:`UnconfiguredNotifier` keeps the notifier's contract (best effort, never raises):
  it logs an ERROR for each notice it cannot deliver and keeps nothing.
"""

from __future__ import annotations

import logging
from typing import NoReturn

from rabbit.application.ports.notifier import ApprovalRequest
from rabbit.application.ports.publisher import PublishedPost, PublishRequest
from rabbit.domain.enums import SocialPlatform
from rabbit.domain.errors import AdapterNotConfiguredError

_log = logging.getLogger(__name__)


class UnconfiguredPublisher:
    """A publisher with no platform behind it: every call raises, nothing is sent."""

    def __init__(self, hint: str) -> None:
        self._hint = hint

    def refuse(self) -> NoReturn:
        """Raise the error that names the provider to override."""
        raise AdapterNotConfiguredError("publisher", self._hint)

    async def publish(self, request: PublishRequest) -> PublishedPost:
        self.refuse()

    async def lookup(
        self, platform: SocialPlatform, account_id: str, idempotency_key: str
    ) -> PublishedPost | None:
        self.refuse()

    async def account_of(self, platform: SocialPlatform, access_token: str) -> str:
        self.refuse()


class UnconfiguredNotifier:
    """A notifier that delivers nothing and says so at ERROR, once per notice."""

    def __init__(self, hint: str, logger: logging.Logger | None = None) -> None:
        self._message = AdapterNotConfiguredError("notifier", hint).message
        self._log = logger or _log

    async def approval_requested(self, request: ApprovalRequest) -> None:
        try:
            self._log.error(
                "approval notice for pending post %s of organization %s not delivered: %s",
                request.pending_post_id,
                request.organization_id,
                self._message,
            )
        except Exception:  # best effort by contract: never raise
            return


def refuse_unconfigured(adapter: object) -> None:
    """Raise AdapterNotConfiguredError when ``adapter`` is the unconfigured publisher."""
    if isinstance(adapter, UnconfiguredPublisher):
        adapter.refuse()
