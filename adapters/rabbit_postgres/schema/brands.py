"""brand_profiles, social_accounts, the brand_profile_accounts link and external_sources."""

from __future__ import annotations

import sqlalchemy as sa

from rabbit_postgres.schema._base import (
    TENANT_COLUMN,
    check,
    created_at,
    deleted_at,
    flag,
    font_preference,
    id_column,
    jsonb,
    metadata,
    social_platform,
    tenant_column,
    tenant_fk,
    tenant_key,
    text_array,
    text_default,
    timestamp,
    updated_at,
    visual_style,
)

brand_profiles = sa.Table(
    "brand_profiles",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("logo", sa.Text()),
    sa.Column("icon", sa.Text()),
    jsonb("colors", "{}"),
    sa.Column("visual_style", visual_style, nullable=False, server_default="MINIMAL"),
    sa.Column("font_preference", font_preference, nullable=False, server_default="MODERN"),
    text_array("tone"),
    sa.Column("personality", sa.Text()),
    jsonb("language_rules", "{}"),
    jsonb("example_posts", "[]"),
    sa.Column("custom_context", sa.Text()),
    sa.Column("target_audience", sa.Text()),
    jsonb("content_pillars", "[]"),
    jsonb("platform_settings", "{}"),
    flag("auto_approve", True),
    sa.Column("notify_email", sa.Text()),
    sa.Column("notify_webhook", sa.Text()),
    sa.Column("approval_timeout", sa.Integer(), nullable=False, server_default=sa.text("24")),
    deleted_at(),
    created_at(),
    updated_at(),
    tenant_key(),
    check("approval_timeout > 0", name="approval_timeout_positive", field="approval_timeout"),
    sa.Index(None, "organization_id"),
)

social_accounts = sa.Table(
    "social_accounts",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("platform", social_platform, nullable=False),
    sa.Column("account_id", sa.Text(), nullable=False),
    sa.Column("account_name", sa.Text(), nullable=False),
    sa.Column("account_type", sa.Text()),
    sa.Column("profile_url", sa.Text()),
    sa.Column("avatar_url", sa.Text()),
    sa.Column("access_token", sa.Text(), nullable=False),
    sa.Column("refresh_token", sa.Text()),
    timestamp("token_expires_at"),
    sa.Column("token_version", sa.Integer(), nullable=False, server_default=sa.text("1")),
    flag("is_active", True),
    deleted_at(),
    created_at(),
    updated_at(),
    tenant_key(),
    # The target of the link's (organization_id, social_account_id, platform) key, which
    # keeps the platform copied onto a link equal to its account's.
    sa.UniqueConstraint(TENANT_COLUMN, "id", "platform"),
    check("token_version >= 1", name="token_version_positive", field="token_version"),
    # One platform account is connected once system-wide, and again after a disconnect.
    sa.Index(
        "uq_social_accounts_platform_account_id",
        "platform",
        "account_id",
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
    sa.Index(None, "organization_id"),
)

brand_profile_accounts = sa.Table(
    "brand_profile_accounts",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("brand_profile_id", sa.Text(), nullable=False),
    sa.Column("social_account_id", sa.Text(), nullable=False),
    # The account's platform, copied (ADR 0004) so "one default per (brand, platform)" can
    # be a unique index; the foreign key below keeps the copy true.
    sa.Column("platform", social_platform, nullable=False),
    flag("is_default", False),
    created_at(),
    tenant_key(),
    sa.UniqueConstraint("brand_profile_id", "social_account_id"),
    tenant_fk("brand_profile_id", "brand_profiles", ondelete="CASCADE"),
    sa.ForeignKeyConstraint(
        [TENANT_COLUMN, "social_account_id", "platform"],
        ["social_accounts.organization_id", "social_accounts.id", "social_accounts.platform"],
        ondelete="CASCADE",
    ),
    sa.Index(
        "uq_brand_profile_accounts_default_per_platform",
        "brand_profile_id",
        "platform",
        unique=True,
        postgresql_where=sa.text("is_default"),
        info={"field": "is_default"},
    ),
    # An account's brands (list_for_account) and the cascade from social_accounts.
    sa.Index(None, "social_account_id"),
)

external_sources = sa.Table(
    "external_sources",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("brand_profile_id", sa.Text(), nullable=False),
    sa.Column("type", sa.Text(), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("store_url", sa.Text()),
    jsonb("connection_config", "{}"),
    timestamp("last_crawl_at"),
    text_default("crawl_frequency", "0 0 * * *"),
    flag("is_active", True),
    created_at(),
    updated_at(),
    tenant_key(),
    tenant_fk("brand_profile_id", "brand_profiles", ondelete="CASCADE"),
)
