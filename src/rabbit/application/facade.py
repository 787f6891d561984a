"""``Rabbit``: every use case of the core over one ``Ports`` bundle.

This is what an application layer holds: ``rabbit.brands.create_brand(actor, org, cmd)``.
The container builds it; tests build it over in-memory adapters the same way.
"""

from __future__ import annotations

from rabbit.application.context import Ports
from rabbit.application.use_cases.analytics import Analytics
from rabbit.application.use_cases.autopilot import Autopilot
from rabbit.application.use_cases.billing import Billing
from rabbit.application.use_cases.brands import Brands
from rabbit.application.use_cases.external_sources import ExternalSources
from rabbit.application.use_cases.generation import Generations
from rabbit.application.use_cases.key_rotation import KeyRotation
from rabbit.application.use_cases.links import Links
from rabbit.application.use_cases.materials import Materials
from rabbit.application.use_cases.metrics import Metrics
from rabbit.application.use_cases.organizations import Organizations
from rabbit.application.use_cases.publishing import Publishing
from rabbit.application.use_cases.purge import Purge
from rabbit.application.use_cases.review import Review
from rabbit.application.use_cases.schedules import Schedules
from rabbit.application.use_cases.social_accounts import SocialAccounts
from rabbit.application.use_cases.token_keys import TokenKeys


class Rabbit:
    """The core's use cases, grouped by area. Cheap to build; holds no state of its own."""

    def __init__(self, ports: Ports) -> None:
        self.ports = ports
        self.organizations = Organizations(ports)
        self.billing = Billing(ports)
        self.brands = Brands(ports)
        self.accounts = SocialAccounts(ports)
        self.links = Links(ports)
        self.sources = ExternalSources(ports)
        self.key_rotation = KeyRotation(ports)
        self.token_keys = TokenKeys(ports)
        self.purge = Purge(ports)
        self.schedules = Schedules(ports)
        self.materials = Materials(ports)
        self.generations = Generations(ports)
        self.review = Review(ports)
        self.publishing = Publishing(ports)
        self.metrics = Metrics(ports)
        self.analytics = Analytics(ports)
        self.autopilot = Autopilot(ports)
