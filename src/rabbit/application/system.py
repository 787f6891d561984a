"""``RabbitSystem``: the system facade, every operation that runs without an actor.

Workers (the autopilot loop, the publisher, the metrics collector, a token refresh job, key
rotation, the key check at start, purge) and payment webhooks hold this facade; the
member-facing application holds :class:`~rabbit.application.facade.Rabbit` only. None of
these methods checks a role: the caller is trusted to be the system, so nothing that serves
members may hand it out (ADR 0018). Billing changes take the payment provider's reference
as an idempotency key (ADR 0019).
"""

from __future__ import annotations

from rabbit.application.context import Ports
from rabbit.application.use_cases.autopilot import Autopilot
from rabbit.application.use_cases.billing import Payments
from rabbit.application.use_cases.key_rotation import KeyRotation
from rabbit.application.use_cases.metrics import Metrics
from rabbit.application.use_cases.publishing import Publishing
from rabbit.application.use_cases.purge import Purge
from rabbit.application.use_cases.review import ReviewExpiry
from rabbit.application.use_cases.social_accounts import AccountTokens
from rabbit.application.use_cases.token_keys import TokenKeys


class RabbitSystem:
    """The system operations, grouped by area. Cheap to build; holds no state of its own."""

    def __init__(self, ports: Ports) -> None:
        self.payments = Payments(ports)
        self.account_tokens = AccountTokens(ports)
        self.metrics = Metrics(ports)
        self.key_rotation = KeyRotation(ports)
        self.token_keys = TokenKeys(ports)
        self.purge = Purge(ports)
        self.review_expiry = ReviewExpiry(ports)
        self.publishing = Publishing(ports)
        self.autopilot = Autopilot(ports)
