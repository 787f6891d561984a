"""Which account publishes a brand's post on a platform, and its token, in a caller's unit
of work.

The choice itself is the domain's
(:func:`~rabbit.domain.policies.publishing_account.choose_publishing_account`); this module
loads what it needs (the brand's links and their live accounts) and reads the chosen
account's access token, decrypted bound to that account (ADR 0016). Publishing calls both;
the links use case shows the choice to members.
"""

from __future__ import annotations

from dataclasses import dataclass

from rabbit.application.ports import TokenCipher, UnitOfWork
from rabbit.application.use_cases.social_accounts import token_context
from rabbit.domain.enums import SocialPlatform
from rabbit.domain.errors import UnreadableSecretError
from rabbit.domain.model import SocialAccount
from rabbit.domain.policies.publishing_account import choose_publishing_account


@dataclass(frozen=True, slots=True)
class UnreadableToken:
    """The stored token is not this account's (moved from another row, or altered): the
    account must be reconnected."""

    reason: str


async def find_publishing_account(
    uow: UnitOfWork, organization_id: str, brand_id: str, platform: SocialPlatform
) -> SocialAccount | None:
    """The account that publishes the brand's posts on ``platform``; None when there is
    none usable."""
    links = await uow.brand_accounts.list_for_brand(organization_id, brand_id)
    accounts = {}
    for link in links:
        if link.platform == platform:
            account = await uow.social_accounts.get(organization_id, link.social_account_id)
            if account is not None:
                accounts[account.id] = account
    return choose_publishing_account(platform, links, accounts)


def read_access_token(cipher: TokenCipher, account: SocialAccount) -> str | UnreadableToken:
    """The account's access token in plain text (never log it, ADR 0021), or
    :class:`UnreadableToken` when the stored value cannot be this account's. A missing key
    or an unmigrated database raises UnreadableSecretError: that is the deployment's fault,
    not the account's."""
    context = token_context(account.organization_id, account.id, "access_token")
    try:
        return cipher.decrypt(account.access_token, context)
    except UnreadableSecretError as exc:
        if not exc.value_is_bad:
            raise
        return UnreadableToken(exc.reason)
