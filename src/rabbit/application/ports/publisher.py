"""The publisher port: the social platforms (publishing, and whose a token is)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from rabbit.domain.enums import SocialPlatform


@dataclass(frozen=True, slots=True)
class PublishRequest:
    """One post to one platform. ``access_token`` is the only place a plain token exists."""

    idempotency_key: str
    platform: SocialPlatform
    account_id: str
    access_token: str = field(repr=False)
    content: str
    hashtags: tuple[str, ...] = ()
    media_urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PublishedPost:
    external_id: str
    external_url: str | None = None


class PublishRejectedError(Exception):
    """The platform refused the post and nothing was published: safe to retry."""


class PublishUnknownError(Exception):
    """The outcome is unknown (timeout, connection lost after sending): never retry blindly;
    settle it with :meth:`Publisher.lookup`."""


class TokenRejectedError(Exception):
    """The platform does not accept the access token (unknown, revoked or expired)."""


class Publisher(Protocol):
    async def publish(self, request: PublishRequest) -> PublishedPost:
        """Publish, or return the earlier result when the idempotency key was seen before.

        Raises PublishRejectedError when nothing was published and PublishUnknownError when
        the outcome is unknown."""
        ...

    async def lookup(
        self, platform: SocialPlatform, account_id: str, idempotency_key: str
    ) -> PublishedPost | None:
        """The post published under ``idempotency_key``, or None when there is none.

        Raises PublishUnknownError when the platform cannot be asked right now."""
        ...

    async def account_of(self, platform: SocialPlatform, access_token: str) -> str:
        """The id of the platform account ``access_token`` belongs to (the platform's "who
        am I" call), as the account's ``account_id`` names it.

        Connecting an account asks this first (outside any unit of work, ADR 0011), so an
        organisation can connect only an account whose token it holds (ADR 0018). Raises
        TokenRejectedError when the platform does not accept the token and
        PublishUnknownError when it cannot be asked right now."""
        ...
