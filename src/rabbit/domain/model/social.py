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

    @classmethod
    def connected(
        cls,
        *,
        id: str,
        organization_id: str,
        platform: SocialPlatform,
        account_id: str,
        account_name: str,
        account_type: SocialAccountType | None,
        profile_url: str | None,
        avatar_url: str | None,
        access_token: str,
        refresh_token: str | None,
        token_expires_at: datetime | None,
        now: datetime,
    ) -> SocialAccount:
        """A newly connected account, active, at its first token version; the tokens
        already in their stored (encrypted) form."""
        return cls(
            id=id,
            organization_id=organization_id,
            platform=platform,
            account_id=account_id,
            account_name=account_name,
            account_type=account_type,
            profile_url=profile_url,
            avatar_url=avatar_url,
            access_token=access_token,
            refresh_token=refresh_token,
            token_expires_at=token_expires_at,
            created_at=now,
            updated_at=now,
        )

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
