"""Purge on Postgres, checked with raw SQL: no dangling reference, no other owner touched.

Three organisations publish through the use cases (materials, generated pending posts on
two platforms, posts with metrics, publish attempts, embeddings, an external source, a
member). Then "acme" deletes its brand, accounts, materials and posts, one member deletes
their account, "gone" deletes itself, and "globex" deletes a brand only a day before the
purge. After the purge every foreign key of the schema still finds its parent, every
embedding still finds its content, acme's deleted rows are gone, and every globex row is
exactly as it was.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.metrics import RecordMetrics
from rabbit.domain.enums import ExternalSourceType, MemberRole
from rabbit_postgres.schema import metadata
from use_cases.app import App
from use_cases.content_support import LI, TOPICS, World, X, world

pytestmark = pytest.mark.postgres

RETENTION_PASSED = 31 * 24 * 3600


def dangling_references_query(constraint: sa.ForeignKeyConstraint) -> str:
    """Rows of the child whose (non-null) foreign key matches no row of the parent."""
    child = constraint.table.name
    parent = constraint.referred_table.name
    pairs = [(element.parent.name, element.column.name) for element in constraint.elements]
    joined = " AND ".join(f'c."{own}" = p."{theirs}"' for own, theirs in pairs)
    present = " AND ".join(f'c."{own}" IS NOT NULL' for own, _ in pairs)
    return (
        f'SELECT count(*) FROM "{child}" c LEFT JOIN "{parent}" p ON {joined} '
        f'WHERE {present} AND p."{pairs[0][1]}" IS NULL'
    )


EMBEDDINGS_WITHOUT_CONTENT = text(
    """
    SELECT count(*) FROM content_embeddings e
     WHERE NOT EXISTS (
           SELECT 1 FROM materials m WHERE e.content_type = 'MATERIAL' AND m.id = e.content_id
           UNION ALL
           SELECT 1 FROM pending_posts pp
            WHERE e.content_type = 'PENDING_POST' AND pp.id = e.content_id
           UNION ALL
           SELECT 1 FROM posts p WHERE e.content_type = 'POST' AND p.id = e.content_id)
    """
)


async def snapshot(engine: AsyncEngine, org: str) -> dict[str, list[str]]:
    """Every row of the organisation (its own row, its members' users, every tenant row),
    as text, by table."""
    rows: dict[str, list[str]] = {}
    async with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name == "users":
                members = "SELECT user_id FROM organization_members WHERE organization_id = :org"
                where = f"t.id IN ({members})"
            elif table.name == "organizations":
                where = "t.id = :org"
            else:
                where = "t.organization_id = :org"
            statement = text(f'SELECT t::text FROM "{table.name}" t WHERE {where} ORDER BY 1')
            rows[table.name] = list((await connection.execute(statement, {"org": org})).scalars())
    return rows


async def publishing_organization(app: App, slug: str) -> World:
    """An organisation with posts on X and LinkedIn, metrics, a queued pending post, a
    source and a member."""
    w = await world(app, slug=slug)
    published = await w.ready_material(TOPICS[0])
    await w.generate(published, (X, LI))
    await w.content.publishing.publish_due(app.clock.now())
    app.tick()
    queued = await w.ready_material(TOPICS[1])
    await w.generate(queued, (X,), scheduled_for=app.clock.now() + timedelta(days=400))
    async with app.ports.uow() as uow:
        posts = await uow.posts.find(w.org)
    assert len(posts) == 2
    await w.content.metrics.record_metrics(w.org, posts[0].id, RecordMetrics(likes=3))
    await app.sources.add_external_source(
        w.owner,
        w.org,
        w.brand,
        AddExternalSource(type=ExternalSourceType.SHOPIFY, name="Shop", connection_config={}),
    )
    await app.member(w.org, w.owner, MemberRole.MEMBER)
    return w


async def delete_content(app: App, w: World) -> None:
    """Soft-delete every post and material of the organisation (no use case does yet)."""
    now = app.clock.now()
    async with app.ports.uow() as uow:
        for found in await uow.posts.find(w.org):
            post = await uow.posts.get(w.org, found.id, for_update=True)
            assert post is not None
            post.deleted_at = now
            await uow.posts.update(post)
        for listed in await uow.materials.find(w.org):
            material = await uow.materials.get(w.org, listed.id, for_update=True)
            assert material is not None
            material.deleted_at = now
            await uow.materials.update(material)
        await uow.commit()


async def test_purge_leaves_no_dangling_reference_and_no_other_owner_touched(
    pg_app: App, wide_engine: AsyncEngine
) -> None:
    acme = await publishing_organization(pg_app, "acme")
    globex = await publishing_organization(pg_app, "globex")
    gone = await publishing_organization(pg_app, "gone")
    leaving = await pg_app.member(acme.org, acme.owner, MemberRole.VIEWER)
    await delete_content(pg_app, acme)
    await pg_app.brands.delete_brand(acme.owner, acme.org, acme.brand)
    for account in await pg_app.accounts.list_accounts(acme.owner, acme.org):
        await pg_app.accounts.disconnect_account(acme.owner, acme.org, account.id)
    await pg_app.organizations.delete_user(leaving)
    await pg_app.organizations.delete_organization(gone.owner, gone.org)
    pg_app.tick(RETENTION_PASSED)
    recent = await pg_app.brand(globex.org, globex.owner, "recent")
    await pg_app.brands.delete_brand(globex.owner, globex.org, recent)
    pg_app.tick()
    before = await snapshot(wide_engine, globex.org)
    acme_before = await snapshot(wide_engine, acme.org)

    report = await pg_app.purger.purge()

    assert (report.organizations, report.users, report.brands) == (1, 1, 1)
    assert (report.posts, report.pending_posts, report.materials) == (2, 2, 2)
    assert report.social_accounts == 2
    assert await snapshot(wide_engine, globex.org) == before
    after = await snapshot(wide_engine, acme.org)
    for table in ("organizations", "subscriptions", "credit_transactions"):
        assert after[table] == acme_before[table], table
    for table in ("brand_profiles", "social_accounts", "materials", "pending_posts", "posts"):
        assert after[table] == [], table
    for table in ("external_sources", "post_metrics", "publish_attempts", "content_embeddings"):
        assert acme_before[table] != [], table
        assert after[table] == [], table
    assert await snapshot(wide_engine, gone.org) == {name: [] for name in before}
    async with wide_engine.connect() as connection:
        for table in metadata.sorted_tables:
            for constraint in table.foreign_key_constraints:
                query = text(dangling_references_query(constraint))
                dangling = (await connection.execute(query)).scalar_one()
                assert dangling == 0, f"{table.name} -> {constraint.referred_table.name}"
        assert (await connection.execute(EMBEDDINGS_WITHOUT_CONTENT)).scalar_one() == 0
        users = text("SELECT count(*) FROM users WHERE id = :id")
        assert (await connection.execute(users, {"id": leaving})).scalar_one() == 0
