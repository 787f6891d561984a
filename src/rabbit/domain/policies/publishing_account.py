"""Which connected account publishes a brand's post on a platform
(docs/behaviour.md#brands-accounts-and-links).

The brand's default account for that platform if it is usable (active and not deleted);
otherwise the first usable linked account of that platform, by the link's creation time
(then link id), so the choice is stable; otherwise none, and publishing to that platform
fails with a clear error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rabbit.domain.enums import SocialPlatform
from rabbit.domain.model import BrandProfileAccount, SocialAccount


def choose_publishing_account(
    platform: SocialPlatform,
    links: Sequence[BrandProfileAccount],
    accounts: Mapping[str, SocialAccount],
) -> SocialAccount | None:
    """Pick among a brand's ``links`` the account that publishes on ``platform``.

    ``accounts`` maps social account id to the account (deleted ones may be missing or
    present; either way they are not usable).
    """
    candidates = sorted(
        (link for link in links if link.platform == platform),
        key=lambda link: (link.created_at, link.id),
    )
    usable = [
        accounts[link.social_account_id]
        for link in candidates
        if link.social_account_id in accounts and accounts[link.social_account_id].is_usable
    ]
    for link in candidates:
        account = accounts.get(link.social_account_id)
        if link.is_default and account is not None and account.is_usable:
            return account
    return usable[0] if usable else None
