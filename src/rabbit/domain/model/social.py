"""Connected social accounts. Tokens are held encrypted; the plain form never lives here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rabbit.domain.enums import SocialAccountType, SocialPlatform


@dataclass(kw_only=True, slots=True)
class SocialAccount:
    """A platform account of the organisation.

    ``access_token`` and ``refresh_token`` hold ciphertext (the token cipher's stored form);
    ``token_version`` rises on every token change, for compare-and-set refreshes.
    """

    id: str
    organization_id: str
    platform: SocialPlatform
    account_id: str
    account_name: str
    account_type: SocialAccountType | None = None
    profile_url: str | None = None
    avatar_url: str | None = None
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    token_expires_at: datetime | None = None
    token_version: int = 1
    is_active: bool = True
    deleted_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def is_usable(self) -> bool:
        """Active and not deleted: may publish."""
        return self.is_active and self.deleted_at is None

    def refresh_tokens(
        self,
        access_token: str,
        refresh_token: str | None,
        expires_at: datetime | None,
        *,
        from_version: int,
        now: datetime,
    ) -> None:
        """The (encrypted) tokens a refresh that started from ``from_version`` returned;
        the store keeps them only if the version is still that one (compare-and-set)."""
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.token_expires_at = expires_at
        self.token_version = from_version + 1
        self.updated_at = now

    def reencrypt_tokens(
        self, access_token: str | None, refresh_token: str | None, now: datetime
    ) -> None:
        """The stored forms of its tokens under a new key (None keeps a token as it is): a
        new token version, as for any token change."""
        self.access_token = access_token or self.access_token
        self.refresh_token = refresh_token or self.refresh_token
        self.token_version += 1
        self.updated_at = now

    def deactivate(self, now: datetime) -> None:
        """The platform refused its refresh token: it publishes no more until reconnected."""
        self.is_active = False
        self.updated_at = now

    def disconnect(self, now: datetime) -> None:
        """Soft delete and deactivate; the platform account may be connected again later."""
        self.is_active = False
        self.deleted_at = self.updated_at = now
