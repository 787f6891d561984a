"""The PostgreSQL schema as SQLAlchemy Core tables (no ORM mapping, ADR 0003).

Repositories import the tables from here and map rows to the domain dataclasses by hand.
``metadata`` is alembic's ``target_metadata``; the migrations in ``migrations/versions``
create exactly these tables (a test compares them).

Conventions: ``id`` is text (a cuid2 from the core); timestamps are ``timestamptz``; jsonb
documents use snake_case keys (the value objects' ``to_json``); arrays and booleans are NOT
NULL with a default, so rows map to tuples and bools without a None case. Every tenant table
has UNIQUE (organization_id, id), the target of the composite tenant foreign keys.

On-delete rules: ``organization_id`` cascades everywhere (hard-deleting an organisation
removes all of its rows). A brand takes its schedules, links, external sources, pending
posts and posts with it; materials of a deleted brand stay, unassigned (SET NULL of
``brand_profile_id`` only). A social account takes its links, posts and publish attempts.
Optional references (schedule, material, pending post and embedding of a post or pending
post) are cleared, never the tenant column.
"""

from rabbit_postgres.schema._base import ENUM_TYPES, NAMING_CONVENTION, TENANT_COLUMN, metadata
from rabbit_postgres.schema.billing import billing_events, credit_transactions, subscriptions
from rabbit_postgres.schema.brands import (
    brand_profile_accounts,
    brand_profiles,
    external_sources,
    social_accounts,
)
from rabbit_postgres.schema.content import (
    EMBEDDING_HNSW_INDEX,
    content_embeddings,
    pending_posts,
    post_metrics,
    posts,
    publish_attempts,
)
from rabbit_postgres.schema.identity import organization_members, organizations, users
from rabbit_postgres.schema.keys import token_keys
from rabbit_postgres.schema.materials import materials
from rabbit_postgres.schema.schedules import schedules

__all__ = [
    "EMBEDDING_HNSW_INDEX",
    "ENUM_TYPES",
    "NAMING_CONVENTION",
    "TENANT_COLUMN",
    "billing_events",
    "brand_profile_accounts",
    "brand_profiles",
    "content_embeddings",
    "credit_transactions",
    "external_sources",
    "materials",
    "metadata",
    "organization_members",
    "organizations",
    "pending_posts",
    "post_metrics",
    "posts",
    "publish_attempts",
    "schedules",
    "social_accounts",
    "subscriptions",
    "token_keys",
    "users",
]
