"""Whether a generated post waits for review, and until when
(docs/behaviour.md#generation-and-approval).

A manual post follows the brand's ``auto_approve``; an autopilot post needs both the
brand's and the schedule's (either one asking for review wins). A post that waits for
review expires ``approval_timeout`` hours (the brand's) after it was generated.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

DEFAULT_APPROVAL_TIMEOUT_HOURS: Final = 24
"""A brand's review time unless it sets its own (``BrandProfile.approval_timeout``)."""


def auto_approves(brand_auto_approve: bool, schedule_auto_approve: bool | None = None) -> bool:
    """Whether a post skips review; ``schedule_auto_approve`` is None for a manual post."""
    return brand_auto_approve and schedule_auto_approve is not False


def approval_expires_at(generated_at: datetime, timeout_hours: int) -> datetime:
    """When a post generated at ``generated_at`` that waits for review expires."""
    return generated_at + timedelta(hours=timeout_hours)
