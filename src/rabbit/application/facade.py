"""``Rabbit``: the member facade, every use case a member calls, over one ``Ports`` bundle.

This is what an application layer holds for its users: ``rabbit.brands.create_brand(actor,
org, cmd)``. Every public use case on it takes the acting user (``actor_id``) and checks
their role, except :meth:`~rabbit.application.use_cases.organizations.Organizations.
register_user` (sign-up: there is no actor yet). What runs without an actor (payments,
token refreshes, metrics, key rotation, purge, review expiry, publishing, the autopilot)
is on :class:`~rabbit.application.system.RabbitSystem`, which only workers and payment
webhooks hold (ADR 0018). The facade keeps no public handle on its ports: whoever holds it
can reach the store only through the member use cases.

The container builds it; tests build it over in-memory adapters the same way. It unpacks
the bundle: each use case gets only the ports and rules it uses (ADR 0025).
"""

from __future__ import annotations

from rabbit.application.context import Ports
from rabbit.application.shared_services import credits_of, generation_steps_of, publishing_of
from rabbit.application.use_cases.analytics import Analytics
from rabbit.application.use_cases.billing import Billing
from rabbit.application.use_cases.brands import Brands
from rabbit.application.use_cases.external_sources import ExternalSources
from rabbit.application.use_cases.generation import Generations
from rabbit.application.use_cases.links import Links
from rabbit.application.use_cases.materials import Materials
from rabbit.application.use_cases.organizations import Organizations
from rabbit.application.use_cases.posts import Posts
from rabbit.application.use_cases.review import Review
from rabbit.application.use_cases.schedules import Schedules
from rabbit.application.use_cases.social_accounts import SocialAccounts


class Rabbit:
    """The member use cases, grouped by area. Cheap to build; holds no state of its own."""

    def __init__(self, ports: Ports) -> None:
        # the one place that unpacks the bundle: each area gets only what it uses
        credits = credits_of(ports)
        self.organizations = Organizations(
            uow=ports.uow, clock=ports.clock, ids=ports.ids, credits=credits
        )
        self.billing = Billing(uow=ports.uow)
        self.brands = Brands(uow=ports.uow, clock=ports.clock, ids=ports.ids)
        self.social_accounts = SocialAccounts(
            uow=ports.uow,
            clock=ports.clock,
            ids=ports.ids,
            cipher=ports.cipher,
            publisher=ports.publisher,
        )
        self.links = Links(uow=ports.uow, clock=ports.clock, ids=ports.ids)
        self.external_sources = ExternalSources(
            uow=ports.uow, clock=ports.clock, ids=ports.ids, cipher=ports.cipher
        )
        self.schedules = Schedules(uow=ports.uow, clock=ports.clock, ids=ports.ids)
        self.materials = Materials(
            uow=ports.uow,
            clock=ports.clock,
            ids=ports.ids,
            random=ports.random,
            embedder=ports.embedder,
            analytics_window=ports.config.analytics_window,
            dedup_window=ports.config.dedup_window,
        )
        self.generations = Generations(
            uow=ports.uow, clock=ports.clock, generation_steps=generation_steps_of(ports, credits)
        )
        self.review = Review(
            uow=ports.uow, clock=ports.clock, ids=ports.ids, embedder=ports.embedder
        )
        self.analytics = Analytics(
            uow=ports.uow, clock=ports.clock, analytics_window=ports.config.analytics_window
        )
        self.posts = Posts(
            uow=ports.uow,
            clock=ports.clock,
            publishing=publishing_of(ports, credits),
            publish_max_attempts=ports.config.publish_max_attempts,
            publish_attempt_lease=ports.config.publish_attempt_lease,
        )
