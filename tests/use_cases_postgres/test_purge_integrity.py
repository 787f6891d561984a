"""Purge on Postgres, checked with raw SQL: no dangling reference, no other owner touched.

Three organisations publish through the use cases (materials, generated pending posts on
two platforms, posts with metrics, publish attempts, embeddings, an external source, a
member). Then "acme" and "globex" both delete their brand, accounts, materials and posts,
one member of each deletes their account, and "gone" deletes itself; after the retention
period both add live rows and delete a brand, an account and a material again. The purge
must leave exactly the rows that the retention date and the schema's own cascades say
(worked out from the rows before, in Python), in both organisations: a purge that skipped
an organisation or ignored the retention date leaves, or removes, the wrong rows. After it
every foreign key still finds its parent and every embedding its content.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.generation import GeneratePost
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.metrics import RecordMetrics
from rabbit.application.use_cases.schedules import CreateSchedule
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
    await app.external_sources.add_external_source(
        w.owner,
        w.org,
        w.brand,
        AddExternalSource(type=ExternalSourceType.SHOPIFY, name="Shop", connection_config={}),
    )
    await app.member(w.org, w.owner, MemberRole.MEMBER)
    return w


async def delete_content(app: App, w: World, *, only: str | None = None) -> None:
    """Soft-delete the organisation's posts and materials (no use case does yet): every one,
    or only the material ``only``."""
    now = app.clock.now()
    async with app.ports.uow() as uow:
        for found in await uow.posts.find(w.org) if only is None else []:
            post = await uow.posts.get(w.org, found.id, for_update=True)
            assert post is not None
            post.deleted_at = now
            await uow.posts.update(post)
        for listed in await uow.materials.find(w.org):
            if only in (None, listed.id):
                material = await uow.materials.get(w.org, listed.id, for_update=True)
                assert material is not None
                material.deleted_at = now
                await uow.materials.update(material)
        await uow.commit()


async def delete_long_ago(app: App, w: World) -> str:
    """Everything the organisation published, its brand and accounts deleted, and one of
    its members leaving; the member's id."""
    leaving = await app.member(w.org, w.owner, MemberRole.VIEWER)
    await delete_content(app, w)
    await app.brands.delete_brand(w.owner, w.org, w.brand)
    for account in await app.social_accounts.list_accounts(w.owner, w.org):
        await app.social_accounts.disconnect_account(w.owner, w.org, account.id)
    await app.organizations.delete_user(leaving)
    return leaving


async def live_and_recently_deleted(app: App, w: World, topics: tuple[str, str]) -> None:
    """After the retention period: a live brand with a linked account, a schedule, a post
    with metrics, a ready material and a queued pending post; and a brand, an account and a
    material deleted just now (within the retention period)."""
    kept = await app.brand(w.org, w.owner, "kept")
    account = await app.account(w.org, w.owner, X, f"{w.org}-kept", access_token="t")
    await app.links.link_account(w.owner, w.org, kept, account.id, LinkAccount(is_default=True))
    await w.content.schedules.create_schedule(
        w.owner, w.org, kept, CreateSchedule(platforms=(X,), times=("09:00",))
    )
    for topic, scheduled_for in ((topics[0], None), (topics[1], timedelta(days=400))):
        material = await w.ready_material(topic, brand=kept)
        await w.content.generations.generate_post(
            w.owner,
            w.org,
            GeneratePost(
                material_id=material.id,
                brand_profile_id=kept,
                platforms=(X,),
                scheduled_for=None if scheduled_for is None else app.clock.now() + scheduled_for,
            ),
        )
    await w.content.publishing.publish_due(app.clock.now())
    app.tick()
    async with app.ports.uow() as uow:
        [post] = await uow.posts.find(w.org, brand_id=kept)
    await w.content.metrics.record_metrics(w.org, post.id, RecordMetrics(likes=1))
    recent = await app.brand(w.org, w.owner, "recent")
    await app.brands.delete_brand(w.owner, w.org, recent)
    dropped = await app.account(w.org, w.owner, LI, f"{w.org}-dropped", access_token="t")
    await app.social_accounts.disconnect_account(w.owner, w.org, dropped.id)
    unused = await w.ready_material(TOPICS[11], brand=kept)
    await delete_content(app, w, only=unused.id)


Row = dict[str, Any]


async def every_row(engine: AsyncEngine) -> dict[str, list[Row]]:
    async with engine.connect() as connection:
        return {
            table.name: list(
                (
                    await connection.execute(text(f'SELECT row_to_json(t) FROM "{table.name}" t'))
                ).scalars()
            )
            for table in metadata.sorted_tables
        }


def expected_after_purge(rows: dict[str, list[Row]], cutoff: datetime) -> dict[str, list[Row]]:
    """What a purge at ``cutoff`` should leave, worked out from the rows and the schema
    alone: every row soft-deleted before the cutoff goes, with what the schema's foreign
    keys cascade to (``SET NULL`` ones clear the reference) and the embeddings of removed
    content; every other row stays as it was. (A due row still referenced by a surviving
    row would wait; the scenario has none.)"""
    kept = {table: [dict(row) for row in table_rows] for table, table_rows in rows.items()}
    gone: set[tuple[str, str]] = {
        (table, row["id"])
        for table, table_rows in kept.items()
        for row in table_rows
        if row.get("deleted_at") and datetime.fromisoformat(row["deleted_at"]) < cutoff
    }
    content_tables = {"MATERIAL": "materials", "PENDING_POST": "pending_posts", "POST": "posts"}
    changed = True
    while changed:
        changed = False
        for embedding in kept["content_embeddings"]:
            content = (content_tables[embedding["content_type"]], embedding["content_id"])
            if content in gone and ("content_embeddings", embedding["id"]) not in gone:
                gone.add(("content_embeddings", embedding["id"]))
                changed = True
        for table in metadata.sorted_tables:
            for constraint in table.foreign_key_constraints:
                parent = constraint.referred_table.name
                own = [element.parent.name for element in constraint.elements]
                theirs = [element.column.name for element in constraint.elements]
                removed_parents = {
                    tuple(row[c] for c in theirs)
                    for row in kept[parent]
                    if (parent, row.get("id", "")) in gone
                }
                rule = constraint.ondelete or "NO ACTION"
                for row in kept[table.name]:
                    key = (table.name, row.get("id", str(row)))
                    if key in gone or tuple(row[c] for c in own) not in removed_parents:
                        continue
                    if rule == "CASCADE":
                        gone.add(key)
                        changed = True
                    else:
                        assert rule.startswith("SET NULL"), (table.name, rule)
                        cleared = rule.partition("(")[2].rstrip(")") or ", ".join(own)
                        for column in cleared.split(", "):
                            row[column] = None
                        changed = True
    return {
        table: [row for row in table_rows if (table, row.get("id", str(row))) not in gone]
        for table, table_rows in kept.items()
    }


def canonical(rows: dict[str, list[Row]]) -> dict[str, list[str]]:
    return {table: sorted(json.dumps(r, sort_keys=True) for r in t) for table, t in rows.items()}


async def test_purge_removes_exactly_the_expired_rows_of_every_organisation(
    pg_app: App, wide_engine: AsyncEngine
) -> None:
    """acme and globex both deleted rows of every kind long ago, and both hold live rows and
    rows deleted within the retention period; "gone" deleted itself. The purge leaves exactly
    what the retention date and the schema's cascades say, in both, and no dangling
    reference anywhere."""
    acme = await publishing_organization(pg_app, "acme")
    globex = await publishing_organization(pg_app, "globex")
    gone = await publishing_organization(pg_app, "gone")
    leaving = [await delete_long_ago(pg_app, w) for w in (acme, globex)]
    await pg_app.organizations.delete_organization(gone.owner, gone.org)
    pg_app.tick(RETENTION_PASSED)
    await live_and_recently_deleted(pg_app, acme, (TOPICS[5], TOPICS[6]))
    await live_and_recently_deleted(pg_app, globex, (TOPICS[7], TOPICS[8]))
    pg_app.tick()
    rows = await every_row(wide_engine)
    cutoff = pg_app.clock.now() - pg_app.ports.config.purge_retention
    expected = expected_after_purge(rows, cutoff)

    report = await pg_app.purger.purge()

    assert canonical(await every_row(wide_engine)) == canonical(expected)
    removed = {t: len(rows[t]) - len(expected[t]) for t in rows}
    kinds = ("brand_profiles", "social_accounts", "materials", "posts", "pending_posts")
    for table in (*kinds, "post_metrics", "publish_attempts", "content_embeddings"):
        for w in (acme, globex):  # each organisation had rows of each kind due, and kept some
            mine = [r for r in rows[table] if r["organization_id"] == w.org]
            left = [r for r in expected[table] if r["organization_id"] == w.org]
            assert 0 < len(left) < len(mine), (table, w.org)
    assert (report.organizations, report.users) == (1, removed["users"]) == (1, 2)
    assert (report.brands, report.social_accounts) == (2, 4)
    assert (report.posts, report.pending_posts, report.materials) == (4, 4, 4)
    async with wide_engine.connect() as connection:
        for table in metadata.sorted_tables:
            for constraint in table.foreign_key_constraints:
                query = text(dangling_references_query(constraint))
                dangling = (await connection.execute(query)).scalar_one()
                assert dangling == 0, f"{table.name} -> {constraint.referred_table.name}"
        assert (await connection.execute(EMBEDDINGS_WITHOUT_CONTENT)).scalar_one() == 0
        users = text("SELECT count(*) FROM users WHERE id = ANY(:ids)")
        assert (await connection.execute(users, {"ids": leaving})).scalar_one() == 0
