"""What a new organisation starts with: its creator as OWNER and a trial subscription.

The creator joins at once (no invitation). The subscription is on the trial tier and status
(:mod:`rabbit.domain.policies.pricing`) and its first period, ``TRIAL_PERIOD`` long, holds
the ``REGISTRATION_BONUS``; the caller books that allowance as the period's first ledger row,
described as :data:`BONUS_DESCRIPTION`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from rabbit.domain.model import Organization, OrganizationMember, Subscription
from rabbit.domain.policies.pricing import (
    REGISTRATION_BONUS,
    TRIAL_PERIOD,
    TRIAL_STATUS,
    TRIAL_TIER,
)

BONUS_DESCRIPTION: Final = "registration bonus"
"""The description of the ledger row that books the registration bonus."""


@dataclass(frozen=True, slots=True)
class Founding:
    """The rows a new organisation is created with."""

    organization: Organization
    owner: OrganizationMember
    subscription: Subscription


def found_organization(
    *,
    organization_id: str,
    owner_membership_id: str,
    subscription_id: str,
    founder_id: str,
    name: str,
    slug: str,
    logo: str | None,
    now: datetime,
) -> Founding:
    """A new organisation owned by ``founder_id``, in its trial with the registration bonus.

    ``slug`` must already be checked (:func:`~rabbit.domain.policies.identity.check_slug`)."""
    organization = Organization.founded(
        id=organization_id, name=name, slug=slug, logo=logo, now=now
    )
    owner = OrganizationMember.founder(
        id=owner_membership_id, organization_id=organization_id, user_id=founder_id, now=now
    )
    subscription = Subscription.opened(
        id=subscription_id,
        organization_id=organization_id,
        tier=TRIAL_TIER,
        status=TRIAL_STATUS,
        now=now,
    )
    subscription.start_period(now, now + TRIAL_PERIOD, REGISTRATION_BONUS)
    return Founding(organization, owner, subscription)
