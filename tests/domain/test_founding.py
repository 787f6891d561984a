"""A new organisation: its creator as joined OWNER, a trial subscription with the bonus."""

from __future__ import annotations

from datetime import UTC, datetime

from rabbit.domain.enums import MemberRole, SubscriptionStatus, SubscriptionTier
from rabbit.domain.policies.founding import found_organization
from rabbit.domain.policies.pricing import REGISTRATION_BONUS, TRIAL_PERIOD

NOW = datetime(2025, 3, 1, 9, tzinfo=UTC)


def test_the_founder_owns_it_and_its_trial_holds_the_bonus() -> None:
    founded = found_organization(
        organization_id="org",
        owner_membership_id="member",
        subscription_id="sub",
        founder_id="user",
        name="Acme",
        slug="acme",
        logo=None,
        now=NOW,
    )
    owner, subscription = founded.owner, founded.subscription
    assert (founded.organization.id, founded.organization.slug) == ("org", "acme")
    assert (owner.organization_id, owner.user_id, owner.role) == ("org", "user", MemberRole.OWNER)
    assert owner.has_joined
    assert (subscription.organization_id, subscription.tier, subscription.status) == (
        "org",
        SubscriptionTier.FREE,
        SubscriptionStatus.TRIALING,
    )
    assert (subscription.credits_total, subscription.credits_used) == (REGISTRATION_BONUS, 0)
    assert subscription.current_period_start == NOW
    assert subscription.current_period_end == NOW + TRIAL_PERIOD
