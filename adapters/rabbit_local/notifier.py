"""A notifier that logs approval requests (and keeps the most recent ones, for tests).

A development adapter (ADR 0029): the container wires it only in development; it keeps at
most ``keep`` notices (default :data:`~rabbit_local.history.DEFAULT_DEV_HISTORY`)."""

from __future__ import annotations

import logging
from collections import deque

from rabbit.application.ports.notifier import ApprovalRequest
from rabbit_local.history import DEFAULT_DEV_HISTORY, check_history

_log = logging.getLogger(__name__)


class LoggingNotifier:
    """Best effort by contract: it logs the notice and never raises."""

    def __init__(
        self, logger: logging.Logger | None = None, *, keep: int = DEFAULT_DEV_HISTORY
    ) -> None:
        self._log = logger or _log
        self._sent: deque[ApprovalRequest] = deque(maxlen=check_history(keep))

    @property
    def sent(self) -> list[ApprovalRequest]:
        """The ``keep`` most recent notices, oldest first."""
        return list(self._sent)

    async def approval_requested(self, request: ApprovalRequest) -> None:
        self._sent.append(request)
        try:
            self._log.info(
                "approval requested: pending post %s of brand %s (organization %s), "
                "expires %s, email=%s webhook=%s",
                request.pending_post_id,
                request.brand_profile_id,
                request.organization_id,
                request.expires_at.isoformat() if request.expires_at else "never",
                bool(request.email),
                bool(request.webhook),
            )
        except Exception:  # a broken log handler must not block generation
            return
