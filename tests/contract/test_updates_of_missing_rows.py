"""``update`` of a row that is not stored raises NotFoundError, for every repository.

One table instead of a near-identical test per repository: each row names the repository
and builds a valid entity that was never added (its parents exist, so only the row itself
is missing). Rows whose set-up differs (members, publish attempts) keep their own tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import BrandProfile, Material, Organization, SocialAccount

from .builders import (
    a_brand,
    a_link,
    a_material,
    a_pending_post,
    a_post,
    a_schedule,
    a_social_account,
    a_subscription,
    a_user,
    an_external_source,
    an_organization,
)
from .conftest import ContractBackend


@dataclass(frozen=True)
class Parents:
    org: Organization
    brand: BrandProfile
    material: Material
    account: SocialAccount


UNSTORED: dict[str, Callable[[Parents], Any]] = {
    "users": lambda p: a_user(),
    "organizations": lambda p: an_organization(),
    "subscriptions": lambda p: a_subscription(p.org),
    "brands": lambda p: a_brand(p.org),
    "social_accounts": lambda p: a_social_account(p.org),
    "brand_accounts": lambda p: a_link(p.org, p.brand, p.account),
    "external_sources": lambda p: an_external_source(p.org, p.brand),
    "schedules": lambda p: a_schedule(p.org, p.brand),
    "materials": lambda p: a_material(p.org),
    "pending_posts": lambda p: a_pending_post(p.org, p.brand, p.material),
    "posts": lambda p: a_post(p.org, p.brand, p.account),
}


@pytest.mark.parametrize("repository", sorted(UNSTORED))
async def test_updating_a_row_that_was_never_stored_raises_not_found(
    backend: ContractBackend,
    repository: str,
    org: Organization,
    brand: BrandProfile,
    material: Material,
    account: SocialAccount,
) -> None:
    entity = UNSTORED[repository](Parents(org, brand, material, account))

    with pytest.raises(NotFoundError):
        await backend.write(lambda uow: getattr(uow, repository).update(entity))
