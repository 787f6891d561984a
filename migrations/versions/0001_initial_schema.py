"""The initial schema: every table of docs/domain.md, its enum types and indexes.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Read with ``adapters/rabbit_postgres/schema``; a test proves the two identical
(``tests/postgres/test_migrations.py``). A migration is a frozen snapshot, so it does not
import the schema: the small helpers below only spell out what every tenant table repeats
(``id``, ``organization_id``, the primary key, the organisation foreign key and the
UNIQUE (organization_id, id) target of the composite tenant keys).

Beyond the tables: the pgvector extension (left installed on downgrade: other databases
objects may use it), and ``STORAGE PLAIN`` for ``content_embeddings.embedding``, which keeps
a 768-float vector inside the row instead of TOAST (exact scans measured 3x faster).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql as pg

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENUMS: dict[str, tuple[str, ...]] = {
    "member_role": ("OWNER", "ADMIN", "MEMBER", "VIEWER"),
    "subscription_tier": ("FREE", "STARTER", "GROWTH", "BUSINESS", "ENTERPRISE"),
    "subscription_status": ("ACTIVE", "CANCELLED", "PAST_DUE", "TRIALING", "PAUSED"),
    "credit_action": (
        "GENERATE",
        "GENERATE_TRENDING",
        "REWRITE",
        "PUBLISH",
        "ANALYTICS",
        "TOPUP",
        "SUBSCRIPTION",
    ),
    "social_platform": (
        "FACEBOOK",
        "TWITTER",
        "LINKEDIN",
        "INSTAGRAM",
        "YOUTUBE",
        "REDDIT",
        "TIKTOK",
        "THREADS",
    ),
    "visual_style": ("MINIMAL", "BOLD", "PLAYFUL", "CORPORATE", "LUXURY", "TECH"),
    "font_preference": ("MODERN", "CLASSIC", "HANDWRITTEN", "MONOSPACE"),
    "content_angle": (
        "PRODUCT_FOCUS",
        "USER_BENEFIT",
        "STORYTELLING",
        "EDUCATIONAL",
        "SOCIAL_PROOF",
        "PROMOTIONAL",
    ),
    "material_type": ("TEXT", "URL", "FILE", "IMAGE", "VIDEO"),
    "material_status": (
        "UPLOADED",
        "PROCESSING",
        "ANALYZED",
        "READY",
        "USED",
        "ARCHIVED",
        "FAILED",
    ),
    "pending_post_status": (
        "PENDING",
        "AUTO_APPROVED",
        "APPROVED",
        "REJECTED",
        "EXPIRED",
        "PUBLISHED",
        "FAILED",
    ),
    "content_type": ("MATERIAL", "PENDING_POST", "POST"),
    "publish_attempt_status": ("STARTED", "SUCCEEDED", "FAILED", "UNKNOWN"),
}

#: Creation order (referenced tables first); downgrade drops in reverse.
TABLES: tuple[str, ...] = (
    "users",
    "organizations",
    "organization_members",
    "subscriptions",
    "credit_transactions",
    "brand_profiles",
    "social_accounts",
    "brand_profile_accounts",
    "external_sources",
    "schedules",
    "content_embeddings",
    "materials",
    "pending_posts",
    "posts",
    "publish_attempts",
    "post_metrics",
)


def enum(name: str) -> pg.ENUM:
    """A column type of an enum type created above (never re-created by the table)."""
    return pg.ENUM(*ENUMS[name], name=name, create_type=False)


def enum_array(name: str) -> pg.ARRAY[str]:
    return pg.ARRAY(enum(name))


def text(name: str, *, nullable: bool = True, default: str | None = None) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable, server_default=default)


def required(name: str, type_: sa.types.TypeEngine[object] | None = None) -> sa.Column[object]:
    return sa.Column(name, type_ if type_ is not None else sa.Text(), nullable=False)


def timestamp(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def created_at() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
    )


def updated_at() -> sa.Column[object]:
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
    )


def flag(name: str, default: bool) -> sa.Column[object]:
    return sa.Column(
        name, sa.Boolean(), nullable=False, server_default=sa.text("true" if default else "false")
    )


def counter(name: str, default: int = 0) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text(str(default)))


def array(name: str, type_: pg.ARRAY[object], default: str = "{}") -> sa.Column[object]:
    return sa.Column(name, type_, nullable=False, server_default=sa.text(f"'{default}'"))


def jsonb(name: str, default: str) -> sa.Column[object]:
    return sa.Column(
        name, pg.JSONB(), nullable=False, server_default=sa.text(f"'{default}'::jsonb")
    )


def check(table: str, name: str, sql: str) -> sa.CheckConstraint:
    """``op.f`` marks the name as final: alembic would otherwise apply the target
    metadata's ``ck`` naming convention to it a second time."""
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=f"uq_{table}_{'_'.join(columns)}")


def tenant_fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """(organization_id, column) → target (organization_id, id); SET NULL clears ``column``
    only (PostgreSQL 15+), never the shared, NOT NULL organization_id."""
    rule = f"SET NULL ({column})" if ondelete == "SET NULL" else ondelete
    return sa.ForeignKeyConstraint(
        ["organization_id", column],
        [f"{target}.organization_id", f"{target}.id"],
        name=f"fk_{table}_{column}",
        ondelete=rule,
    )


def create_tenant_table(name: str, *items: sa.Column[object] | sa.Constraint) -> None:
    """A table with ``id`` and ``organization_id`` first, its primary key, the organisation
    foreign key (cascade) and UNIQUE (organization_id, id)."""
    op.create_table(
        name,
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        *items,
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=f"fk_{name}_organization_id",
            ondelete="CASCADE",
        ),
        unique(name, "organization_id", "id"),
    )


def index(table: str, *columns: str, where: str | None = None) -> None:
    op.create_index(
        f"ix_{table}_{'_'.join(columns)}",
        table,
        list(columns),
        postgresql_where=sa.text(where) if where else None,
    )


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    for name, values in ENUMS.items():
        labels = ", ".join(f"'{value}'" for value in values)
        op.execute(f"CREATE TYPE {name} AS ENUM ({labels})")

    op.create_table(
        "users",
        required("id"),
        required("email"),
        flag("email_verified", False),
        text("name"),
        text("image"),
        timestamp("deleted_at"),
        created_at(),
        updated_at(),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        unique("users", "email"),
        check("users", "email_lower_case", "email = lower(email)"),
    )
    op.create_table(
        "organizations",
        required("id"),
        required("name"),
        required("slug"),
        text("logo"),
        text("stripe_customer_id"),
        timestamp("deleted_at"),
        created_at(),
        updated_at(),
        sa.PrimaryKeyConstraint("id", name="pk_organizations"),
        unique("organizations", "slug"),
        check(
            "organizations",
            "slug_format",
            "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 63",
        ),
    )
    create_tenant_table(
        "organization_members",
        required("user_id"),
        sa.Column("role", enum("member_role"), nullable=False, server_default="MEMBER"),
        timestamp("invited_at"),
        timestamp("joined_at"),
        created_at(),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_organization_members_user_id",
            ondelete="CASCADE",
        ),
        unique("organization_members", "organization_id", "user_id"),
    )

    # Billing.
    create_tenant_table(
        "subscriptions",
        sa.Column("tier", enum("subscription_tier"), nullable=False, server_default="FREE"),
        sa.Column("status", enum("subscription_status"), nullable=False, server_default="ACTIVE"),
        counter("credits_total"),
        counter("credits_used"),
        timestamp("current_period_start"),
        timestamp("current_period_end"),
        text("stripe_subscription_id"),
        created_at(),
        updated_at(),
        unique("subscriptions", "organization_id"),
        check(
            "subscriptions",
            "credits_within_total",
            "credits_used >= 0 AND credits_used <= credits_total",
        ),
    )
    index("subscriptions", "current_period_end")
    create_tenant_table(
        "credit_transactions",
        required("subscription_id"),
        required("amount", sa.Integer()),
        required("action", enum("credit_action")),
        text("description"),
        text("related_post_id"),
        created_at(),
        tenant_fk("credit_transactions", "subscription_id", "subscriptions", "CASCADE"),
    )
    index("credit_transactions", "organization_id", "created_at")

    # Brands and social accounts.
    create_tenant_table(
        "brand_profiles",
        required("name"),
        text("logo"),
        text("icon"),
        jsonb("colors", "{}"),
        sa.Column("visual_style", enum("visual_style"), nullable=False, server_default="MINIMAL"),
        sa.Column(
            "font_preference", enum("font_preference"), nullable=False, server_default="MODERN"
        ),
        array("tone", pg.ARRAY(sa.Text())),
        text("personality"),
        jsonb("language_rules", "{}"),
        jsonb("example_posts", "[]"),
        text("custom_context"),
        text("target_audience"),
        jsonb("content_pillars", "[]"),
        jsonb("platform_settings", "{}"),
        flag("auto_approve", True),
        text("notify_email"),
        text("notify_webhook"),
        counter("approval_timeout", 24),
        timestamp("deleted_at"),
        created_at(),
        updated_at(),
        check("brand_profiles", "approval_timeout_positive", "approval_timeout > 0"),
    )
    index("brand_profiles", "organization_id")
    create_tenant_table(
        "social_accounts",
        required("platform", enum("social_platform")),
        required("account_id"),
        required("account_name"),
        text("account_type"),
        text("profile_url"),
        text("avatar_url"),
        required("access_token"),
        text("refresh_token"),
        timestamp("token_expires_at"),
        counter("token_version", 1),
        flag("is_active", True),
        timestamp("deleted_at"),
        created_at(),
        updated_at(),
        unique("social_accounts", "organization_id", "id", "platform"),
        check("social_accounts", "token_version_positive", "token_version >= 1"),
    )
    index("social_accounts", "organization_id")
    op.create_index(
        "uq_social_accounts_platform_account_id",
        "social_accounts",
        ["platform", "account_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    create_tenant_table(
        "brand_profile_accounts",
        required("brand_profile_id"),
        required("social_account_id"),
        required("platform", enum("social_platform")),
        flag("is_default", False),
        created_at(),
        unique("brand_profile_accounts", "brand_profile_id", "social_account_id"),
        tenant_fk("brand_profile_accounts", "brand_profile_id", "brand_profiles", "CASCADE"),
        # The link's platform copy must equal its account's (ADR 0004).
        sa.ForeignKeyConstraint(
            ["organization_id", "social_account_id", "platform"],
            ["social_accounts.organization_id", "social_accounts.id", "social_accounts.platform"],
            name="fk_brand_profile_accounts_social_account_id_platform",
            ondelete="CASCADE",
        ),
    )
    index("brand_profile_accounts", "social_account_id")
    op.create_index(
        "uq_brand_profile_accounts_default_per_platform",
        "brand_profile_accounts",
        ["brand_profile_id", "platform"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    create_tenant_table(
        "external_sources",
        required("brand_profile_id"),
        required("type"),
        required("name"),
        text("store_url"),
        jsonb("connection_config", "{}"),
        timestamp("last_crawl_at"),
        text("crawl_frequency", nullable=False, default="0 0 * * *"),
        flag("is_active", True),
        created_at(),
        updated_at(),
        tenant_fk("external_sources", "brand_profile_id", "brand_profiles", "CASCADE"),
    )

    # Schedules.
    create_tenant_table(
        "schedules",
        required("brand_profile_id"),
        text("name"),
        array("platforms", enum_array("social_platform")),
        text("frequency", nullable=False, default="1_per_day"),
        array("times", pg.ARRAY(sa.Text())),
        text("timezone", nullable=False, default="UTC"),
        array("days_of_week", pg.ARRAY(sa.Integer()), "{1,2,3,4,5}"),
        text("material_strategy", nullable=False, default="round_robin"),
        flag("auto_approve", True),
        flag("unique_per_platform", False),
        flag("is_active", True),
        timestamp("next_run_at"),
        created_at(),
        updated_at(),
        tenant_fk("schedules", "brand_profile_id", "brand_profiles", "CASCADE"),
        check("schedules", "days_of_week_range", "days_of_week <@ ARRAY[0, 1, 2, 3, 4, 5, 6]"),
    )
    index("schedules", "next_run_at", where="is_active")

    # Embeddings (before materials and posts, which point at them).
    create_tenant_table(
        "content_embeddings",
        required("content_type", enum("content_type")),
        required("content_id"),
        required("embedding", Vector(768)),
        required("content_hash"),
        created_at(),
        unique("content_embeddings", "content_type", "content_id"),
        check("content_embeddings", "content_hash_format", "content_hash ~ '^[0-9a-f]{16}$'"),
    )
    op.execute("ALTER TABLE content_embeddings ALTER COLUMN embedding SET STORAGE PLAIN")
    op.create_index(
        "ix_content_embeddings_embedding_hnsw",
        "content_embeddings",
        ["embedding"],
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    # The exact per-organisation dedup scan; serves content_embeddings(organization_id) too.
    index("content_embeddings", "organization_id", "created_at")

    # Materials and content.
    create_tenant_table(
        "materials",
        text("brand_profile_id"),
        required("type", enum("material_type")),
        text("name"),
        text("original_content"),
        text("file_key"),
        sa.Column("file_size", sa.Integer(), nullable=True),
        text("mime_type"),
        text("url"),
        text("summary"),
        array("key_points", pg.ARRAY(sa.Text())),
        array("keywords", pg.ARRAY(sa.Text())),
        array("suggested_angles", enum_array("content_angle")),
        text("sentiment"),
        text("content_pillar"),
        sa.Column("status", enum("material_status"), nullable=False, server_default="UPLOADED"),
        counter("usage_count"),
        timestamp("last_used_at"),
        text("embedding_id"),
        timestamp("deleted_at"),
        created_at(),
        updated_at(),
        tenant_fk("materials", "brand_profile_id", "brand_profiles", "SET NULL"),
        tenant_fk("materials", "embedding_id", "content_embeddings", "SET NULL"),
        check("materials", "file_size_positive", "file_size IS NULL OR file_size > 0"),
        check("materials", "usage_count_not_negative", "usage_count >= 0"),
    )
    index("materials", "organization_id")
    index("materials", "organization_id", "status")
    create_tenant_table(
        "pending_posts",
        required("brand_profile_id"),
        required("material_id"),
        text("schedule_id"),
        required("platforms", enum_array("social_platform")),
        required("content"),
        array("hashtags", pg.ARRAY(sa.Text())),
        array("media_urls", pg.ARRAY(sa.Text())),
        required("angle", enum("content_angle")),
        text("angle_reason"),
        flag("is_exploration", False),
        text("generation_mode", nullable=False, default="autopilot"),
        timestamp("scheduled_for"),
        timestamp("expires_at"),
        sa.Column("status", enum("pending_post_status"), nullable=False, server_default="PENDING"),
        text("review_notes"),
        text("embedding_id"),
        created_at(),
        updated_at(),
        tenant_fk("pending_posts", "brand_profile_id", "brand_profiles", "CASCADE"),
        tenant_fk("pending_posts", "material_id", "materials", "CASCADE"),
        tenant_fk("pending_posts", "schedule_id", "schedules", "SET NULL"),
        tenant_fk("pending_posts", "embedding_id", "content_embeddings", "SET NULL"),
        check("pending_posts", "platforms_not_empty", "cardinality(platforms) >= 1"),
    )
    index("pending_posts", "organization_id", "status")
    index("pending_posts", "scheduled_for", where="status IN ('AUTO_APPROVED', 'APPROVED')")
    index("pending_posts", "expires_at", where="status = 'PENDING'")
    create_tenant_table(
        "posts",
        required("brand_profile_id"),
        required("social_account_id"),
        text("material_id"),
        text("schedule_id"),
        text("pending_post_id"),
        required("content"),
        array("hashtags", pg.ARRAY(sa.Text())),
        array("media_urls", pg.ARRAY(sa.Text())),
        required("platform", enum("social_platform")),
        text("external_id"),
        text("external_url"),
        timestamp("published_at"),
        required("angle", enum("content_angle")),
        text("angle_reason"),
        flag("is_exploration", False),
        counter("likes"),
        counter("comments"),
        counter("shares"),
        counter("impressions"),
        counter("reach"),
        counter("clicks"),
        sa.Column("engagement_rate", sa.REAL(), nullable=True),
        timestamp("metrics_updated_at"),
        timestamp("deleted_at"),
        created_at(),
        updated_at(),
        tenant_fk("posts", "brand_profile_id", "brand_profiles", "CASCADE"),
        tenant_fk("posts", "social_account_id", "social_accounts", "CASCADE"),
        tenant_fk("posts", "material_id", "materials", "SET NULL"),
        tenant_fk("posts", "schedule_id", "schedules", "SET NULL"),
        tenant_fk("posts", "pending_post_id", "pending_posts", "SET NULL"),
        unique("posts", "pending_post_id", "platform"),
    )
    index("posts", "organization_id")
    index("posts", "platform", "published_at")
    index("posts", "social_account_id", "published_at")
    op.create_index("ix_posts_published_at", "posts", [sa.text("published_at DESC")])
    create_tenant_table(
        "publish_attempts",
        required("pending_post_id"),
        required("platform", enum("social_platform")),
        required("social_account_id"),
        required("attempt_number", sa.Integer()),
        required("idempotency_key"),
        sa.Column(
            "status", enum("publish_attempt_status"), nullable=False, server_default="STARTED"
        ),
        text("external_id"),
        text("error"),
        timestamp("started_at", nullable=False),
        timestamp("finished_at"),
        tenant_fk("publish_attempts", "pending_post_id", "pending_posts", "CASCADE"),
        tenant_fk("publish_attempts", "social_account_id", "social_accounts", "CASCADE"),
        unique("publish_attempts", "pending_post_id", "platform", "attempt_number"),
        check("publish_attempts", "attempt_number_positive", "attempt_number >= 1"),
    )
    create_tenant_table(
        "post_metrics",
        required("post_id"),
        timestamp("collected_at", nullable=False),
        counter("likes"),
        counter("comments"),
        counter("shares"),
        counter("impressions"),
        counter("reach"),
        counter("clicks"),
        sa.Column("engagement_rate", sa.REAL(), nullable=True),
        tenant_fk("post_metrics", "post_id", "posts", "CASCADE"),
        unique("post_metrics", "post_id", "collected_at"),
    )


def downgrade() -> None:
    """Drop every table (their indexes and constraints go with them) and enum type; the
    vector extension stays."""
    for table in reversed(TABLES):
        op.drop_table(table)
    for name in reversed(ENUMS):
        op.execute(f"DROP TYPE {name}")
