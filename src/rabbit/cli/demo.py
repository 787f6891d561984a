"""``rabbit demo``: a realistic agency run by the autopilot over simulated days.

It migrates the database, seeds an agency (three members of different roles, two brands
sharing one Twitter account plus a LinkedIn page, ~30 materials across content pillars, two
schedules in different timezones, one brand under manual review), then runs the autopilot
every simulated hour with a fake clock: generation, dedup skips, approvals for the manual
brand, publishing through the recording publisher, simulated metrics and the learning loop.

Every run seeds its own organisation (unique slug and platform ids) and pauses its schedules
at the end, so running it twice is safe and a real ``rabbit autopilot tick`` on the same
database never picks the demo up.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dependency_injector import providers
from rich.console import Console
from rich.progress import Progress

from rabbit.application.context import Ports
from rabbit.application.facade import Rabbit
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases.autopilot import TickReport
from rabbit.application.use_cases.billing import ChangeTier
from rabbit.application.use_cases.brands import CreateBrand
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.materials import RecordAnalysis, UploadMaterial
from rabbit.application.use_cases.metrics import RecordMetrics
from rabbit.application.use_cases.organizations import (
    CreateOrganization,
    InviteMember,
    RegisterUser,
)
from rabbit.application.use_cases.review import ApprovePost, RejectPost
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.application.use_cases.social_accounts import ConnectAccount
from rabbit.bootstrap import database
from rabbit.bootstrap.containers import Container, create_container, running
from rabbit.bootstrap.keys import build_cipher
from rabbit.bootstrap.settings import Settings, StoreKind
from rabbit.cli import demo_data, report
from rabbit.domain.enums import (
    MaterialStrategy,
    MaterialType,
    MemberRole,
    ScheduleFrequency,
    SocialPlatform,
    SubscriptionTier,
)
from rabbit.domain.model import Post
from rabbit_local import FakeClock, LoggingNotifier, RecordingPublisher

#: The simulated run starts on a Monday; 14 days cross the US daylight-saving change.
DEMO_START = datetime(2026, 10, 26, 0, 0, tzinfo=UTC)
TICK = timedelta(hours=1)


@dataclass(frozen=True)
class Core:
    """What the demo drives: the member facade for what people do, the system facade for
    what the workers do (autopilot, metrics collector, payment webhook; ADR 0018), and the
    ports the demo's own collector reads posts with."""

    rabbit: Rabbit
    system: RabbitSystem
    ports: Ports


def core_of(container: Container) -> Core:
    return Core(container.rabbit(), container.system(), container.ports())


@dataclass
class DemoIds:
    organization: str = ""
    owner: str = ""
    admin: str = ""
    member: str = ""
    outfitters: str = ""
    cafe: str = ""
    schedules: list[str] = field(default_factory=list)


@dataclass
class RunTotals:
    ticks: int = 0
    generated: int = 0
    duplicates: int = 0
    skipped_slots: int = 0
    published: int = 0
    failed: int = 0
    expired: int = 0
    approved: int = 0
    rejected: int = 0
    metrics: int = 0

    def add(self, tick: TickReport) -> None:
        self.ticks += 1
        self.generated += tick.posts_generated
        self.duplicates += tick.duplicates_skipped
        self.skipped_slots += tick.slots_skipped
        self.published += tick.published
        self.failed += tick.failed
        self.expired += tick.expired


def demo_container(settings: Settings) -> Container:
    """The container of the demo and the seed: a simulation, so it publishes through the
    recording publisher and notifies through the logging notifier whatever the store (the
    demo's accounts exist only there: it issued their tokens). Chosen here on purpose, not
    a default: elsewhere outside development no publisher is configured (ADR 0029)."""
    container = create_container(settings)
    container.services.publisher.override(
        providers.Singleton(RecordingPublisher, keep=settings.dev_history)
    )
    container.services.notifier.override(
        providers.Singleton(LoggingNotifier, keep=settings.dev_history)
    )
    return container


def demo(settings: Settings, *, days: int, seed: int, memory: bool) -> None:
    """Migrate (on PostgreSQL), then seed and run the demo."""
    if days < 1:
        raise ValueError("--days must be at least 1")
    settings = settings.model_copy(
        update={"random_seed": seed, "store": StoreKind.MEMORY if memory else settings.store}
    )
    build_cipher(settings)  # no usable token keys: refused before the database is touched
    if settings.store is StoreKind.POSTGRES:
        database.upgrade(settings)  # alembic runs its own event loop: before ours starts
    asyncio.run(run_demo(settings, days=days))


async def run_demo(settings: Settings, *, days: int) -> None:
    """Seed, run ``days`` simulated days, print the report tables."""
    console = Console(stderr=False)
    clock = FakeClock(DEMO_START)
    container = demo_container(settings)
    container.services.clock.override(providers.Object(clock))
    async with running(container):
        core = core_of(container)
        ids = await seed_agency(core, clock)
        totals = await simulate(core, clock, ids, days=days, console=console)
        await pause_schedules(core.rabbit, ids)
        await report.print_report(console, core.rabbit, ids.organization, ids.owner, totals)


def seed(settings: Settings) -> None:
    """``rabbit db seed``: migrate, then seed one demo agency and leave its schedules active
    (the next ``rabbit autopilot tick`` picks them up); no simulated run."""
    build_cipher(settings)  # no usable token keys: refused before the database is touched
    if settings.store is StoreKind.POSTGRES:
        database.upgrade(settings)
    asyncio.run(run_seed(settings))


async def run_seed(settings: Settings) -> DemoIds:
    async with running(demo_container(settings)) as container:
        core = core_of(container)
        ids = await seed_agency(core, FakeClock(core.ports.clock.now()))
    print(
        f"seeded: organization={ids.organization} owner={ids.owner} "
        f"brands={ids.outfitters},{ids.cafe} schedules={','.join(ids.schedules)}",
        flush=True,
    )
    return ids


async def seed_agency(core: Core, clock: FakeClock) -> DemoIds:
    """The agency, its people, brands, accounts, materials and schedules."""
    rabbit = core.rabbit
    suffix = core.ports.ids.new_id()[:8]
    ids = DemoIds()
    orgs = rabbit.organizations

    async def person(name: str) -> str:
        user = await orgs.register_user(
            RegisterUser(email=f"{name}.{suffix}@northwind.example", name=name.title())
        )
        return user.id

    ids.owner = await person("alice")
    org = await orgs.create_organization(
        ids.owner, CreateOrganization(name="Northwind Agency", slug=f"northwind-{suffix}")
    )
    ids.organization = org.id
    for role, name in ((MemberRole.ADMIN, "bob"), (MemberRole.MEMBER, "carol")):
        user_id = await person(name)
        await orgs.invite_member(ids.owner, org.id, InviteMember(user_id=user_id, role=role))
        await orgs.accept_invitation(user_id, org.id)
        setattr(ids, "admin" if role is MemberRole.ADMIN else "member", user_id)

    # the payment provider's webhook: the owner bought GROWTH, and its first invoice is paid
    payments = core.system.payments
    growth = ChangeTier(tier=SubscriptionTier.GROWTH)
    await payments.change_tier(org.id, growth, f"demo-upgrade-{suffix}")
    clock.advance(timedelta(seconds=1))  # a renewal starts strictly after the trial period
    await payments.renew_period(org.id, f"demo-invoice-{suffix}")

    ids.outfitters = await _brand(
        rabbit, ids, "Trailhead Outfitters", demo_data.OUTFITTERS_PILLARS, auto_approve=True
    )
    ids.cafe = await _brand(
        rabbit, ids, "Bean & Leaf Café", demo_data.CAFE_PILLARS, auto_approve=False
    )

    # the platforms' OAuth flow hands the admin a token of each account; connecting asks
    # the platform whose token it is (the recording publisher knows the tokens it issued)
    platform = core.ports.publisher
    assert isinstance(platform, RecordingPublisher), "the demo runs on the recording publisher"
    twitter = await rabbit.social_accounts.connect_account(
        ids.admin,
        org.id,
        ConnectAccount(
            platform=SocialPlatform.TWITTER,
            account_id=f"tw-{suffix}",
            account_name="@northwind",
            access_token=platform.issue_token(SocialPlatform.TWITTER, f"tw-{suffix}"),
            refresh_token=f"demo-twitter-refresh-{suffix}",
        ),
    )
    linkedin = await rabbit.social_accounts.connect_account(
        ids.admin,
        org.id,
        ConnectAccount(
            platform=SocialPlatform.LINKEDIN,
            account_id=f"li-{suffix}",
            account_name="Trailhead Outfitters",
            access_token=platform.issue_token(SocialPlatform.LINKEDIN, f"li-{suffix}"),
        ),
    )
    for brand_id in (ids.outfitters, ids.cafe):
        await rabbit.links.link_account(
            ids.admin, org.id, brand_id, twitter.id, LinkAccount(is_default=True)
        )
    await rabbit.links.link_account(
        ids.admin, org.id, ids.outfitters, linkedin.id, LinkAccount(is_default=True)
    )

    for brand_id, materials in (
        (ids.outfitters, demo_data.OUTFITTERS_MATERIALS),
        (ids.cafe, demo_data.CAFE_MATERIALS),
    ):
        for item in materials:
            await _material(rabbit, ids, brand_id, item)
            clock.advance(timedelta(seconds=1))

    outfitters_schedule = await rabbit.schedules.create_schedule(
        ids.admin,
        org.id,
        ids.outfitters,
        CreateSchedule(
            name="Outfitters twice daily",
            platforms=(SocialPlatform.TWITTER, SocialPlatform.LINKEDIN),
            frequency=ScheduleFrequency.TWO_PER_DAY,
            times=("09:00", "17:00"),
            timezone="America/New_York",
            days_of_week=(0, 1, 2, 3, 4, 5, 6),
            material_strategy=MaterialStrategy.PILLAR_BALANCED,
        ),
    )
    cafe_schedule = await rabbit.schedules.create_schedule(
        ids.member,
        org.id,
        ids.cafe,
        CreateSchedule(
            name="Café mornings",
            platforms=(SocialPlatform.TWITTER,),
            frequency=ScheduleFrequency.ONE_PER_DAY,
            times=("08:30",),
            timezone="Europe/London",
            days_of_week=(1, 2, 3, 4, 5, 6),
            material_strategy=MaterialStrategy.ROUND_ROBIN,
        ),
    )
    ids.schedules = [outfitters_schedule.id, cafe_schedule.id]
    return ids


async def _brand(
    rabbit: Rabbit, ids: DemoIds, name: str, pillars: list[dict[str, object]], *, auto_approve: bool
) -> str:
    brand = await rabbit.brands.create_brand(
        ids.admin,
        ids.organization,
        CreateBrand.parse(
            {
                "name": name,
                "tone": ["warm", "confident"],
                "content_pillars": pillars,
                "auto_approve": auto_approve,
                "notify_email": "reviews@northwind.example",
                "approval_timeout": 24,
                "language_rules": {
                    "words_to_avoid": ["cheap", "guys"],
                    "emoji_usage": "minimal",
                    "hashtag_style": "moderate",
                    "cta_style": "soft",
                },
            }
        ),
    )
    return brand.id


async def _material(
    rabbit: Rabbit, ids: DemoIds, brand_id: str, item: demo_data.DemoMaterial
) -> None:
    org, actor = ids.organization, ids.member
    material = await rabbit.materials.upload_material(
        actor,
        org,
        UploadMaterial(
            type=MaterialType.TEXT,
            brand_profile_id=brand_id,
            name=item.name,
            original_content=item.text,
        ),
    )
    await rabbit.materials.start_analysis(actor, org, material.id)
    await rabbit.materials.record_analysis(
        actor,
        org,
        material.id,
        RecordAnalysis(
            summary=item.text,
            key_points=(item.text.split(",")[0],),
            keywords=item.keywords,
            suggested_angles=item.angles,
            content_pillar=item.pillar,
        ),
    )
    await rabbit.materials.store_embedding(actor, org, material.id)


async def simulate(
    core: Core, clock: FakeClock, ids: DemoIds, *, days: int, console: Console
) -> RunTotals:
    """Tick every simulated hour; review the café's posts; feed back simulated metrics."""
    totals = RunTotals()
    end = DEMO_START + timedelta(days=days)
    steps = math.ceil((end - clock.now()) / TICK)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("autopilot", total=steps)
        while clock.now() < end:
            clock.advance(TICK)
            totals.add(await core.system.autopilot.tick(clock.now()))
            await review_cafe(core.rabbit, ids, totals)
            if clock.now().hour == 12:
                await feed_metrics(core, clock, ids, totals)
            progress.advance(task)
    return totals


async def review_cafe(rabbit: Rabbit, ids: DemoIds, totals: RunTotals) -> None:
    """The café's manager approves most posts and rejects promotional ones."""
    queue = rabbit.review.list_pending
    page = await queue(ids.admin, ids.organization, brand_id=ids.cafe)
    pending = list(page.items)
    while page.next_cursor is not None:
        page = await queue(ids.admin, ids.organization, brand_id=ids.cafe, cursor=page.next_cursor)
        pending += page.items
    for post in pending:
        if post.angle.value == "PROMOTIONAL":
            await rabbit.review.reject(
                ids.admin, ids.organization, post.id, RejectPost(review_notes="too salesy")
            )
            totals.rejected += 1
        else:
            await rabbit.review.approve(ids.admin, ids.organization, post.id, ApprovePost())
            totals.approved += 1


async def feed_metrics(core: Core, clock: FakeClock, ids: DemoIds, totals: RunTotals) -> None:
    """Once a day: the platform reports counters for the posts of the last days (the demo
    plays the metrics collector, a system worker)."""
    async with core.ports.uow() as uow:
        posts = await uow.posts.find(
            ids.organization, published_since=clock.now() - timedelta(days=3)
        )
    for post in posts:
        await core.system.metrics.record_metrics(ids.organization, post.id, simulated_metrics(post))
        totals.metrics += 1


def simulated_metrics(post: Post) -> RecordMetrics:
    """Counters that follow the angle's appeal, with a little deterministic variety."""
    impressions = 800 + (sum(map(ord, post.id)) % 400)
    rate = demo_data.ANGLE_APPEAL[post.angle] * (0.8 + (len(post.content) % 5) / 10)
    interactions = round(impressions * rate)
    likes = interactions * 6 // 10
    comments = interactions // 10
    shares = interactions // 10
    clicks = interactions - likes - comments - shares
    return RecordMetrics(
        likes=likes,
        comments=comments,
        shares=shares,
        clicks=clicks,
        impressions=impressions,
        reach=impressions * 7 // 10,
    )


async def pause_schedules(rabbit: Rabbit, ids: DemoIds) -> None:
    for schedule_id in ids.schedules:
        await rabbit.schedules.pause_schedule(ids.admin, ids.organization, schedule_id)
