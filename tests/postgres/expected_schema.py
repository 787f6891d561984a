"""What docs/domain.md describes of the database, written out: every column (type, nullability,
default), every constraint (with its on-delete rule) and every index beyond the constraints.

Checked by hand against ``docs/domain.md``; ``test_schema.py`` compares the migrated
database with it, so a missing column, default, constraint or index fails a test. When the
schema changes on purpose, change this file in the same commit.

Columns: ``name | type | null or not null | default`` (the default as PostgreSQL prints it).
Constraints and indexes: as ``pg_get_constraintdef`` / ``pg_indexes`` print them (indexes
without the ``CREATE … ON public.<table>`` prefix).
"""

# ruff: noqa: E501

from __future__ import annotations

COLUMNS: dict[str, str] = {
    "billing_events": """
        id                    | text                  | not null
        organization_id       | text                  | not null
        reference             | text                  | not null
        kind                  | billing_event_kind    | not null
        created_at            | timestamptz           | not null | now()
    """,
    "brand_profile_accounts": """
        id                    | text                  | not null
        organization_id       | text                  | not null
        brand_profile_id      | text                  | not null
        social_account_id     | text                  | not null
        platform              | social_platform       | not null
        is_default            | boolean               | not null | false
        created_at            | timestamptz           | not null | now()
    """,
    "brand_profiles": """
        id                    | text                  | not null
        organization_id       | text                  | not null
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
        deleted_at            | timestamptz           | null
        created_at            | timestamptz           | not null | now()
        updated_at            | timestamptz           | not null | now()
    """,
    "content_embeddings": """
        id                    | text                  | not null
        organization_id       | text                  | not null
        content_type          | content_type          | not null
        content_id            | text                  | not null
        embedding             | vector(768)           | not null
        content_hash          | text                  | not null
        created_at            | timestamptz           | not null | now()
    """,
    "credit_transactions": """
        id                    | text                  | not null
        organization_id       | text                  | not null
        subscription_id       | text                  | not null
        amount                | integer               | not null
        action                | credit_action         | not null
        description           | text                  | null
        related_post_id       | text                  | null
        created_at            | timestamptz           | not null | now()
    """,
    "external_sources": """
        id                    | text                  | not null
        organization_id       | text                  | not null
        brand_profile_id      | text                  | not null
        type                  | text                  | not null
        name                  | text                  | not null
        store_url             | text                  | null
        connection_config     | jsonb                 | not null | '{}'::jsonb
        last_crawl_at         | timestamptz           | null
        crawl_frequency       | text                  | not null | '0 0 * * *'::text
        is_active             | boolean               | not null | true
        created_at            | timestamptz           | not null | now()
        updated_at            | timestamptz           | not null | now()
    """,
    "materials": """
        id                    | text                  | not null
        organization_id       | text                  | not null
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
        deleted_at            | timestamptz           | null
        created_at            | timestamptz           | not null | now()
        updated_at            | timestamptz           | not null | now()
    """,
    "organization_members": """
        id                    | text                  | not null
        organization_id       | text                  | not null
        user_id               | text                  | not null
        role                  | member_role           | not null | 'MEMBER'::member_role
        invited_at            | timestamptz           | null
        joined_at             | timestamptz           | null
        created_at            | timestamptz           | not null | now()
    """,
    "organizations": """
        id                    | text                  | not null
        name                  | text                  | not null
        slug                  | text                  | not null
        logo                  | text                  | null
        stripe_customer_id    | text                  | null
        deleted_at            | timestamptz           | null
        created_at            | timestamptz           | not null | now()
        updated_at            | timestamptz           | not null | now()
    """,
    "pending_posts": """
        id                    | text                  | not null
        organization_id       | text                  | not null
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
        created_at            | timestamptz           | not null | now()
        updated_at            | timestamptz           | not null | now()
        publish_after         | timestamptz           | null
        publish_failures      | integer               | not null | 0
        publish_credits       | integer               | not null | 0
    """,
    "post_metrics": """
        id                    | text                  | not null
        organization_id       | text                  | not null
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
    "posts": """
        id                    | text                  | not null
        organization_id       | text                  | not null
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
        deleted_at            | timestamptz           | null
        created_at            | timestamptz           | not null | now()
        updated_at            | timestamptz           | not null | now()
    """,
    "publish_attempts": """
        id                    | text                  | not null
        organization_id       | text                  | not null
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
    "schedules": """
        id                    | text                  | not null
        organization_id       | text                  | not null
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
        created_at            | timestamptz           | not null | now()
        updated_at            | timestamptz           | not null | now()
    """,
    "social_accounts": """
        id                    | text                  | not null
        organization_id       | text                  | not null
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
        deleted_at            | timestamptz           | null
        created_at            | timestamptz           | not null | now()
        updated_at            | timestamptz           | not null | now()
    """,
    "subscriptions": """
        id                    | text                  | not null
        organization_id       | text                  | not null
        tier                  | subscription_tier     | not null | 'FREE'::subscription_tier
        status                | subscription_status   | not null | 'ACTIVE'::subscription_status
        credits_total         | integer               | not null | 0
        credits_used          | integer               | not null | 0
        current_period_start  | timestamptz           | null
        current_period_end    | timestamptz           | null
        stripe_subscription_id| text                  | null
        created_at            | timestamptz           | not null | now()
        updated_at            | timestamptz           | not null | now()
    """,
    "token_keys": """
        id                    | text                  | not null
        fingerprint           | text                  | not null
        created_at            | timestamptz           | not null | now()
    """,
    "users": """
        id                    | text                  | not null
        email                 | text                  | not null
        email_verified        | boolean               | not null | false
        name                  | text                  | null
        image                 | text                  | null
        deleted_at            | timestamptz           | null
        created_at            | timestamptz           | not null | now()
        updated_at            | timestamptz           | not null | now()
    """,
}


CONSTRAINTS: dict[str, dict[str, str]] = {
    "billing_events": {
        "fk_billing_events_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "pk_billing_events": "PRIMARY KEY (id)",
        "uq_billing_events_organization_id_id": "UNIQUE (organization_id, id)",
        "uq_billing_events_reference": "UNIQUE (reference)",
    },
    "brand_profile_accounts": {
        "fk_brand_profile_accounts_brand_profile_id": "FOREIGN KEY (organization_id, brand_profile_id) REFERENCES brand_profiles(organization_id, id) ON DELETE CASCADE",
        "fk_brand_profile_accounts_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "fk_brand_profile_accounts_social_account_id_platform": "FOREIGN KEY (organization_id, social_account_id, platform) REFERENCES social_accounts(organization_id, id, platform) ON DELETE CASCADE",
        "pk_brand_profile_accounts": "PRIMARY KEY (id)",
        "uq_brand_profile_accounts_brand_profile_id_social_account_id": "UNIQUE (brand_profile_id, social_account_id)",
        "uq_brand_profile_accounts_organization_id_id": "UNIQUE (organization_id, id)",
    },
    "brand_profiles": {
        "ck_brand_profiles_approval_timeout_positive": "CHECK ((approval_timeout > 0))",
        "fk_brand_profiles_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "pk_brand_profiles": "PRIMARY KEY (id)",
        "uq_brand_profiles_organization_id_id": "UNIQUE (organization_id, id)",
    },
    "content_embeddings": {
        "ck_content_embeddings_content_hash_format": "CHECK ((content_hash ~ '^[0-9a-f]{16}$'::text))",
        "fk_content_embeddings_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "pk_content_embeddings": "PRIMARY KEY (id)",
        "uq_content_embeddings_content_type_content_id": "UNIQUE (content_type, content_id)",
        "uq_content_embeddings_organization_id_id": "UNIQUE (organization_id, id)",
    },
    "credit_transactions": {
        "fk_credit_transactions_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "fk_credit_transactions_subscription_id": "FOREIGN KEY (organization_id, subscription_id) REFERENCES subscriptions(organization_id, id) ON DELETE CASCADE",
        "pk_credit_transactions": "PRIMARY KEY (id)",
        "uq_credit_transactions_organization_id_id": "UNIQUE (organization_id, id)",
    },
    "external_sources": {
        "fk_external_sources_brand_profile_id": "FOREIGN KEY (organization_id, brand_profile_id) REFERENCES brand_profiles(organization_id, id) ON DELETE CASCADE",
        "fk_external_sources_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "pk_external_sources": "PRIMARY KEY (id)",
        "uq_external_sources_organization_id_id": "UNIQUE (organization_id, id)",
    },
    "materials": {
        "ck_materials_file_size_positive": "CHECK (((file_size IS NULL) OR (file_size > 0)))",
        "ck_materials_usage_count_not_negative": "CHECK ((usage_count >= 0))",
        "fk_materials_brand_profile_id": "FOREIGN KEY (organization_id, brand_profile_id) REFERENCES brand_profiles(organization_id, id) ON DELETE SET NULL (brand_profile_id)",
        "fk_materials_embedding_id": "FOREIGN KEY (organization_id, embedding_id) REFERENCES content_embeddings(organization_id, id) ON DELETE SET NULL (embedding_id)",
        "fk_materials_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "pk_materials": "PRIMARY KEY (id)",
        "uq_materials_organization_id_id": "UNIQUE (organization_id, id)",
    },
    "organization_members": {
        "fk_organization_members_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "fk_organization_members_user_id": "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
        "pk_organization_members": "PRIMARY KEY (id)",
        "uq_organization_members_organization_id_id": "UNIQUE (organization_id, id)",
        "uq_organization_members_organization_id_user_id": "UNIQUE (organization_id, user_id)",
    },
    "organizations": {
        "ck_organizations_slug_format": "CHECK (((slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text) AND (char_length(slug) <= 63)))",
        "pk_organizations": "PRIMARY KEY (id)",
        "uq_organizations_slug": "UNIQUE (slug)",
    },
    "pending_posts": {
        "ck_pending_posts_platforms_not_empty": "CHECK ((cardinality(platforms) >= 1))",
        "ck_pending_posts_publish_credits_not_negative": "CHECK ((publish_credits >= 0))",
        "ck_pending_posts_publish_failures_not_negative": "CHECK ((publish_failures >= 0))",
        "fk_pending_posts_brand_profile_id": "FOREIGN KEY (organization_id, brand_profile_id) REFERENCES brand_profiles(organization_id, id) ON DELETE CASCADE",
        "fk_pending_posts_embedding_id": "FOREIGN KEY (organization_id, embedding_id) REFERENCES content_embeddings(organization_id, id) ON DELETE SET NULL (embedding_id)",
        "fk_pending_posts_material_id": "FOREIGN KEY (organization_id, material_id) REFERENCES materials(organization_id, id) ON DELETE CASCADE",
        "fk_pending_posts_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "fk_pending_posts_schedule_id": "FOREIGN KEY (organization_id, schedule_id) REFERENCES schedules(organization_id, id) ON DELETE SET NULL (schedule_id)",
        "pk_pending_posts": "PRIMARY KEY (id)",
        "uq_pending_posts_organization_id_id": "UNIQUE (organization_id, id)",
    },
    "post_metrics": {
        "fk_post_metrics_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "fk_post_metrics_post_id": "FOREIGN KEY (organization_id, post_id) REFERENCES posts(organization_id, id) ON DELETE CASCADE",
        "pk_post_metrics": "PRIMARY KEY (id)",
        "uq_post_metrics_organization_id_id": "UNIQUE (organization_id, id)",
        "uq_post_metrics_post_id_collected_at": "UNIQUE (post_id, collected_at)",
    },
    "posts": {
        "fk_posts_brand_profile_id": "FOREIGN KEY (organization_id, brand_profile_id) REFERENCES brand_profiles(organization_id, id) ON DELETE CASCADE",
        "fk_posts_material_id": "FOREIGN KEY (organization_id, material_id) REFERENCES materials(organization_id, id) ON DELETE SET NULL (material_id)",
        "fk_posts_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "fk_posts_pending_post_id": "FOREIGN KEY (organization_id, pending_post_id) REFERENCES pending_posts(organization_id, id) ON DELETE SET NULL (pending_post_id)",
        "fk_posts_schedule_id": "FOREIGN KEY (organization_id, schedule_id) REFERENCES schedules(organization_id, id) ON DELETE SET NULL (schedule_id)",
        "fk_posts_social_account_id": "FOREIGN KEY (organization_id, social_account_id) REFERENCES social_accounts(organization_id, id) ON DELETE CASCADE",
        "pk_posts": "PRIMARY KEY (id)",
        "uq_posts_organization_id_id": "UNIQUE (organization_id, id)",
        "uq_posts_pending_post_id_platform": "UNIQUE (pending_post_id, platform)",
    },
    "publish_attempts": {
        "ck_publish_attempts_attempt_number_positive": "CHECK ((attempt_number >= 1))",
        "fk_publish_attempts_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "fk_publish_attempts_pending_post_id": "FOREIGN KEY (organization_id, pending_post_id) REFERENCES pending_posts(organization_id, id) ON DELETE CASCADE",
        "fk_publish_attempts_social_account_id": "FOREIGN KEY (organization_id, social_account_id) REFERENCES social_accounts(organization_id, id) ON DELETE CASCADE",
        "pk_publish_attempts": "PRIMARY KEY (id)",
        "uq_publish_attempts_organization_id_id": "UNIQUE (organization_id, id)",
        "uq_publish_attempts_pending_post_id_platform_attempt_number": "UNIQUE (pending_post_id, platform, attempt_number)",
    },
    "schedules": {
        "ck_schedules_days_of_week_range": "CHECK ((days_of_week <@ ARRAY[0, 1, 2, 3, 4, 5, 6]))",
        "fk_schedules_brand_profile_id": "FOREIGN KEY (organization_id, brand_profile_id) REFERENCES brand_profiles(organization_id, id) ON DELETE CASCADE",
        "fk_schedules_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "pk_schedules": "PRIMARY KEY (id)",
        "uq_schedules_organization_id_id": "UNIQUE (organization_id, id)",
    },
    "social_accounts": {
        "ck_social_accounts_token_version_positive": "CHECK ((token_version >= 1))",
        "fk_social_accounts_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "pk_social_accounts": "PRIMARY KEY (id)",
        "uq_social_accounts_organization_id_id": "UNIQUE (organization_id, id)",
        "uq_social_accounts_organization_id_id_platform": "UNIQUE (organization_id, id, platform)",
    },
    "subscriptions": {
        "ck_subscriptions_credits_within_total": "CHECK (((credits_used >= 0) AND (credits_used <= credits_total)))",
        "fk_subscriptions_organization_id": "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE",
        "pk_subscriptions": "PRIMARY KEY (id)",
        "uq_subscriptions_organization_id": "UNIQUE (organization_id)",
        "uq_subscriptions_organization_id_id": "UNIQUE (organization_id, id)",
    },
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
