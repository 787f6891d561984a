"""What docs/domain.md describes of the database, written out: every column (type, nullability,
default), every constraint (with its on-delete rule) and every index beyond the constraints.

Checked by hand against ``docs/domain.md``; ``test_schema.py`` compares the migrated
database with it, so a missing column, default, constraint or index fails a test. When the
schema changes on purpose, change this file in the same commit. What many tables share (the
id, organisation and timestamp columns, the tenant keys and foreign keys) is written once
below; each table states what is its own.

Columns: ``name | type | null or not null | default`` (the default as PostgreSQL prints it).
Constraints and indexes: as ``pg_get_constraintdef`` / ``pg_indexes`` print them (indexes
without the ``CREATE … ON public.<table>`` prefix).
"""

# ruff: noqa: E501

from __future__ import annotations

#: The columns many tables share, written once.
ID = "id                    | text                  | not null"
ORGANIZATION_ID = "organization_id       | text                  | not null"
DELETED_AT = "deleted_at            | timestamptz           | null"
CREATED_AT = "created_at            | timestamptz           | not null | now()"
UPDATED_AT = "updated_at            | timestamptz           | not null | now()"
#: A tenant table's first columns.
TENANT = (ID, ORGANIZATION_ID)


def columns(*parts: str) -> str:
    """One table's column lines: the shared ones named above and its own (a block of lines)."""
    return "\n".join(part.strip() for part in parts)


COLUMNS: dict[str, str] = {
    "billing_events": columns(
        *TENANT,
        """
        reference             | text                  | not null
        kind                  | billing_event_kind    | not null
        """,
        CREATED_AT,
    ),
    "brand_profile_accounts": columns(
        *TENANT,
        """
        brand_profile_id      | text                  | not null
        social_account_id     | text                  | not null
        platform              | social_platform       | not null
        is_default            | boolean               | not null | false
        """,
        CREATED_AT,
    ),
    "brand_profiles": columns(
        *TENANT,
        """
        name                  | text                  | not null
        logo                  | text                  | null
        icon                  | text                  | null
        colors                | jsonb                 | not null | '{}'::jsonb
        visual_style          | visual_style          | not null | 'MINIMAL'::visual_style
        font_preference       | font_preference       | not null | 'MODERN'::font_preference
        tone                  | text[]                | not null | '{}'::text[]
        personality           | text                  | null
        language_rules        | jsonb                 | not null | '{}'::jsonb
        example_posts         | jsonb                 | not null | '[]'::jsonb
        custom_context        | text                  | null
        target_audience       | text                  | null
        content_pillars       | jsonb                 | not null | '[]'::jsonb
        platform_settings     | jsonb                 | not null | '{}'::jsonb
        auto_approve          | boolean               | not null | true
        notify_email          | text                  | null
        notify_webhook        | text                  | null
        approval_timeout      | integer               | not null | 24
        """,
        DELETED_AT,
        CREATED_AT,
        UPDATED_AT,
    ),
    "content_embeddings": columns(
        *TENANT,
        """
        content_type          | content_type          | not null
        content_id            | text                  | not null
        embedding             | vector(768)           | not null
        content_hash          | text                  | not null
        """,
        CREATED_AT,
    ),
    "credit_transactions": columns(
        *TENANT,
        """
        subscription_id       | text                  | not null
        amount                | integer               | not null
        action                | credit_action         | not null
        description           | text                  | null
        related_post_id       | text                  | null
        """,
        CREATED_AT,
    ),
    "external_sources": columns(
        *TENANT,
        """
        brand_profile_id      | text                  | not null
        type                  | text                  | not null
        name                  | text                  | not null
        store_url             | text                  | null
        connection_config     | jsonb                 | not null | '{}'::jsonb
        last_crawl_at         | timestamptz           | null
        crawl_frequency       | text                  | not null | '0 0 * * *'::text
        is_active             | boolean               | not null | true
        """,
        CREATED_AT,
        UPDATED_AT,
    ),
    "materials": columns(
        *TENANT,
        """
        brand_profile_id      | text                  | null
        type                  | material_type         | not null
        name                  | text                  | null
        original_content      | text                  | null
        file_key              | text                  | null
        file_size             | bigint                | null
        mime_type             | text                  | null
        url                   | text                  | null
        summary               | text                  | null
        key_points            | text[]                | not null | '{}'::text[]
        keywords              | text[]                | not null | '{}'::text[]
        suggested_angles      | content_angle[]       | not null | '{}'::content_angle[]
        sentiment             | text                  | null
        content_pillar        | text                  | null
        status                | material_status       | not null | 'UPLOADED'::material_status
        usage_count           | integer               | not null | 0
        last_used_at          | timestamptz           | null
        embedding_id          | text                  | null
        """,
        DELETED_AT,
        CREATED_AT,
        UPDATED_AT,
    ),
    "organization_members": columns(
        *TENANT,
        """
        user_id               | text                  | not null
        role                  | member_role           | not null | 'MEMBER'::member_role
        invited_at            | timestamptz           | null
        joined_at             | timestamptz           | null
        """,
        CREATED_AT,
    ),
    "organizations": columns(
        ID,
        """
        name                  | text                  | not null
        slug                  | text                  | not null
        logo                  | text                  | null
        stripe_customer_id    | text                  | null
        """,
        DELETED_AT,
        CREATED_AT,
        UPDATED_AT,
    ),
    "pending_posts": columns(
        *TENANT,
        """
        brand_profile_id      | text                  | not null
        material_id           | text                  | not null
        schedule_id           | text                  | null
        platforms             | social_platform[]     | not null
        content               | text                  | not null
        hashtags              | text[]                | not null | '{}'::text[]
        media_urls            | text[]                | not null | '{}'::text[]
        angle                 | content_angle         | not null
        angle_reason          | text                  | null
        is_exploration        | boolean               | not null | false
        generation_mode       | text                  | not null | 'autopilot'::text
        scheduled_for         | timestamptz           | null
        expires_at            | timestamptz           | null
        status                | pending_post_status   | not null | 'PENDING'::pending_post_status
        review_notes          | text                  | null
        embedding_id          | text                  | null
        publish_after         | timestamptz           | null
        publish_failures      | integer               | not null | 0
        publish_credits       | integer               | not null | 0
        """,
        CREATED_AT,
        UPDATED_AT,
    ),
    "post_metrics": columns(
        *TENANT,
        """
        post_id               | text                  | not null
        collected_at          | timestamptz           | not null
        likes                 | integer               | not null | 0
        comments              | integer               | not null | 0
        shares                | integer               | not null | 0
        impressions           | integer               | not null | 0
        reach                 | integer               | not null | 0
        clicks                | integer               | not null | 0
        engagement_rate       | real                  | null
        """,
    ),
    "posts": columns(
        *TENANT,
        """
        brand_profile_id      | text                  | not null
        social_account_id     | text                  | not null
        material_id           | text                  | null
        schedule_id           | text                  | null
        pending_post_id       | text                  | null
        content               | text                  | not null
        hashtags              | text[]                | not null | '{}'::text[]
        media_urls            | text[]                | not null | '{}'::text[]
        platform              | social_platform       | not null
        external_id           | text                  | null
        external_url          | text                  | null
        published_at          | timestamptz           | null
        angle                 | content_angle         | not null
        angle_reason          | text                  | null
        is_exploration        | boolean               | not null | false
        likes                 | integer               | not null | 0
        comments              | integer               | not null | 0
        shares                | integer               | not null | 0
        impressions           | integer               | not null | 0
        reach                 | integer               | not null | 0
        clicks                | integer               | not null | 0
        engagement_rate       | real                  | null
        metrics_updated_at    | timestamptz           | null
        """,
        DELETED_AT,
        CREATED_AT,
        UPDATED_AT,
    ),
    "publish_attempts": columns(
        *TENANT,
        """
        pending_post_id       | text                  | not null
        platform              | social_platform       | not null
        social_account_id     | text                  | not null
        attempt_number        | integer               | not null
        idempotency_key       | text                  | not null
        status                | publish_attempt_status| not null | 'STARTED'::publish_attempt_status
        external_id           | text                  | null
        error                 | text                  | null
        started_at            | timestamptz           | not null
        finished_at           | timestamptz           | null
        """,
    ),
    "schedules": columns(
        *TENANT,
        """
        brand_profile_id      | text                  | not null
        name                  | text                  | null
        platforms             | social_platform[]     | not null | '{}'::social_platform[]
        frequency             | text                  | not null | '1_per_day'::text
        times                 | text[]                | not null | '{}'::text[]
        timezone              | text                  | not null | 'UTC'::text
        days_of_week          | integer[]             | not null | '{1,2,3,4,5}'::integer[]
        material_strategy     | text                  | not null | 'round_robin'::text
        auto_approve          | boolean               | not null | true
        unique_per_platform   | boolean               | not null | false
        is_active             | boolean               | not null | true
        next_run_at           | timestamptz           | null
        """,
        CREATED_AT,
        UPDATED_AT,
    ),
    "social_accounts": columns(
        *TENANT,
        """
        platform              | social_platform       | not null
        account_id            | text                  | not null
        account_name          | text                  | not null
        account_type          | text                  | null
        profile_url           | text                  | null
        avatar_url            | text                  | null
        access_token          | text                  | not null
        refresh_token         | text                  | null
        token_expires_at      | timestamptz           | null
        token_version         | integer               | not null | 1
        is_active             | boolean               | not null | true
        """,
        DELETED_AT,
        CREATED_AT,
        UPDATED_AT,
    ),
    "subscriptions": columns(
        *TENANT,
        """
        tier                  | subscription_tier     | not null | 'FREE'::subscription_tier
        status                | subscription_status   | not null | 'ACTIVE'::subscription_status
        credits_total         | integer               | not null | 0
        credits_used          | integer               | not null | 0
        current_period_start  | timestamptz           | null
        current_period_end    | timestamptz           | null
        stripe_subscription_id| text                  | null
        """,
        CREATED_AT,
        UPDATED_AT,
    ),
    "token_keys": columns(
        ID,
        """
        fingerprint           | text                  | not null
        """,
        CREATED_AT,
    ),
    "users": columns(
        ID,
        """
        email                 | text                  | not null
        email_verified        | boolean               | not null | false
        name                  | text                  | null
        image                 | text                  | null
        """,
        DELETED_AT,
        CREATED_AT,
        UPDATED_AT,
    ),
}


#: A tenant foreign key: (column, target table, on-delete rule); the key is
#: ``(organization_id, column)`` to the target's ``(organization_id, id)``.
Reference = tuple[str, str, str]


def cascade(column: str, target: str) -> Reference:
    return column, target, "CASCADE"


def set_null(column: str, target: str) -> Reference:
    """Deleting the target clears only the reference, not the row's organisation."""
    return column, target, f"SET NULL ({column})"


def tenant_keys(table: str, *references: Reference, **own: str) -> dict[str, str]:
    """A tenant table's constraints: the keys every tenant table has (its id, its
    organisation, the ``(organization_id, id)`` pair other tenant tables refer to), a foreign
    key through the organisation for each ``(column, target table, on delete)`` reference,
    and its own, by name."""
    keys = {
        f"pk_{table}": "PRIMARY KEY (id)",
        f"fk_{table}_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        f"uq_{table}_organization_id_id": "UNIQUE (organization_id, id)",
    }
    for column, target, on_delete in references:
        keys[f"fk_{table}_{column}"] = (
            f"FOREIGN KEY (organization_id, {column}) REFERENCES {target}(organization_id, id)"
            f" ON DELETE {on_delete}"
        )
    return {**keys, **own}


CONSTRAINTS: dict[str, dict[str, str]] = {
    "billing_events": tenant_keys(
        "billing_events",
        uq_billing_events_reference="UNIQUE (reference)",
    ),
    "brand_profile_accounts": tenant_keys(
        "brand_profile_accounts",
        cascade("brand_profile_id", "brand_profiles"),
        fk_brand_profile_accounts_social_account_id_platform="FOREIGN KEY (organization_id, social_account_id, platform) REFERENCES social_accounts(organization_id, id, platform) ON DELETE CASCADE",
        uq_brand_profile_accounts_brand_profile_id_social_account_id="UNIQUE (brand_profile_id, social_account_id)",
    ),
    "brand_profiles": tenant_keys(
        "brand_profiles",
        ck_brand_profiles_approval_timeout_positive="CHECK ((approval_timeout > 0))",
    ),
    "content_embeddings": tenant_keys(
        "content_embeddings",
        ck_content_embeddings_content_hash_format="CHECK ((content_hash ~ '^[0-9a-f]{16}$'::text))",
        uq_content_embeddings_content_type_content_id="UNIQUE (content_type, content_id)",
    ),
    "credit_transactions": tenant_keys(
        "credit_transactions",
        cascade("subscription_id", "subscriptions"),
    ),
    "external_sources": tenant_keys(
        "external_sources",
        cascade("brand_profile_id", "brand_profiles"),
    ),
    "materials": tenant_keys(
        "materials",
        set_null("brand_profile_id", "brand_profiles"),
        set_null("embedding_id", "content_embeddings"),
        ck_materials_file_size_positive="CHECK (((file_size IS NULL) OR (file_size > 0)))",
        ck_materials_usage_count_not_negative="CHECK ((usage_count >= 0))",
    ),
    "organization_members": tenant_keys(
        "organization_members",
        fk_organization_members_user_id="FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
        uq_organization_members_organization_id_user_id="UNIQUE (organization_id, user_id)",
    ),
    "organizations": {
        "ck_organizations_slug_format": "CHECK (((slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text) AND (char_length(slug) <= 63)))",
        "pk_organizations": "PRIMARY KEY (id)",
        "uq_organizations_slug": "UNIQUE (slug)",
    },
    "pending_posts": tenant_keys(
        "pending_posts",
        cascade("brand_profile_id", "brand_profiles"),
        set_null("embedding_id", "content_embeddings"),
        cascade("material_id", "materials"),
        set_null("schedule_id", "schedules"),
        ck_pending_posts_platforms_not_empty="CHECK ((cardinality(platforms) >= 1))",
        ck_pending_posts_publish_credits_not_negative="CHECK ((publish_credits >= 0))",
        ck_pending_posts_publish_failures_not_negative="CHECK ((publish_failures >= 0))",
    ),
    "post_metrics": tenant_keys(
        "post_metrics",
        cascade("post_id", "posts"),
        uq_post_metrics_post_id_collected_at="UNIQUE (post_id, collected_at)",
    ),
    "posts": tenant_keys(
        "posts",
        cascade("brand_profile_id", "brand_profiles"),
        set_null("material_id", "materials"),
        set_null("pending_post_id", "pending_posts"),
        set_null("schedule_id", "schedules"),
        cascade("social_account_id", "social_accounts"),
        uq_posts_pending_post_id_platform="UNIQUE (pending_post_id, platform)",
    ),
    "publish_attempts": tenant_keys(
        "publish_attempts",
        cascade("pending_post_id", "pending_posts"),
        cascade("social_account_id", "social_accounts"),
        ck_publish_attempts_attempt_number_positive="CHECK ((attempt_number >= 1))",
        uq_publish_attempts_pending_post_id_platform_attempt_number="UNIQUE (pending_post_id, platform, attempt_number)",
    ),
    "schedules": tenant_keys(
        "schedules",
        cascade("brand_profile_id", "brand_profiles"),
        ck_schedules_days_of_week_range="CHECK ((days_of_week <@ ARRAY[0, 1, 2, 3, 4, 5, 6]))",
    ),
    "social_accounts": tenant_keys(
        "social_accounts",
        ck_social_accounts_token_version_positive="CHECK ((token_version >= 1))",
        uq_social_accounts_organization_id_id_platform="UNIQUE (organization_id, id, platform)",
    ),
    "subscriptions": tenant_keys(
        "subscriptions",
        ck_subscriptions_credits_within_total="CHECK (((credits_used >= 0) AND (credits_used <= credits_total)))",
        uq_subscriptions_organization_id="UNIQUE (organization_id)",
    ),
    "token_keys": {
        "ck_token_keys_fingerprint_format": "CHECK ((fingerprint ~ '^[0-9a-f]{32}$'::text))",
        "ck_token_keys_id_format": "CHECK ((id ~ '^[A-Za-z0-9_-]{1,64}$'::text))",
        "pk_token_keys": "PRIMARY KEY (id)",
    },
    "users": {
        "ck_users_email_lower_case": "CHECK ((email = lower(email)))",
        "pk_users": "PRIMARY KEY (id)",
        "uq_users_email": "UNIQUE (email)",
    },
}
INDEXES: dict[str, dict[str, str]] = {
    "billing_events": {
        "ix_billing_events_organization_id_created_at": "INDEX USING btree (organization_id, created_at)",
    },
    "brand_profile_accounts": {
        "ix_brand_profile_accounts_social_account_id": "INDEX USING btree (social_account_id)",
        "uq_brand_profile_accounts_default_per_platform": "UNIQUE USING btree (brand_profile_id, platform) WHERE is_default",
    },
    "brand_profiles": {
        "ix_brand_profiles_organization_id": "INDEX USING btree (organization_id)",
    },
    "content_embeddings": {
        "ix_content_embeddings_embedding_hnsw": "INDEX USING hnsw (embedding vector_cosine_ops)",
        "ix_content_embeddings_organization_id_created_at": "INDEX USING btree (organization_id, created_at)",
    },
    "credit_transactions": {
        "ix_credit_transactions_organization_id_created_at": "INDEX USING btree (organization_id, created_at)",
    },
    "materials": {
        "ix_materials_organization_id": "INDEX USING btree (organization_id)",
        "ix_materials_organization_id_status": "INDEX USING btree (organization_id, status)",
    },
    "pending_posts": {
        "ix_pending_posts_expires_at": "INDEX USING btree (expires_at) WHERE (status = 'PENDING'::pending_post_status)",
        "ix_pending_posts_organization_id_status": "INDEX USING btree (organization_id, status)",
        "ix_pending_posts_scheduled_for": "INDEX USING btree (scheduled_for) WHERE (status = ANY (ARRAY['AUTO_APPROVED'::pending_post_status, 'APPROVED'::pending_post_status]))",
    },
    "posts": {
        "ix_posts_organization_id": "INDEX USING btree (organization_id)",
        "ix_posts_platform_published_at": "INDEX USING btree (platform, published_at)",
        "ix_posts_published_at": "INDEX USING btree (published_at DESC)",
        "ix_posts_social_account_id_published_at": "INDEX USING btree (social_account_id, published_at)",
    },
    "schedules": {
        "ix_schedules_next_run_at": "INDEX USING btree (next_run_at) WHERE is_active",
    },
    "social_accounts": {
        "ix_social_accounts_organization_id": "INDEX USING btree (organization_id)",
        "uq_social_accounts_platform_account_id": "UNIQUE USING btree (platform, account_id) WHERE (deleted_at IS NULL)",
    },
    "subscriptions": {
        "ix_subscriptions_current_period_end": "INDEX USING btree (current_period_end)",
    },
}
