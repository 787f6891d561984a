"""materials: what the agent writes posts from."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rabbit_postgres.schema._base import (
    array,
    check,
    content_angle,
    counter,
    created_at,
    deleted_at,
    id_column,
    material_status,
    material_type,
    metadata,
    tenant_column,
    tenant_fk,
    tenant_key,
    text_array,
    timestamp,
    updated_at,
)

materials = sa.Table(
    "materials",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("brand_profile_id", sa.Text()),
    sa.Column("type", material_type, nullable=False),
    sa.Column("name", sa.Text()),
    sa.Column("original_content", sa.Text()),
    sa.Column("file_key", sa.Text()),
    sa.Column("file_size", sa.BigInteger()),
    sa.Column("mime_type", sa.Text()),
    sa.Column("url", sa.Text()),
    sa.Column("summary", sa.Text()),
    text_array("key_points"),
    text_array("keywords"),
    array("suggested_angles", pg.ARRAY(content_angle)),
    sa.Column("sentiment", sa.Text()),
    sa.Column("content_pillar", sa.Text()),
    sa.Column("status", material_status, nullable=False, server_default="UPLOADED"),
    counter("usage_count"),
    timestamp("last_used_at"),
    sa.Column("embedding_id", sa.Text()),
    deleted_at(),
    created_at(),
    updated_at(),
    tenant_key(),
    # A deleted brand leaves its materials in the organisation, unassigned.
    tenant_fk("brand_profile_id", "brand_profiles", ondelete="SET NULL"),
    tenant_fk("embedding_id", "content_embeddings", ondelete="SET NULL"),
    check("file_size IS NULL OR file_size > 0", name="file_size_positive", field="file_size"),
    check("usage_count >= 0", name="usage_count_not_negative", field="usage_count"),
    sa.Index(None, "organization_id"),
    sa.Index(None, "organization_id", "status"),
)
