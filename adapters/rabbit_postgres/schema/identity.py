"""users (global), organizations (the tenant) and organization_members."""

from __future__ import annotations

import sqlalchemy as sa

from rabbit_postgres.schema._base import (
    check,
    created_at,
    deleted_at,
    flag,
    id_column,
    member_role,
    metadata,
    tenant_column,
    tenant_key,
    timestamp,
    updated_at,
)

users = sa.Table(
    "users",
    metadata,
    id_column(),
    sa.Column("email", sa.Text(), nullable=False),
    flag("email_verified", False),
    sa.Column("name", sa.Text()),
    sa.Column("image", sa.Text()),
    deleted_at(),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("email"),
    # The core stores emails lower-cased, so the plain unique constraint ignores case.
    check("email = lower(email)", name="email_lower_case", field="email"),
)

organizations = sa.Table(
    "organizations",
    metadata,
    id_column(),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("slug", sa.Text(), nullable=False),
    sa.Column("logo", sa.Text()),
    sa.Column("stripe_customer_id", sa.Text()),
    deleted_at(),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("slug"),
    check(
        "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 63",
        name="slug_format",
        field="slug",
    ),
)

organization_members = sa.Table(
    "organization_members",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("user_id", sa.Text(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("role", member_role, nullable=False, server_default="MEMBER"),
    timestamp("invited_at"),
    timestamp("joined_at"),
    created_at(),
    sa.UniqueConstraint("organization_id", "user_id"),
    tenant_key(),
)
