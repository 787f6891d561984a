"""Subscriptions and the credit ledger (behaviour.md, "Credits").

Tier changes, top-ups and queries are the owner's (MANAGE_BILLING) or everyone's
(VIEW_ANALYTICS, for the balance and ledger). Period renewal is run by the billing system
(a payment provider's webhook or a scheduler), not by a member, so it takes no actor; so is
a stand-alone deduction (:meth:`Billing.deduct_credits`), for a charge that pays for no
work of this service's own units of work (those charge inside them, see
:mod:`rabbit.application.credits`).

A tier change takes effect at once for the account limit and at the next renewal for the
allowance: credits already granted for the current period are neither taken back nor
topped up, which keeps the current period's ledger consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rabbit.application.authorization import authorize
from rabbit.application.context import Ports
from rabbit.application.credits import Credits
from rabbit.application.ports import UnitOfWork
from rabbit.application.use_cases._base import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.domain.enums import CreditAction, SubscriptionStatus, SubscriptionTier
from rabbit.domain.errors import NotFoundError
from rabbit.domain.model import CreditTransaction, Subscription
from rabbit.domain.policies.periods import renew
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.policies.pricing import TOPUP_CREDITS, tier_allowance


class ChangeTier(Command):
    tier: SubscriptionTier


@dataclass(frozen=True, slots=True)
class CreditBalance:
    """The current period's credits, as members see them."""

    tier: SubscriptionTier
    status: SubscriptionStatus
    credits_total: int
    credits_used: int
    credits_remaining: int
    current_period_start: datetime | None
    current_period_end: datetime | None


class Billing(UseCases):
    """Tier changes, renewals, top-ups, and the balance and ledger queries."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports
        self._credits = Credits(ports)

    async def change_tier(
        self, actor_id: str, organization_id: str, command: ChangeTier
    ) -> Subscription:
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BILLING)
            subscription = await self._subscription(uow, organization_id, for_update=True)
            subscription.tier = command.tier
            subscription.updated_at = self._ports.clock.now()
            await uow.subscriptions.update(subscription)
            await uow.commit()
        return subscription

    async def top_up(self, actor_id: str, organization_id: str) -> CreditTransaction:
        """A top-up purchase: +100 credits to the current period."""
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BILLING)
            transaction = await self._credits.grant(
                uow, organization_id, TOPUP_CREDITS, CreditAction.TOPUP, "top-up purchase"
            )
            await uow.commit()
        return transaction

    async def balance(self, actor_id: str, organization_id: str) -> CreditBalance:
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            s = await self._subscription(uow, organization_id)
        return CreditBalance(
            tier=s.tier,
            status=s.status,
            credits_total=s.credits_total,
            credits_used=s.credits_used,
            credits_remaining=s.credits_remaining,
            current_period_start=s.current_period_start,
            current_period_end=s.current_period_end,
        )

    async def ledger(
        self, actor_id: str, organization_id: str, *, current_period_only: bool = False
    ) -> list[CreditTransaction]:
        """Ledger rows by created_at (only the current period's when asked)."""
        async with self._ports.uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            since = None
            if current_period_only:
                since = (await self._subscription(uow, organization_id)).current_period_start
            return await uow.ledger.find(organization_id, since=since)

    async def _subscription(
        self, uow: UnitOfWork, organization_id: str, *, for_update: bool = False
    ) -> Subscription:
        return await _subscription(uow, organization_id, for_update=for_update)


class Payments(UseCases):
    """What the billing system reports (system calls, no actor: on the system facade)."""

    def __init__(self, ports: Ports) -> None:
        self._ports = ports
        self._credits = Credits(ports)

    async def renew_period(self, organization_id: str) -> Subscription:
        """Open the next period with the tier's allowance (unused credits are lost)."""
        async with self._ports.uow() as uow:
            subscription = await self._subscription(uow, organization_id, for_update=True)
            allowance = tier_allowance(subscription.tier, self._ports.config.enterprise_allowance)
            renew(subscription, self._ports.clock.now(), allowance)
            await uow.subscriptions.update(subscription)
            await self._credits.open_period(uow, subscription, allowance, "period renewal")
            await uow.commit()
        return subscription

    async def deduct_credits(
        self,
        organization_id: str,
        amount: int,
        action: CreditAction,
        description: str | None = None,
        related_post_id: str | None = None,
    ) -> CreditTransaction:
        """Deduct ``amount`` credits in a unit of work of its own (a system call).

        The subscription row is locked until the commit, so concurrent deductions never
        overdraw: InsufficientCreditsError, having changed nothing, when too few remain.
        """
        async with self._ports.uow() as uow:
            transaction = await self._credits.charge(
                uow, organization_id, amount, action, description, related_post_id
            )
            await uow.commit()
        return transaction

    async def _subscription(
        self, uow: UnitOfWork, organization_id: str, *, for_update: bool = False
    ) -> Subscription:
        return await _subscription(uow, organization_id, for_update=for_update)


async def _subscription(
    uow: UnitOfWork, organization_id: str, *, for_update: bool = False
) -> Subscription:
    subscription = await uow.subscriptions.get(organization_id, for_update=for_update)
    if subscription is None:
        raise NotFoundError("subscription", organization_id)
    return subscription
