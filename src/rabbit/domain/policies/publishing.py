"""Exactly-once publishing: attempt bookkeeping rules
(docs/behaviour.md#publishing-exactly-once-and-settlement).

Each try to publish a pending post to one platform is a PublishAttempt written (and
committed) before the platform call, under an idempotency key that is the same for every
try of that (pending post, platform). The state of the last attempt decides the next step:

- none, or the last one FAILED: a new attempt may start, unless ``max_attempts`` tries
  already failed (then the pending post becomes FAILED);
- STARTED (a crash between the commit and the platform's answer) or UNKNOWN (timeout):
  never retried blindly; the publisher's lookup by idempotency key settles it first. A
  STARTED attempt younger than the lease may still be in flight in another worker (its
  platform call not yet answered): it is left alone (WAIT) until the lease has passed, so
  a lookup cannot race the call it is meant to settle;
- SUCCEEDED: the platform has the post.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from rabbit.domain.enums import PublishAttemptStatus, SocialPlatform
from rabbit.domain.model import PublishAttempt


class NextStep(StrEnum):
    START = "START"
    SETTLE = "SETTLE"
    WAIT = "WAIT"
    DONE = "DONE"
    GIVE_UP = "GIVE_UP"


DEFAULT_MAX_PUBLISH_ATTEMPTS: Final = 3
"""Failed tries of one (pending post, platform) before it gives up
(``CoreConfig.publish_max_attempts``)."""
DEFAULT_ATTEMPT_LEASE: Final = timedelta(minutes=2)
"""How long a STARTED attempt is presumed in flight before a lookup may settle it
(``CoreConfig.publish_attempt_lease``)."""


UNSETTLED: frozenset[PublishAttemptStatus] = frozenset(
    {PublishAttemptStatus.STARTED, PublishAttemptStatus.UNKNOWN}
)


def idempotency_key(pending_post_id: str, platform: SocialPlatform) -> str:
    """Stable per (pending post, platform): every try hands the platform the same key."""
    return f"{pending_post_id}:{platform}"


def failed_count(attempts: Sequence[PublishAttempt]) -> int:
    return sum(1 for a in attempts if a.status is PublishAttemptStatus.FAILED)


def next_step(
    attempts: Sequence[PublishAttempt],
    max_attempts: int,
    *,
    now: datetime | None = None,
    lease: timedelta = DEFAULT_ATTEMPT_LEASE,
) -> NextStep:
    """What to do for one (pending post, platform), given its attempts by number.

    ``now`` enables the lease on STARTED attempts (None: settle them at once).
    """
    last = attempts[-1] if attempts else None
    if last is not None and last.status is PublishAttemptStatus.SUCCEEDED:
        return NextStep.DONE
    if (
        last is not None
        and last.status is PublishAttemptStatus.STARTED
        and now is not None
        and now - last.started_at < lease
    ):
        return NextStep.WAIT
    if last is not None and last.status in UNSETTLED:
        return NextStep.SETTLE
    if failed_count(attempts) >= max_attempts:
        return NextStep.GIVE_UP
    return NextStep.START


def next_attempt_number(attempts: Sequence[PublishAttempt]) -> int:
    return max((a.attempt_number for a in attempts), default=0) + 1


def start_attempt(
    attempt_id: str,
    pending_post_id: str,
    organization_id: str,
    platform: SocialPlatform,
    social_account_id: str,
    previous: Sequence[PublishAttempt],
    now: datetime,
) -> PublishAttempt:
    """The next STARTED attempt of a (pending post, platform) after ``previous``: numbered
    after them, under the key every try of the pair shares."""
    return PublishAttempt(
        id=attempt_id,
        organization_id=organization_id,
        pending_post_id=pending_post_id,
        platform=platform,
        social_account_id=social_account_id,
        attempt_number=next_attempt_number(previous),
        idempotency_key=idempotency_key(pending_post_id, platform),
        started_at=now,
    )
