"""The migrated database holds what docs/domain.md describes (``expected_schema.py``), and its
keys behave: tenant keys cannot cross organisations, SET NULL clears only the reference."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from rabbit.domain import enums
from rabbit_postgres.schema import metadata

from .expected_schema import COLUMNS, CONSTRAINTS, INDEXES

TABLES = sorted(metadata.tables)


async def rows(
    connection: AsyncConnection, sql: str, **params: object
) -> list[sa.Row[tuple[object, ...]]]:
    return list(await connection.execute(sa.text(sql), params))


def parse_columns(spec: str) -> dict[str, tuple[str, ...]]:
    columns: dict[str, tuple[str, ...]] = {}
    for line in spec.strip().splitlines():
        name, *rest = (part.strip() for part in line.split("|"))
        columns[name] = tuple(rest) if len(rest) == 3 else (*rest, "")
    return columns


def test_the_expectations_cover_every_table_of_the_schema() -> None:
    assert sorted(COLUMNS) == TABLES
    assert sorted(CONSTRAINTS) == TABLES


@pytest.mark.parametrize("table", TABLES)
async def test_the_table_has_exactly_the_expected_columns(
    connection: AsyncConnection, table: str
) -> None:
    found = await rows(
        connection,
        """
        SELECT a.attname,
               replace(format_type(a.atttypid, a.atttypmod),
                       'timestamp with time zone', 'timestamptz'),
               CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END,
               coalesce(pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = CAST(:table AS regclass) AND a.attnum > 0 AND NOT a.attisdropped
        """,
        table=table,
    )
    actual = {
        str(name): (str(type_), str(null), str(default)) for name, type_, null, default in found
    }
    assert actual == parse_columns(COLUMNS[table])


@pytest.mark.parametrize("table", TABLES)
async def test_the_table_has_exactly_the_expected_constraints(
    connection: AsyncConnection, table: str
) -> None:
    found = await rows(
        connection,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = CAST(:table AS regclass) AND contype IN ('p', 'u', 'f', 'c')",
        table=table,
    )
    assert {str(name): str(definition) for name, definition in found} == CONSTRAINTS[table]


@pytest.mark.parametrize("table", TABLES)
async def test_the_table_has_exactly_the_expected_indexes(
    connection: AsyncConnection, table: str
) -> None:
    found = await rows(
        connection,
        """
        SELECT indexname, indexdef FROM pg_indexes i
        WHERE schemaname = 'public' AND tablename = :table
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        table=table,
    )
    actual = {
        str(name): re.sub(
            rf"^CREATE (UNIQUE )?INDEX {name} ON public\.{table} USING",
            lambda match: ("UNIQUE" if match[1] else "INDEX") + " USING",
            str(definition),
        )
        for name, definition in found
    }
    assert actual == INDEXES.get(table, {})


#: docs/domain.md#indexes, one entry per index: (table, leading columns, partial WHERE).
#: An index (or a unique constraint's index) whose columns start with these serves it.
SPEC_INDEXES = [
    ("brand_profiles", "organization_id", None),
    ("social_accounts", "organization_id", None),
    ("materials", "organization_id", None),
    ("materials", "organization_id, status", None),
    ("posts", "organization_id", None),
    ("pending_posts", "organization_id, status", None),
    ("content_embeddings", "organization_id", None),
    ("schedules", "next_run_at", "WHERE is_active"),
    ("pending_posts", "scheduled_for", "'AUTO_APPROVED'::pending_post_status, 'APPROVED'"),
    ("posts", "published_at DESC", None),
    ("subscriptions", "current_period_end", None),
    ("posts", "platform, published_at", None),
    ("social_accounts", "platform, account_id", "WHERE (deleted_at IS NULL)"),
    ("posts", "social_account_id, published_at", None),
    ("content_embeddings", "embedding vector_cosine_ops", None),
]


@pytest.mark.parametrize(("table", "columns", "where"), SPEC_INDEXES)
async def test_every_index_of_domain_md_exists(
    connection: AsyncConnection, table: str, columns: str, where: str | None
) -> None:
    found = await rows(
        connection,
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = :table",
        table=table,
    )
    definitions = [str(definition) for (definition,) in found]
    serving = [d for d in definitions if re.search(rf"USING \w+ \({re.escape(columns)}[,)]", d)]
    assert serving, f"no index on {table} ({columns}) among {definitions}"
    if where is not None:
        assert any(where in d for d in serving), serving


async def test_the_embedding_column_is_stored_plain(
    connection: AsyncConnection,
) -> None:
    storage = await connection.scalar(
        sa.text(
            "SELECT attstorage::text FROM pg_attribute "
            "WHERE attrelid = 'content_embeddings'::regclass AND attname = 'embedding'"
        )
    )
    assert storage == "p"  # in the row, not TOAST: exact scans measured 3x faster


ENUM_CLASSES = {
    "member_role": enums.MemberRole,
    "subscription_tier": enums.SubscriptionTier,
    "subscription_status": enums.SubscriptionStatus,
    "credit_action": enums.CreditAction,
    "social_platform": enums.SocialPlatform,
    "visual_style": enums.VisualStyle,
    "font_preference": enums.FontPreference,
    "content_angle": enums.ContentAngle,
    "material_type": enums.MaterialType,
    "material_status": enums.MaterialStatus,
    "pending_post_status": enums.PendingPostStatus,
    "content_type": enums.ContentType,
    "publish_attempt_status": enums.PublishAttemptStatus,
}


@pytest.mark.parametrize("type_name", sorted(ENUM_CLASSES))
async def test_the_enum_type_holds_the_domain_values_in_order(
    connection: AsyncConnection, type_name: str
) -> None:
    found = await rows(
        connection,
        "SELECT enumlabel FROM pg_enum WHERE enumtypid = CAST(:name AS regtype) "
        "ORDER BY enumsortorder",
        name=type_name,
    )
    assert [label for (label,) in found] == [member.value for member in ENUM_CLASSES[type_name]]


async def test_every_reference_between_tenant_tables_includes_the_organization(
    connection: AsyncConnection,
) -> None:
    found = await rows(
        connection,
        """
        SELECT c.conname, c.confrelid::regclass::text,
               (SELECT array_agg(a.attname ORDER BY k.ordinality)
                FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ordinality)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
        """,
    )
    crossing = [
        name
        for name, target, columns in found
        if target not in {"organizations", "users"} and columns[0] != "organization_id"
    ]
    assert crossing == []


# Behaviour of the keys, on real rows (rolled back).


async def seed_brand(connection: AsyncConnection, org: str, brand: str) -> None:
    await connection.execute(
        sa.text("INSERT INTO organizations (id, name, slug) VALUES (:org, :org, :org)"),
        {"org": org},
    )
    await connection.execute(
        sa.text("INSERT INTO brand_profiles (id, organization_id, name) VALUES (:b, :o, 'B')"),
        {"b": brand, "o": org},
    )


async def add_material(connection: AsyncConnection, org: str, brand: str) -> None:
    """A text material ``m1`` of ``org`` assigned to ``brand``."""
    await connection.execute(
        sa.text(
            "INSERT INTO materials (id, organization_id, brand_profile_id, type) "
            "VALUES ('m1', :o, :b, 'TEXT')"
        ),
        {"o": org, "b": brand},
    )


async def test_a_material_cannot_point_at_a_brand_of_another_organization(
    connection: AsyncConnection,
) -> None:
    await seed_brand(connection, "org-a", "brand-a")
    await seed_brand(connection, "org-b", "brand-b")

    with pytest.raises(IntegrityError, match="fk_materials_brand_profile_id"):
        await add_material(connection, "org-a", "brand-b")


async def test_deleting_a_brand_unassigns_its_materials_and_keeps_their_organization(
    connection: AsyncConnection,
) -> None:
    await seed_brand(connection, "org-a", "brand-a")
    await add_material(connection, "org-a", "brand-a")

    await connection.execute(sa.text("DELETE FROM brand_profiles WHERE id = 'brand-a'"))

    material = (
        await connection.execute(
            sa.text("SELECT organization_id, brand_profile_id FROM materials WHERE id = 'm1'")
        )
    ).one()
    assert tuple(material) == ("org-a", None)


async def test_deleting_an_organization_removes_every_row_of_it(
    connection: AsyncConnection,
) -> None:
    await seed_brand(connection, "org-a", "brand-a")
    await add_material(connection, "org-a", "brand-a")

    await connection.execute(sa.text("DELETE FROM organizations WHERE id = 'org-a'"))

    left = await connection.scalar(
        sa.text("SELECT (SELECT count(*) FROM brand_profiles) + (SELECT count(*) FROM materials)")
    )
    assert left == 0
