"""Purge: due rows go with whatever exists only for them; nothing live is touched."""

from __future__ import annotations

from datetime import timedelta

from rabbit.application.use_cases.links import LinkAccount
from rabbit.domain.enums import (
    ContentAngle,
    ContentType,
    MaterialType,
    MemberRole,
    PendingPostStatus,
    SocialPlatform,
    SubscriptionTier,
)
from rabbit.domain.model import (
    ContentEmbedding,
    Material,
    PendingPost,
    Post,
    PostMetric,
    PublishAttempt,
)

from .app import App

X = SocialPlatform.TWITTER


async def seed(app: App, *entities: object) -> None:
    """Content rows the later use cases would write (generation, publishing)."""
    async with app.ports.uow() as uow:
        for entity in entities:
            if isinstance(entity, Material):
                await uow.materials.add(entity)
            elif isinstance(entity, PendingPost):
                await uow.pending_posts.add(entity)
            elif isinstance(entity, Post):
                await uow.posts.add(entity)
            elif isinstance(entity, PostMetric):
                await uow.post_metrics.add(entity)
            elif isinstance(entity, ContentEmbedding):
                await uow.embeddings.upsert(entity)
            elif isinstance(entity, PublishAttempt):
                await uow.publish_attempts.add(entity)
        await uow.commit()


def material(app: App, org: str, material_id: str, *, deleted: bool) -> Material:
    now = app.clock.now()
    return Material(
        id=material_id,
        organization_id=org,
        type=MaterialType.TEXT,
        original_content="text",
        deleted_at=now if deleted else None,
        created_at=now,
        updated_at=now,
    )


def post(app: App, org: str, post_id: str, brand: str, account: str, *, deleted: bool) -> Post:
    now = app.clock.now()
    return Post(
        id=post_id,
        organization_id=org,
        brand_profile_id=brand,
        social_account_id=account,
        content="hello",
        platform=X,
        angle=ContentAngle.EDUCATIONAL,
        deleted_at=now if deleted else None,
        created_at=now,
        updated_at=now,
    )


def pending(
    app: App,
    org: str,
    pending_id: str,
    brand: str,
    material_id: str,
    status: PendingPostStatus = PendingPostStatus.PENDING,
) -> PendingPost:
    now = app.clock.now()
    return PendingPost(
        status=status,
        id=pending_id,
        organization_id=org,
        brand_profile_id=brand,
        material_id=material_id,
        platforms=(X,),
        content="draft",
        angle=ContentAngle.STORYTELLING,
        created_at=now,
        updated_at=now,
    )


def attempt(app: App, org: str, pending_id: str, account: str) -> PublishAttempt:
    return PublishAttempt(
        id=f"pa-{pending_id}",
        organization_id=org,
        pending_post_id=pending_id,
        platform=X,
        social_account_id=account,
        attempt_number=1,
        idempotency_key=f"{pending_id}:{X}",
        started_at=app.clock.now(),
    )


def embedding(app: App, org: str, kind: ContentType, content_id: str) -> ContentEmbedding:
    return ContentEmbedding(
        id=f"emb-{content_id}",
        organization_id=org,
        content_type=kind,
        content_id=content_id,
        embedding=(1.0,) + (0.0,) * 767,
        content_hash="0" * 16,
        created_at=app.clock.now(),
    )


async def test_purge_removes_due_rows_and_their_dependants_only(app: App) -> None:
    org, owner = await app.organization("acme")
    await app.set_tier(org, SubscriptionTier.BUSINESS)
    gone_org, gone_owner = await app.organization("gone")
    other_org, other_owner = await app.organization("other")
    other_brand = await app.brand(other_org, other_owner)
    leaving = await app.member(org, owner, MemberRole.MEMBER)

    lone_brand = await app.brand(org, owner, "lone")  # deleted, nothing uses it: purged
    busy_brand = await app.brand(org, owner, "busy")  # deleted, a live post names it: waits
    live_brand = await app.brand(org, owner, "live")
    lone_account = await app.account(org, owner, X, "x-lone")
    busy_account = await app.account(org, owner, X, "x-busy")
    await app.links.link_account(owner, org, lone_brand, lone_account.id, LinkAccount())
    await app.links.link_account(owner, org, live_brand, lone_account.id, LinkAccount())
    # A due row that is still used holds back the rows deleted at or after it (see
    # rabbit.domain.policies.purging), so the unused ones are deleted first here.
    await seed(
        app,
        material(app, org, "m-lone", deleted=True),
        embedding(app, org, ContentType.MATERIAL, "m-lone"),
    )
    await app.brands.delete_brand(owner, org, lone_brand)
    await app.social_accounts.disconnect_account(owner, org, lone_account.id)
    app.tick()
    await seed(
        app,
        material(app, org, "m-used", deleted=True),
        pending(app, org, "pp-1", live_brand, "m-used"),
        post(app, org, "p-old", live_brand, busy_account.id, deleted=True),
        post(app, org, "p-live", busy_brand, busy_account.id, deleted=False),
        PostMetric(id="pm-1", organization_id=org, post_id="p-old", collected_at=app.clock.now()),
        embedding(app, org, ContentType.POST, "p-old"),
        embedding(app, org, ContentType.POST, "p-live"),
    )
    await app.brands.delete_brand(owner, org, busy_brand)
    await app.social_accounts.disconnect_account(owner, org, busy_account.id)
    await app.organizations.delete_organization(gone_owner, gone_org)
    await app.organizations.delete_user(leaving)
    app.tick(31 * 24 * 3600)
    recent = await app.brand(org, owner, "recent")  # deleted within the retention period
    await app.brands.delete_brand(owner, org, recent)
    app.tick()

    report = await app.purger.purge([org, other_org])

    assert (report.organizations, report.users, report.posts) == (1, 1, 1)
    assert (report.materials, report.social_accounts, report.brands) == (1, 1, 1)
    async with app.ports.uow() as uow:
        assert await uow.organizations.get(gone_org, include_deleted=True, for_update=True) is None
        assert await uow.users.get(leaving, include_deleted=True, for_update=True) is None
        assert await uow.members.get(org, leaving, for_update=True) is None
        brands = {b.id for b in await uow.brands.find(org, include_deleted=True)}
        assert brands == {busy_brand, live_brand, recent}
        accounts = {a.id for a in await uow.social_accounts.find(org, include_deleted=True)}
        assert accounts == {busy_account.id}
        assert await uow.brand_accounts.list_for_account(org, lone_account.id) == []
        materials = {m.id for m in await uow.materials.find(org, include_deleted=True)}
        assert materials == {"m-used"}
        assert await uow.embeddings.get(org, ContentType.MATERIAL, "m-lone") is None
        assert [p.id for p in await uow.posts.find(org, include_deleted=True)] == ["p-live"]
        assert await uow.post_metrics.list_for_post(org, "p-old") == []
        assert await uow.embeddings.get(org, ContentType.POST, "p-old") is None
        assert await uow.embeddings.get(org, ContentType.POST, "p-live") is not None
        assert await uow.pending_posts.get(org, "pp-1", for_update=True) is not None
        assert await uow.brands.get(other_org, other_brand, for_update=True) is not None
        assert (await uow.subscriptions.get(org, for_update=True)) is not None


async def test_nothing_within_the_retention_period_is_purged(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    await app.brands.delete_brand(owner, org, brand)
    await app.organizations.delete_organization(owner, org)
    app.tick(29 * 24 * 3600)
    assert await app.purger.purge([org]) == type(await app.purger.purge())()
    await app.organizations.restore_organization(owner, org)
    await app.brands.restore_brand(owner, org, brand)
    assert (await app.brands.get_brand(owner, org, brand)).id == brand


async def test_a_purged_account_waits_while_a_post_names_it_then_goes(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    account = await app.account(org, owner, X, "x-1")
    await seed(app, post(app, org, "p-1", brand, account.id, deleted=False))
    await app.social_accounts.disconnect_account(owner, org, account.id)
    app.tick(31 * 24 * 3600)
    assert (await app.purger.purge([org])).social_accounts == 0
    async with app.ports.uow() as uow:
        stored = await uow.posts.get(org, "p-1", for_update=True)
        assert stored is not None
        stored.deleted_at = app.clock.now() - timedelta(days=31)
        await uow.posts.update(stored)
        await uow.commit()
    report = await app.purger.purge([org])
    assert (report.posts, report.social_accounts) == (1, 1)


async def test_a_purged_brand_takes_its_pending_posts_and_what_only_they_used(app: App) -> None:
    org, owner = await app.organization()
    old_brand = await app.brand(org, owner, "old")
    live_brand = await app.brand(org, owner, "live")
    account = await app.account(org, owner, X, "x-old")
    await seed(
        app,
        material(app, org, "m-old", deleted=True),
        material(app, org, "m-live", deleted=False),
        pending(app, org, "pp-queued", old_brand, "m-old"),
        pending(app, org, "pp-sent", old_brand, "m-old", PendingPostStatus.PUBLISHED),
        pending(app, org, "pp-live", live_brand, "m-live"),
        attempt(app, org, "pp-sent", account.id),
        post(app, org, "p-sent", old_brand, account.id, deleted=True),
        embedding(app, org, ContentType.PENDING_POST, "pp-queued"),
        embedding(app, org, ContentType.PENDING_POST, "pp-live"),
    )
    await app.brands.delete_brand(owner, org, old_brand)
    await app.social_accounts.disconnect_account(owner, org, account.id)
    app.tick(31 * 24 * 3600)

    report = await app.purger.purge()

    assert (report.posts, report.pending_posts, report.brands) == (1, 2, 1)
    assert (report.materials, report.social_accounts) == (1, 1)
    async with app.ports.uow() as uow:
        assert [p.id for p in await uow.pending_posts.find(org)] == ["pp-live"]
        assert await uow.publish_attempts.list_for(org, "pp-sent", X) == []
        assert await uow.embeddings.get(org, ContentType.PENDING_POST, "pp-queued") is None
        assert await uow.embeddings.get(org, ContentType.PENDING_POST, "pp-live") is not None
        assert [b.id for b in await uow.brands.find(org, include_deleted=True)] == [live_brand]
        materials = await uow.materials.find(org, include_deleted=True)
        assert [m.id for m in materials] == ["m-live"]
        assert await uow.social_accounts.find(org, include_deleted=True) == []


async def test_a_brand_with_a_surviving_post_keeps_its_pending_posts(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    account = await app.account(org, owner, X, "x-1")
    await seed(
        app,
        material(app, org, "m-1", deleted=False),
        pending(app, org, "pp-1", brand, "m-1"),
        post(app, org, "p-1", brand, account.id, deleted=False),
    )
    await app.brands.delete_brand(owner, org, brand)
    app.tick(31 * 24 * 3600)

    report = await app.purger.purge()

    assert (report.pending_posts, report.brands) == (0, 0)
    async with app.ports.uow() as uow:
        assert await uow.brands.get(org, brand, include_deleted=True, for_update=True) is not None
        assert [p.id for p in await uow.pending_posts.find(org)] == ["pp-1"]


async def test_purge_sweeps_every_organization_unless_scoped(app: App) -> None:
    first, first_owner = await app.organization("first")
    second, second_owner = await app.organization("second")
    first_brand = await app.brand(first, first_owner)
    second_brand = await app.brand(second, second_owner)
    await app.brands.delete_brand(first_owner, first, first_brand)
    await app.brands.delete_brand(second_owner, second, second_brand)
    app.tick(31 * 24 * 3600)

    assert (await app.purger.purge([first])).brands == 1
    async with app.ports.uow() as uow:
        assert (
            await uow.brands.get(second, second_brand, include_deleted=True, for_update=True)
            is not None
        )
    assert (await app.purger.purge()).brands == 1
    async with app.ports.uow() as uow:
        assert (
            await uow.brands.get(second, second_brand, include_deleted=True, for_update=True)
            is None
        )


async def test_rows_long_deleted_in_a_recently_deleted_organization_are_purged(
    app: App,
) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    await app.brands.delete_brand(owner, org, brand)
    app.tick(31 * 24 * 3600)
    await app.organizations.delete_organization(owner, org)
    app.tick()

    report = await app.purger.purge()

    assert (report.organizations, report.brands) == (0, 1)
    async with app.ports.uow() as uow:
        assert await uow.organizations.get(org, include_deleted=True, for_update=True) is not None
        assert await uow.brands.get(org, brand, include_deleted=True, for_update=True) is None
