"""The notifier port: tells a brand's reviewers that a post waits for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    organization_id: str
    brand_profile_id: str
    pending_post_id: str
    email: str | None
    webhook: str | None
    expires_at: datetime | None


class Notifier(Protocol):
    async def approval_requested(self, request: ApprovalRequest) -> None:
        """Deliver the notice (email and/or webhook). Best effort: a failure to deliver is
        logged by the adapter and never raised, so review never blocks generation."""
        ...
