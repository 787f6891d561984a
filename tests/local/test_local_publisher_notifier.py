"""The recording publisher (idempotency, scripted faults, whose a token is) and the logging
notifier."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from rabbit.application.ports import (
    ApprovalRequest,
    PublishRejectedError,
    PublishRequest,
    PublishUnknownError,
    TokenRejectedError,
)
from rabbit.domain.enums import SocialPlatform
from rabbit_local import LoggingNotifier, RecordingPublisher


def request(
    key: str = "pp1:TWITTER", platform: SocialPlatform = SocialPlatform.TWITTER
) -> PublishRequest:
    return PublishRequest(
        idempotency_key=key,
        platform=platform,
        account_id="acct-1",
        access_token="plain-token",
        content="Hello",
    )


async def test_publishing_records_the_post_with_a_deterministic_id() -> None:
    publisher = RecordingPublisher()
    first = await publisher.publish(request("a"))
    second = await publisher.publish(request("b"))
    linked_in = await publisher.publish(request("c", SocialPlatform.LINKEDIN))
    assert [first.external_id, second.external_id, linked_in.external_id] == [
        "twitter-1",
        "twitter-2",
        "linkedin-1",
    ]
    assert len(publisher.published) == 3


async def test_a_repeated_idempotency_key_returns_the_first_result() -> None:
    publisher = RecordingPublisher()
    first = await publisher.publish(request())
    again = await publisher.publish(request())
    assert again == first
    assert len(publisher.published) == 1


async def test_a_rejection_publishes_nothing() -> None:
    publisher = RecordingPublisher(["reject"])
    with pytest.raises(PublishRejectedError):
        await publisher.publish(request())
    assert publisher.published == []
    assert await publisher.lookup(SocialPlatform.TWITTER, "acct-1", "pp1:TWITTER") is None


async def test_unknown_before_send_publishes_nothing() -> None:
    publisher = RecordingPublisher()
    publisher.script("unknown_before_send")
    with pytest.raises(PublishUnknownError):
        await publisher.publish(request())
    assert publisher.published == []


async def test_unknown_after_send_is_settled_by_lookup_and_a_retry_does_not_duplicate() -> None:
    publisher = RecordingPublisher(["unknown_after_send"])
    with pytest.raises(PublishUnknownError):
        await publisher.publish(request())

    found = await publisher.lookup(SocialPlatform.TWITTER, "acct-1", "pp1:TWITTER")
    retried = await publisher.publish(request())

    assert found is not None
    assert retried == found
    assert len(publisher.published) == 1


async def test_lookup_can_be_made_unavailable() -> None:
    publisher = RecordingPublisher()
    publisher.script_lookups("unavailable")
    with pytest.raises(PublishUnknownError):
        await publisher.lookup(SocialPlatform.TWITTER, "acct-1", "k")
    assert await publisher.lookup(SocialPlatform.TWITTER, "acct-1", "k") is None


async def test_lookup_is_scoped_to_platform_and_account() -> None:
    publisher = RecordingPublisher()
    await publisher.publish(request("k"))
    assert await publisher.lookup(SocialPlatform.LINKEDIN, "acct-1", "k") is None
    assert await publisher.lookup(SocialPlatform.TWITTER, "acct-2", "k") is None


def test_the_token_stays_out_of_the_records_repr() -> None:
    assert "plain-token" not in repr(request())


async def test_notifier_keeps_and_logs_the_request(caplog: pytest.LogCaptureFixture) -> None:
    notifier = LoggingNotifier()
    notice = ApprovalRequest(
        organization_id="org1",
        brand_profile_id="b1",
        pending_post_id="pp1",
        email="team@example.com",
        webhook=None,
        expires_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    with caplog.at_level(logging.INFO, logger="rabbit_local.notifier"):
        await notifier.approval_requested(notice)
    assert notifier.sent == [notice]
    assert "pp1" in caplog.text


async def test_notifier_never_raises_when_logging_fails() -> None:
    class Broken(logging.Logger):
        def info(self, *args: object, **kwargs: object) -> None:
            raise OSError("disk full")

    notifier = LoggingNotifier(Broken("broken"))
    notice = ApprovalRequest("o", "b", "p", None, None, None)
    await notifier.approval_requested(notice)
    assert notifier.sent == [notice]


async def test_the_fake_platform_knows_whose_each_token_it_issued_is() -> None:
    platform = RecordingPublisher()
    x = SocialPlatform.TWITTER
    first = platform.issue_token(x, "tw-1")
    second = platform.issue_token(x, "tw-2")
    given = platform.issue_token(SocialPlatform.LINKEDIN, "li-1", "chosen-token")
    assert len({first, second, given}) == 3
    assert given == "chosen-token"
    assert await platform.account_of(x, first) == "tw-1"
    assert await platform.account_of(x, second) == "tw-2"
    assert await platform.account_of(SocialPlatform.LINKEDIN, "chosen-token") == "li-1"
    assert platform.identity_checks == 3


@pytest.mark.parametrize(
    ("platform", "token"),
    [(SocialPlatform.TWITTER, "never-issued"), (SocialPlatform.LINKEDIN, "tw-only")],
    ids=["unknown-token", "another-platforms-token"],
)
async def test_the_fake_platform_rejects_a_token_it_did_not_issue(
    platform: SocialPlatform, token: str
) -> None:
    publisher = RecordingPublisher()
    publisher.issue_token(SocialPlatform.TWITTER, "tw-1", "tw-only")
    with pytest.raises(TokenRejectedError) as rejected:
        await publisher.account_of(platform, token)
    assert token not in str(rejected.value)


async def test_the_recording_publisher_keeps_only_its_most_recent_posts() -> None:
    """A long-running development worker stays bounded (ADR 0029): past ``keep`` posts the
    oldest is forgotten, with its idempotency key; numbering goes on."""
    publisher = RecordingPublisher(keep=3)
    results = [await publisher.publish(request(f"k{number}")) for number in range(5)]

    assert [r.request.idempotency_key for r in publisher.published] == ["k2", "k3", "k4"]
    assert len(publisher._by_key) == 3
    assert [r.external_id for r in results] == [f"twitter-{n}" for n in range(1, 6)]
    x = SocialPlatform.TWITTER
    assert await publisher.lookup(x, "acct-1", "k4") == results[4]
    assert await publisher.lookup(x, "acct-1", "k0") is None  # forgotten
    assert (await publisher.publish(request("k4"))) == results[4]  # still idempotent


async def test_the_recording_publisher_forgets_its_oldest_tokens() -> None:
    platform = RecordingPublisher(keep=2)
    x = SocialPlatform.TWITTER
    tokens = [platform.issue_token(x, f"tw-{number}") for number in range(3)]

    assert await platform.account_of(x, tokens[2]) == "tw-2"
    assert await platform.account_of(x, tokens[1]) == "tw-1"
    with pytest.raises(TokenRejectedError):
        await platform.account_of(x, tokens[0])


async def test_the_logging_notifier_keeps_only_its_most_recent_notices() -> None:
    notifier = LoggingNotifier(keep=2)
    notices = [ApprovalRequest("o", "b", f"p{number}", None, None, None) for number in range(3)]
    for notice in notices:
        await notifier.approval_requested(notice)

    assert notifier.sent == notices[1:]


@pytest.mark.parametrize("keep", [0, -1])
def test_a_history_bound_below_one_is_refused(keep: int) -> None:
    with pytest.raises(ValueError, match="keep"):
        RecordingPublisher(keep=keep)
    with pytest.raises(ValueError, match="keep"):
        LoggingNotifier(keep=keep)
