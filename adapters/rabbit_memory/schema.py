"""The relational rules the PostgreSQL schema enforces, declared once for the memory store.

Tables, the entity name each one uses in domain errors (as ``rabbit_postgres.errors`` names
them), foreign keys with their on-delete action, unique constraints (partial ones cover only
the rows their predicate holds for) and check constraints.
The session applies them generically, so the memory adapter refuses and cascades exactly
where the database would.

A hand copy: the import-linter contracts in pyproject.toml keep rabbit_memory from importing
rabbit_postgres (or SQLAlchemy). tests/contract/test_schema_parity.py compares the two rule
by rule and fails when either side has one the other lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import Enum
from typing import Any

ENTITY_NAMES: dict[str, str] = {
    "users": "user",
    "organizations": "organization",
    "organization_members": "organization_member",
    "subscriptions": "subscription",
    "credit_transactions": "credit_transaction",
    "billing_events": "billing_event",
    "brand_profiles": "brand_profile",
    "social_accounts": "social_account",
    "brand_profile_accounts": "brand_profile_account",
    "schedules": "schedule",
    "materials": "material",
    "external_sources": "external_source",
    "pending_posts": "pending_post",
    "posts": "post",
    "post_metrics": "post_metric",
    "publish_attempts": "publish_attempt",
    "content_embeddings": "content_embedding",
    "token_keys": "token_key",
}
"""Table name -> the entity name errors carry (singular, as the domain names things)."""

TABLES: tuple[str, ...] = tuple(ENTITY_NAMES)
GLOBAL_TABLES: frozenset[str] = frozenset({"users", "organizations", "token_keys"})
TENANT_TABLES: tuple[str, ...] = tuple(t for t in TABLES if t not in GLOBAL_TABLES)


class OnDelete(Enum):
    CASCADE = "cascade"
    SET_NULL = "set null"


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """``child.column`` references ``parent.id``; tenant parents must share the organisation
    (the composite ``(organization_id, id)`` keys: docs/domain.md#how-tenants-own-rows)."""

    child: str
    column: str
    parent: str
    on_delete: OnDelete
    match: tuple[str, ...] = ()
    """Further columns that must equal the parent's (the link's copied ``platform``)."""


PARTIAL_PREDICATES: dict[str, Callable[[Any], bool]] = {
    "deleted_at IS NULL": lambda row: row.deleted_at is None,
    "is_default": lambda row: bool(row.is_default),
}
"""The WHERE clauses of rabbit_postgres's partial unique indexes, as the schema writes them,
each with the rows it covers."""


@dataclass(frozen=True, slots=True)
class Unique:
    """A unique constraint (or unique index) over ``columns``, compared as PostgreSQL compares:
    a row with a NULL in any of them, or outside a partial index's ``where``, is not covered.
    ``field`` is what the ConflictError names."""

    table: str
    columns: tuple[str, ...]
    field: str
    where: str | None = None
    """A partial index's predicate, one of PARTIAL_PREDICATES."""

    def __post_init__(self) -> None:
        if self.where is not None and self.where not in PARTIAL_PREDICATES:
            raise ValueError(f"no predicate for the partial unique {self.where!r}")

    def key(self, row: Any) -> tuple[Hashable, ...] | None:
        """The compared value of ``row``, or None when the constraint does not cover it."""
        if self.where is not None and not PARTIAL_PREDICATES[self.where](row):
            return None
        values = tuple(getattr(row, column) for column in self.columns)
        return None if any(value is None for value in values) else values


@dataclass(frozen=True, slots=True)
class Check:
    """A CHECK constraint named as rabbit_postgres names it (without its ``ck_<table>_``
    prefix); a row failing ``holds`` is a ValidationError naming ``field``."""

    table: str
    name: str
    field: str
    holds: Callable[[Any], bool]


_C, _N = OnDelete.CASCADE, OnDelete.SET_NULL

FOREIGN_KEYS: tuple[ForeignKey, ...] = (
    *(ForeignKey(table, "organization_id", "organizations", _C) for table in TENANT_TABLES),
    ForeignKey("organization_members", "user_id", "users", _C),
    ForeignKey("credit_transactions", "subscription_id", "subscriptions", _C),
    ForeignKey("brand_profile_accounts", "brand_profile_id", "brand_profiles", _C),
    ForeignKey("brand_profile_accounts", "social_account_id", "social_accounts", _C, ("platform",)),
    ForeignKey("schedules", "brand_profile_id", "brand_profiles", _C),
    ForeignKey("materials", "brand_profile_id", "brand_profiles", _N),
    ForeignKey("materials", "embedding_id", "content_embeddings", _N),
    ForeignKey("external_sources", "brand_profile_id", "brand_profiles", _C),
    ForeignKey("pending_posts", "brand_profile_id", "brand_profiles", _C),
    ForeignKey("pending_posts", "material_id", "materials", _C),
    ForeignKey("pending_posts", "schedule_id", "schedules", _N),
    ForeignKey("pending_posts", "embedding_id", "content_embeddings", _N),
    ForeignKey("posts", "brand_profile_id", "brand_profiles", _C),
    ForeignKey("posts", "social_account_id", "social_accounts", _C),
    ForeignKey("posts", "material_id", "materials", _N),
    ForeignKey("posts", "schedule_id", "schedules", _N),
    ForeignKey("posts", "pending_post_id", "pending_posts", _N),
    ForeignKey("post_metrics", "post_id", "posts", _C),
    ForeignKey("publish_attempts", "pending_post_id", "pending_posts", _C),
    ForeignKey("publish_attempts", "social_account_id", "social_accounts", _C),
)
"""As rabbit_postgres.schema declares them; tests/contract/test_schema_parity.py compares."""

# Emails are stored lower-cased by both users repositories, so the plain unique ignores case.
# One post_metrics row per (post, collected_at): docs/domain.md#post_metrics.

UNIQUES: tuple[Unique, ...] = (
    Unique("users", ("email",), "email"),
    Unique("organizations", ("slug",), "slug"),
    Unique("organization_members", ("organization_id", "user_id"), "user_id"),
    Unique("subscriptions", ("organization_id",), "organization_id"),
    Unique("billing_events", ("reference",), "reference"),
    Unique("social_accounts", ("platform", "account_id"), "account_id", "deleted_at IS NULL"),
    Unique(
        "brand_profile_accounts", ("brand_profile_id", "social_account_id"), "social_account_id"
    ),
    Unique("brand_profile_accounts", ("brand_profile_id", "platform"), "is_default", "is_default"),
    Unique("posts", ("pending_post_id", "platform"), "platform"),
    Unique("post_metrics", ("post_id", "collected_at"), "collected_at"),
    Unique("publish_attempts", ("pending_post_id", "platform", "attempt_number"), "attempt_number"),
    Unique("content_embeddings", ("content_type", "content_id"), "content_id"),
)
"""As rabbit_postgres.schema declares them, but for the ``(organization_id, id, …)`` targets
of the tenant foreign keys, which the primary key already makes unique."""

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_CONTENT_HASH = re.compile(r"^[0-9a-f]{16}$")
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")

CHECKS: tuple[Check, ...] = (
    Check("users", "email_lower_case", "email", lambda u: u.email == u.email.lower()),
    Check(
        "organizations",
        "slug_format",
        "slug",
        lambda o: bool(_SLUG.fullmatch(o.slug)) and len(o.slug) <= 63,
    ),
    Check(
        "subscriptions",
        "credits_within_total",
        "credits_used",
        lambda s: 0 <= s.credits_used <= s.credits_total,
    ),
    Check(
        "pending_posts",
        "publish_failures_not_negative",
        "publish_failures",
        lambda p: p.publish_failures >= 0,
    ),
    Check(
        "pending_posts",
        "publish_credits_not_negative",
        "publish_credits",
        lambda p: p.publish_credits >= 0,
    ),
    Check(
        "brand_profiles",
        "approval_timeout_positive",
        "approval_timeout",
        lambda b: b.approval_timeout > 0,
    ),
    Check(
        "social_accounts", "token_version_positive", "token_version", lambda a: a.token_version >= 1
    ),
    Check(
        "schedules",
        "days_of_week_range",
        "days_of_week",
        lambda s: set(s.days_of_week) <= set(range(7)),
    ),
    Check(
        "materials",
        "file_size_positive",
        "file_size",
        lambda m: m.file_size is None or m.file_size > 0,
    ),
    Check("materials", "usage_count_not_negative", "usage_count", lambda m: m.usage_count >= 0),
    Check("pending_posts", "platforms_not_empty", "platforms", lambda p: len(p.platforms) >= 1),
    Check(
        "publish_attempts",
        "attempt_number_positive",
        "attempt_number",
        lambda a: a.attempt_number >= 1,
    ),
    Check(
        "content_embeddings",
        "content_hash_format",
        "content_hash",
        lambda e: bool(_CONTENT_HASH.fullmatch(e.content_hash)),
    ),
    Check("token_keys", "id_format", "id", lambda k: bool(_KEY_ID.fullmatch(k.id))),
    Check(
        "token_keys",
        "fingerprint_format",
        "fingerprint",
        lambda k: bool(_FINGERPRINT.fullmatch(k.fingerprint)),
    ),
)
"""Every CHECK of rabbit_postgres.schema, by the same name."""


def references_from(table: str) -> tuple[ForeignKey, ...]:
    """The foreign keys a row of ``table`` holds."""
    return tuple(fk for fk in FOREIGN_KEYS if fk.child == table)


def references_to(table: str) -> tuple[ForeignKey, ...]:
    """The foreign keys that point at ``table``."""
    return tuple(fk for fk in FOREIGN_KEYS if fk.parent == table)


def uniques_of(table: str) -> tuple[Unique, ...]:
    return tuple(u for u in UNIQUES if u.table == table)


def checks_of(table: str) -> tuple[Check, ...]:
    return tuple(c for c in CHECKS if c.table == table)
