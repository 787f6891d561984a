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
