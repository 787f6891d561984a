"""Generated and published content: content_embeddings, pending_posts, posts,
publish_attempts and post_metrics."""

from __future__ import annotations

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql as pg

from rabbit.domain.model.content import EMBEDDING_DIMENSIONS
from rabbit_postgres.schema._base import (
    check,
    content_angle,
    content_type,
    counter,
    created_at,
    deleted_at,
    flag,
    id_column,
    metadata,
    pending_post_status,
    publish_attempt_status,
    social_platform,
    tenant_column,
    tenant_fk,
    tenant_key,
    text_array,
    text_default,
    timestamp,
    updated_at,
)

#: The name of the approximate (HNSW, cosine) index; the migration also stores the column
#: with ``STORAGE PLAIN`` (not expressible in a Table), which made exact scans 3x faster.
EMBEDDING_HNSW_INDEX = "ix_content_embeddings_embedding_hnsw"

content_embeddings = sa.Table(
    "content_embeddings",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("content_type", content_type, nullable=False),
    # Polymorphic (a material, pending post or post id): no foreign key.
    sa.Column("content_id", sa.Text(), nullable=False),
    sa.Column("embedding", Vector(EMBEDDING_DIMENSIONS), nullable=False),
    sa.Column("content_hash", sa.Text(), nullable=False),
    created_at(),
    tenant_key(),
    sa.UniqueConstraint("content_type", "content_id"),
    check("content_hash ~ '^[0-9a-f]{16}$'", name="content_hash_format", field="content_hash"),
    sa.Index(
        EMBEDDING_HNSW_INDEX,
        "embedding",
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    ),
    # The exact per-organisation dedup scan reads one organisation's last 30 days; as its
    # leading column this index also serves content_embeddings(organization_id)
    # (docs/domain.md#indexes).
    sa.Index(None, "organization_id", "created_at"),
)

pending_posts = sa.Table(
    "pending_posts",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("brand_profile_id", sa.Text(), nullable=False),
    sa.Column("material_id", sa.Text(), nullable=False),
    sa.Column("schedule_id", sa.Text()),
    sa.Column("platforms", pg.ARRAY(social_platform), nullable=False),
    sa.Column("content", sa.Text(), nullable=False),
    text_array("hashtags"),
    text_array("media_urls"),
    sa.Column("angle", content_angle, nullable=False),
    sa.Column("angle_reason", sa.Text()),
    flag("is_exploration", False),
    text_default("generation_mode", "autopilot"),
    timestamp("scheduled_for"),
    timestamp("expires_at"),
    sa.Column("status", pending_post_status, nullable=False, server_default="PENDING"),
    sa.Column("review_notes", sa.Text()),
    sa.Column("embedding_id", sa.Text()),
    created_at(),
    updated_at(),
    # Publishing settlement and backoff (ADR 0015, revision 0003).
    timestamp("publish_after"),
    counter("publish_failures"),
    counter("publish_credits"),
    tenant_key(),
    tenant_fk("brand_profile_id", "brand_profiles", ondelete="CASCADE"),
    tenant_fk("material_id", "materials", ondelete="CASCADE"),
    tenant_fk("schedule_id", "schedules", ondelete="SET NULL"),
    tenant_fk("embedding_id", "content_embeddings", ondelete="SET NULL"),
    check("cardinality(platforms) >= 1", name="platforms_not_empty", field="platforms"),
    check("publish_failures >= 0", name="publish_failures_not_negative", field="publish_failures"),
    check("publish_credits >= 0", name="publish_credits_not_negative", field="publish_credits"),
    sa.Index(None, "organization_id", "status"),
    # list_due: publishable posts by scheduled_for.
    sa.Index(
        None,
        "scheduled_for",
        postgresql_where=sa.text("status IN ('AUTO_APPROVED', 'APPROVED')"),
    ),
    # list_expired: PENDING posts by expires_at.
    sa.Index(None, "expires_at", postgresql_where=sa.text("status = 'PENDING'")),
)

posts = sa.Table(
    "posts",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("brand_profile_id", sa.Text(), nullable=False),
    sa.Column("social_account_id", sa.Text(), nullable=False),
    sa.Column("material_id", sa.Text()),
    sa.Column("schedule_id", sa.Text()),
    sa.Column("pending_post_id", sa.Text()),
    sa.Column("content", sa.Text(), nullable=False),
    text_array("hashtags"),
    text_array("media_urls"),
    sa.Column("platform", social_platform, nullable=False),
    sa.Column("external_id", sa.Text()),
    sa.Column("external_url", sa.Text()),
    timestamp("published_at"),
    sa.Column("angle", content_angle, nullable=False),
    sa.Column("angle_reason", sa.Text()),
    flag("is_exploration", False),
    counter("likes"),
    counter("comments"),
    counter("shares"),
    counter("impressions"),
    counter("reach"),
    counter("clicks"),
    sa.Column("engagement_rate", sa.REAL()),
    timestamp("metrics_updated_at"),
    deleted_at(),
    created_at(),
    updated_at(),
    tenant_key(),
    tenant_fk("brand_profile_id", "brand_profiles", ondelete="CASCADE"),
    # A post lives on its account's timeline: purging the account purges its posts.
    tenant_fk("social_account_id", "social_accounts", ondelete="CASCADE"),
    tenant_fk("material_id", "materials", ondelete="SET NULL"),
    tenant_fk("schedule_id", "schedules", ondelete="SET NULL"),
    tenant_fk("pending_post_id", "pending_posts", ondelete="SET NULL"),
    # Exactly once: a pending post reaches a platform at most once.
    sa.UniqueConstraint("pending_post_id", "platform"),
    sa.Index(None, "organization_id"),
    sa.Index(None, "platform", "published_at"),
    sa.Index(None, "social_account_id", "published_at"),
)
sa.Index("ix_posts_published_at", posts.c.published_at.desc())

publish_attempts = sa.Table(
    "publish_attempts",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("pending_post_id", sa.Text(), nullable=False),
    sa.Column("platform", social_platform, nullable=False),
    sa.Column("social_account_id", sa.Text(), nullable=False),
    sa.Column("attempt_number", sa.Integer(), nullable=False),
    sa.Column("idempotency_key", sa.Text(), nullable=False),
    sa.Column("status", publish_attempt_status, nullable=False, server_default="STARTED"),
    sa.Column("external_id", sa.Text()),
    sa.Column("error", sa.Text()),
    timestamp("started_at", nullable=False),
    timestamp("finished_at"),
    tenant_key(),
    tenant_fk("pending_post_id", "pending_posts", ondelete="CASCADE"),
    tenant_fk("social_account_id", "social_accounts", ondelete="CASCADE"),
    # Two workers cannot start the same attempt.
    sa.UniqueConstraint("pending_post_id", "platform", "attempt_number"),
    check("attempt_number >= 1", name="attempt_number_positive", field="attempt_number"),
)

post_metrics = sa.Table(
    "post_metrics",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("post_id", sa.Text(), nullable=False),
    timestamp("collected_at", nullable=False),
    counter("likes"),
    counter("comments"),
    counter("shares"),
    counter("impressions"),
    counter("reach"),
    counter("clicks"),
    sa.Column("engagement_rate", sa.REAL()),
    tenant_key(),
    tenant_fk("post_id", "posts", ondelete="CASCADE"),
    sa.UniqueConstraint("post_id", "collected_at"),
)
