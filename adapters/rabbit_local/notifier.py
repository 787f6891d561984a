"""A notifier that logs approval requests (and keeps them, for tests)."""

from __future__ import annotations

import logging

from rabbit.application.ports.notifier import ApprovalRequest

_log = logging.getLogger(__name__)


class LoggingNotifier:
    """Best effort by contract: it logs the notice and never raises."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or _log
        self.sent: list[ApprovalRequest] = []

    async def approval_requested(self, request: ApprovalRequest) -> None:
        self.sent.append(request)
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
