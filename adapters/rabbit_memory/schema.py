"""The relational rules the PostgreSQL schema enforces, declared once for the memory store.

Tables, the entity name each one uses in domain errors (as ``rabbit_postgres.errors`` names
them), foreign keys with their on-delete action, unique constraints (partial ones return
``None`` for rows they do not cover) and check constraints.
The session applies them generically, so the memory adapter refuses and cascades exactly
where the database would.
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


@dataclass(frozen=True, slots=True)
class Unique:
    """A unique constraint; ``key`` gives the compared value, or None when the row is not
    covered (a partial index). ``field`` is what the ConflictError names."""

    table: str
    field: str
    key: Callable[[Any], Hashable | None]


@dataclass(frozen=True, slots=True)
class Check:
    """A CHECK constraint; a row failing ``holds`` is a ValidationError naming ``field``."""

    table: str
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
"""As rabbit_postgres.schema declares them (the contract suite runs both stores)."""

# Emails are unique compared lower-cased; rabbit_postgres lower-cases them before storing
# (its CHECK email = lower(email) then always holds). One post_metrics row per
# (post, collected_at): docs/domain.md#post_metrics.

UNIQUES: tuple[Unique, ...] = (
    Unique("users", "email", lambda u: u.email.lower()),
    Unique("organizations", "slug", lambda o: o.slug),
    Unique("organization_members", "user_id", lambda m: (m.organization_id, m.user_id)),
    Unique("subscriptions", "organization_id", lambda s: s.organization_id),
    Unique("billing_events", "reference", lambda e: e.reference),
    Unique(
        "social_accounts",
        "account_id",
        lambda a: None if a.deleted_at is not None else (a.platform, a.account_id),
    ),
    Unique(
        "brand_profile_accounts",
        "social_account_id",
        lambda link: (link.brand_profile_id, link.social_account_id),
    ),
    Unique(
        "brand_profile_accounts",
        "is_default",
        lambda link: (link.brand_profile_id, link.platform) if link.is_default else None,
    ),
    Unique(
        "posts",
        "platform",
        lambda p: None if p.pending_post_id is None else (p.pending_post_id, p.platform),
    ),
    Unique("post_metrics", "collected_at", lambda m: (m.post_id, m.collected_at)),
    Unique(
        "publish_attempts",
        "attempt_number",
        lambda a: (a.pending_post_id, a.platform, a.attempt_number),
    ),
    Unique("content_embeddings", "content_id", lambda e: (e.content_type, e.content_id)),
)

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_CONTENT_HASH = re.compile(r"^[0-9a-f]{16}$")
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")

CHECKS: tuple[Check, ...] = (
    Check("organizations", "slug", lambda o: bool(_SLUG.match(o.slug)) and len(o.slug) <= 63),
    Check("subscriptions", "credits_used", lambda s: 0 <= s.credits_used <= s.credits_total),
    Check("pending_posts", "publish_failures", lambda p: p.publish_failures >= 0),
    Check("pending_posts", "publish_credits", lambda p: p.publish_credits >= 0),
    Check("brand_profiles", "approval_timeout", lambda b: b.approval_timeout > 0),
    Check("social_accounts", "token_version", lambda a: a.token_version >= 1),
    Check("schedules", "days_of_week", lambda s: set(s.days_of_week) <= set(range(7))),
    Check("materials", "file_size", lambda m: m.file_size is None or m.file_size > 0),
    Check("materials", "usage_count", lambda m: m.usage_count >= 0),
    Check("pending_posts", "platforms", lambda p: len(p.platforms) >= 1),
    Check("publish_attempts", "attempt_number", lambda a: a.attempt_number >= 1),
    Check(
        "content_embeddings", "content_hash", lambda e: bool(_CONTENT_HASH.match(e.content_hash))
    ),
    Check("token_keys", "id", lambda k: bool(_KEY_ID.fullmatch(k.id))),
    Check("token_keys", "fingerprint", lambda k: bool(_FINGERPRINT.fullmatch(k.fingerprint))),
)


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
