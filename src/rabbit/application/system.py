"""``RabbitSystem``: the system facade, every operation that runs without an actor.

Workers (the autopilot loop, the publisher, the metrics collector, a token refresh job, key
rotation, the key check at start, purge) and payment webhooks hold this facade; the
member-facing application holds :class:`~rabbit.application.facade.Rabbit` only. None of
these methods checks a role: the caller is trusted to be the system, so nothing that serves
members may hand it out (ADR 0018). Billing changes take the payment provider's reference
as an idempotency key (ADR 0019). Like the member facade, it hands each use case only the
ports and rules it uses (ADR 0025).
"""

from __future__ import annotations

from rabbit.application.context import Ports
from rabbit.application.shared_services import credits_of, generation_steps_of, publishing_of
from rabbit.application.use_cases.autopilot import Autopilot
from rabbit.application.use_cases.billing import Payments
from rabbit.application.use_cases.key_rotation import KeyRotation
from rabbit.application.use_cases.metrics import Metrics
from rabbit.application.use_cases.purge import Purge
from rabbit.application.use_cases.review import ReviewExpiry
from rabbit.application.use_cases.social_accounts import AccountTokens
from rabbit.application.use_cases.token_keys import TokenKeys


class RabbitSystem:
    """The system operations, grouped by area. Cheap to build; holds no state of its own."""

    def __init__(self, ports: Ports) -> None:
        # the one place that unpacks the bundle: each area gets only what it uses
        credits = credits_of(ports)
        self.payments = Payments(
            uow=ports.uow,
            clock=ports.clock,
            ids=ports.ids,
            credits=credits,
            enterprise_allowance=ports.config.enterprise_allowance,
        )
        self.account_tokens = AccountTokens(uow=ports.uow, clock=ports.clock, cipher=ports.cipher)
        self.metrics = Metrics(uow=ports.uow, clock=ports.clock, ids=ports.ids)
        self.key_rotation = KeyRotation(uow=ports.uow, clock=ports.clock, cipher=ports.cipher)
        self.token_keys = TokenKeys(uow=ports.uow, clock=ports.clock, cipher=ports.cipher)
        self.purge = Purge(
            uow=ports.uow, clock=ports.clock, purge_retention=ports.config.purge_retention
        )
        self.review_expiry = ReviewExpiry(
            uow=ports.uow, clock=ports.clock, tick_batch_size=ports.config.tick_batch_size
        )
        self.publishing = publishing_of(ports, credits)
        self.autopilot = Autopilot(
            uow=ports.uow,
            clock=ports.clock,
            random=ports.random,
            generation_steps=generation_steps_of(ports, credits),
            publishing=self.publishing,
            review_expiry=self.review_expiry,
            tick_batch_size=ports.config.tick_batch_size,
            slot_hold=ports.config.slot_hold,
            analytics_window=ports.config.analytics_window,
        )
