"""The attempt bookkeeping of exactly-once publishing (rabbit.domain.policies.publishing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rabbit.domain.enums import PublishAttemptStatus, SocialPlatform
from rabbit.domain.model import PublishAttempt
from rabbit.domain.policies.publishing import (
    DEFAULT_ATTEMPT_LEASE,
    NextStep,
    idempotency_key,
    next_attempt_number,
    next_step,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = PublishAttemptStatus


def attempt(number: int, status: PublishAttemptStatus, started_at: datetime = T0) -> PublishAttempt:
    return PublishAttempt(
        id=f"a{number}",
        organization_id="org",
        pending_post_id="pp",
        platform=SocialPlatform.TWITTER,
        social_account_id="acc",
        attempt_number=number,
        idempotency_key=idempotency_key("pp", SocialPlatform.TWITTER),
        status=status,
        started_at=started_at,
    )


def test_the_idempotency_key_is_the_same_for_every_try_of_a_platform() -> None:
    assert idempotency_key("pp", SocialPlatform.TWITTER) == "pp:TWITTER"
    assert idempotency_key("pp", SocialPlatform.LINKEDIN) != idempotency_key(
        "pp", SocialPlatform.TWITTER
    )


def test_a_first_try_starts() -> None:
    assert next_step([], 3) is NextStep.START
    assert next_attempt_number([]) == 1


def test_a_success_is_done() -> None:
    assert next_step([attempt(1, S.FAILED), attempt(2, S.SUCCEEDED)], 3) is NextStep.DONE


@pytest.mark.parametrize("status", [S.STARTED, S.UNKNOWN])
def test_an_unsettled_attempt_is_settled_before_anything_is_retried(
    status: PublishAttemptStatus,
) -> None:
    assert next_step([attempt(1, status)], 3) is NextStep.SETTLE


def test_a_started_attempt_within_its_lease_is_left_to_the_worker_that_may_still_call() -> None:
    attempts = [attempt(1, S.STARTED)]
    within = T0 + DEFAULT_ATTEMPT_LEASE - timedelta(seconds=1)
    assert next_step(attempts, 3, now=within) is NextStep.WAIT
    assert next_step(attempts, 3, now=T0 + DEFAULT_ATTEMPT_LEASE) is NextStep.SETTLE


def test_an_unknown_outcome_is_settled_at_once_because_its_call_has_returned() -> None:
    assert next_step([attempt(1, S.UNKNOWN)], 3, now=T0) is NextStep.SETTLE


def test_gives_up_after_the_allowed_number_of_failed_tries() -> None:
    failed = [attempt(n, S.FAILED) for n in (1, 2)]
    assert next_step(failed, 3) is NextStep.START
    assert next_attempt_number(failed) == 3
    assert next_step([*failed, attempt(3, S.FAILED)], 3) is NextStep.GIVE_UP
