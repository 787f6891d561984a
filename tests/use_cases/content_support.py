"""Helpers for the content tests: the content use cases over an ``App`` and a ready setup.

Everything goes through the use cases (no seeding behind their back), so these helpers hold
for any store the ``App`` is built on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from rabbit.application.facade import Rabbit
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.analytics import Analytics
from rabbit.application.use_cases.autopilot import Autopilot
from rabbit.application.use_cases.brands import UpdateBrand
from rabbit.application.use_cases.generation import GeneratePost, Generations
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.materials import Materials, RecordAnalysis, UploadMaterial
from rabbit.application.use_cases.metrics import Metrics
from rabbit.application.use_cases.publishing import Publishing
from rabbit.application.use_cases.review import Review, ReviewExpiry
from rabbit.application.use_cases.schedules import Schedules
from rabbit.domain.enums import ContentAngle, MaterialType, SocialPlatform, SubscriptionTier
from rabbit.domain.model import Material, PendingPost
from rabbit_local.notifier import LoggingNotifier
from rabbit_local.publisher import RecordingPublisher

from .app import App

X = SocialPlatform.TWITTER
LI = SocialPlatform.LINKEDIN

TOPICS = [
    "Our new solar backpack charges a phone twice from four hours of sunlight on a hike.",
    "A sourdough starter needs flour, water and patience; feed it daily at room temperature.",
    "Quarterly tax filing for freelancers: keep receipts, estimate income, pay by the deadline.",
    "The marathon training plan builds mileage slowly with one long run every weekend.",
    "Composting kitchen scraps cuts household waste and feeds the vegetable garden soil.",
    "Our espresso grinder now has fifty grind settings and a quieter ceramic burr motor.",
    "Learning Rust ownership rules prevents data races at compile time in systems code.",
    "Winter tyres grip better below seven degrees thanks to softer rubber compounds.",
    "Bird watching at dawn: bring binoculars, a field guide and a thermos of tea.",
    "The museum opens a photography exhibition of Arctic glaciers this autumn season.",
    "Budget airline tickets are cheapest on Tuesdays when booked six weeks ahead.",
    "Indoor houseplants like pothos and snake plants survive low light and rare watering.",
]


@dataclass
class Content:
    """The content use cases of an app."""

    app: App
    materials: Materials = field(init=False)
    schedules: Schedules = field(init=False)
    generations: Generations = field(init=False)
    review: Review = field(init=False)
    expiry: ReviewExpiry = field(init=False)
    publishing: Publishing = field(init=False)
    metrics: Metrics = field(init=False)
    analytics: Analytics = field(init=False)
    autopilot: Autopilot = field(init=False)

    def __post_init__(self) -> None:
        rabbit, system = Rabbit(self.app.ports), RabbitSystem(self.app.ports)
        self.materials = rabbit.materials
        self.schedules = rabbit.schedules
        self.generations = rabbit.generations
        self.review = rabbit.review
        self.expiry = system.review_expiry
        self.publishing = system.publishing
        self.metrics = system.metrics
        self.analytics = rabbit.analytics
        self.autopilot = system.autopilot

    @property
    def publisher(self) -> RecordingPublisher:
        publisher = self.app.ports.publisher
        assert isinstance(publisher, RecordingPublisher)
        return publisher

    @property
    def notifier(self) -> LoggingNotifier:
        notifier = self.app.ports.notifier
        assert isinstance(notifier, LoggingNotifier)
        return notifier


@dataclass
class World:
    """An organisation with an owner, a brand and linked accounts on X and LinkedIn."""

    content: Content
    org: str
    owner: str
    brand: str

    @property
    def app(self) -> App:
        return self.content.app

    async def ready_material(
        self,
        text: str,
        *,
        pillar: str | None = None,
        angles: tuple[ContentAngle, ...] = (),
        brand: str | None = None,
    ) -> Material:
        """A TEXT material taken through analysis and embedding to READY."""
        materials = self.content.materials
        material = await materials.upload_material(
            self.owner,
            self.org,
            UploadMaterial(
                type=MaterialType.TEXT,
                brand_profile_id=brand or self.brand,
                name=text.split(":")[0][:40],
                original_content=text,
            ),
        )
        await materials.start_analysis(self.owner, self.org, material.id)
        await materials.record_analysis(
            self.owner,
            self.org,
            material.id,
            RecordAnalysis(
                summary=text,
                key_points=(text.split(" ")[0],),
                suggested_angles=angles,
                content_pillar=pillar,
            ),
        )
        self.app.tick()
        return await materials.store_embedding(self.owner, self.org, material.id)

    async def generate(
        self, material: Material, platforms: tuple[SocialPlatform, ...] = (X,), **kwargs: object
    ) -> list[PendingPost]:
        return await self.content.generations.generate_post(
            self.owner,
            self.org,
            GeneratePost(
                material_id=material.id,
                brand_profile_id=self.brand,
                platforms=platforms,
                **kwargs,  # type: ignore[arg-type]
            ),
        )

    async def credits(self) -> int:
        return (await self.app.billing.balance(self.owner, self.org)).credits_remaining


async def world(app: App, *, auto_approve: bool = True, slug: str = "acme") -> World:
    org, owner = await app.organization(slug)
    await app.set_tier(org, SubscriptionTier.BUSINESS)
    brand = await app.brand(org, owner)
    if not auto_approve:
        await app.brands.update_brand(owner, org, brand, UpdateBrand(auto_approve=False))
    for platform, handle in ((X, f"{slug}-x"), (LI, f"{slug}-li")):
        account = await app.account(org, owner, platform, handle, access_token=f"token-{handle}")
        await app.links.link_account(owner, org, brand, account.id, LinkAccount(is_default=True))
    return World(Content(app), org, owner, brand)


def probe_embedder_for_open_units_of_work(w: World, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the embedder call a use case (the balance) before it embeds; the list of credit
    balances it saw, one per call.

    The memory store runs one unit of work at a time, so if the caller held a unit of work
    around the model call, the probe would wait for it forever (here: 10 s, then the test
    fails with a TimeoutError). This is how a test shows that a model runs outside any
    transaction (ADR 0011)."""
    app = w.app
    original = app.ports.embedder.embed
    probed: list[int] = []

    async def probing(texts: list[str]) -> list[tuple[float, ...]]:
        balance = await asyncio.wait_for(app.billing.balance(w.owner, w.org), timeout=10)
        probed.append(balance.credits_remaining)
        return await original(texts)

    monkeypatch.setattr(app.ports.embedder, "embed", probing)
    return probed
