"""The relational rules the PostgreSQL schema enforces, declared once for the memory store.

Tables, the entity name each one uses in domain errors, foreign keys with their on-delete
action, and unique constraints (partial ones return ``None`` for rows they do not cover).
The session applies them generically, so the memory adapter refuses and cascades exactly
where the database would.
"""

from __future__ import annotations

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
}
"""Table name -> the entity name errors carry (singular, as the domain names things)."""

TABLES: tuple[str, ...] = tuple(ENTITY_NAMES)
GLOBAL_TABLES: frozenset[str] = frozenset({"users", "organizations"})
TENANT_TABLES: tuple[str, ...] = tuple(t for t in TABLES if t not in GLOBAL_TABLES)


class OnDelete(Enum):
    CASCADE = "cascade"
    SET_NULL = "set null"
    RESTRICT = "restrict"


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """``child.column`` references ``parent.id``; tenant parents must share the organisation
    (the composite ``(organization_id, id)`` keys of domain.md)."""

    child: str
    column: str
    parent: str
    on_delete: OnDelete


@dataclass(frozen=True, slots=True)
class Unique:
    """A unique constraint; ``key`` gives the compared value, or None when the row is not
    covered (a partial index). ``field`` is what the ConflictError names."""

    table: str
    field: str
    key: Callable[[Any], Hashable | None]


_C, _N, _R = OnDelete.CASCADE, OnDelete.SET_NULL, OnDelete.RESTRICT

FOREIGN_KEYS: tuple[ForeignKey, ...] = (
    *(ForeignKey(table, "organization_id", "organizations", _C) for table in TENANT_TABLES),
    ForeignKey("organization_members", "user_id", "users", _C),
    ForeignKey("credit_transactions", "subscription_id", "subscriptions", _R),
    ForeignKey("brand_profile_accounts", "brand_profile_id", "brand_profiles", _C),
    ForeignKey("brand_profile_accounts", "social_account_id", "social_accounts", _C),
    ForeignKey("schedules", "brand_profile_id", "brand_profiles", _C),
    ForeignKey("materials", "brand_profile_id", "brand_profiles", _N),
    ForeignKey("external_sources", "brand_profile_id", "brand_profiles", _C),
    # Not stated by domain.md: the database default (no action). Purge deletes these first.
    ForeignKey("pending_posts", "brand_profile_id", "brand_profiles", _R),
    ForeignKey("pending_posts", "material_id", "materials", _R),
    ForeignKey("pending_posts", "schedule_id", "schedules", _R),
    ForeignKey("posts", "brand_profile_id", "brand_profiles", _R),
    ForeignKey("posts", "social_account_id", "social_accounts", _R),
    ForeignKey("posts", "material_id", "materials", _R),
    ForeignKey("posts", "schedule_id", "schedules", _R),
    ForeignKey("posts", "pending_post_id", "pending_posts", _R),
    ForeignKey("post_metrics", "post_id", "posts", _C),
    ForeignKey("publish_attempts", "pending_post_id", "pending_posts", _R),
    ForeignKey("publish_attempts", "social_account_id", "social_accounts", _R),
)

UNIQUES: tuple[Unique, ...] = (
    Unique("users", "email", lambda u: u.email.lower()),
    Unique("organizations", "slug", lambda o: o.slug),
    Unique("organization_members", "user_id", lambda m: (m.organization_id, m.user_id)),
    Unique("subscriptions", "organization_id", lambda s: s.organization_id),
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
    Unique(
        "publish_attempts",
        "attempt_number",
        lambda a: (a.pending_post_id, a.platform, a.attempt_number),
    ),
    Unique("content_embeddings", "content_id", lambda e: (e.content_type, e.content_id)),
)


def references_from(table: str) -> tuple[ForeignKey, ...]:
    """The foreign keys a row of ``table`` holds."""
    return tuple(fk for fk in FOREIGN_KEYS if fk.child == table)


def references_to(table: str) -> tuple[ForeignKey, ...]:
    """The foreign keys that point at ``table``."""
    return tuple(fk for fk in FOREIGN_KEYS if fk.parent == table)


def uniques_of(table: str) -> tuple[Unique, ...]:
    return tuple(u for u in UNIQUES if u.table == table)
