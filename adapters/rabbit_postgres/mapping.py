"""Rows to entities and entities to column values, by hand (ADR 0003: no ORM).

Every table's columns carry the names of its entity's fields, so a mapping is the list of
fields plus the few conversions a column needs in each direction:

- arrays are lists in the driver and tuples in the entities;
- text columns holding an enum (``schedules.frequency``, ``materials.sentiment`` …) are
  turned back into the enum; PostgreSQL enum columns already read back as members;
- jsonb documents are the value objects' JSON form (ADR 0002): ``colors``,
  ``language_rules`` and ``connection_config`` (whose shape depends on the source's
  ``type``, read with ``from_row``) as objects, ``example_posts`` and
  ``content_pillars`` as bare arrays, ``platform_settings`` as a bare object keyed by platform;
- an embedding is a pgvector ``vector`` (sent and read in binary, :mod:`rabbit_postgres.codecs`)
  and a tuple of floats here.

``check_mappings`` (run by the tests) proves each mapping covers exactly its table's columns,
so a column added to the schema without a mapping fails loudly instead of being dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from rabbit.domain.enums import (
    ExternalSourceType,
    GenerationMode,
    MaterialStrategy,
    ScheduleFrequency,
    Sentiment,
    SocialAccountType,
)
from rabbit.domain.model import (
    BillingEvent,
    BrandProfile,
    BrandProfileAccount,
    ContentEmbedding,
    CreditTransaction,
    ExternalSource,
    Material,
    Organization,
    OrganizationMember,
    PendingPost,
    Post,
    PostMetric,
    PublishAttempt,
    Schedule,
    SocialAccount,
    Subscription,
    TokenKey,
    User,
)
from rabbit.domain.values import (
    BrandColors,
    ContentPillars,
    ExamplePost,
    LanguageRules,
    PlatformSettings,
    stored_source_config,
)
from rabbit_postgres import schema
from rabbit_postgres.codecs import floats

E = TypeVar("E")
Convert = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class EntityMapping(Generic[E]):
    """How one entity type is stored in one table."""

    table: sa.Table
    entity: type[E]
    to_column: Mapping[str, Convert] = field(default_factory=dict)
    from_column: Mapping[str, Convert] = field(default_factory=dict)
    from_row: Mapping[str, Callable[[Mapping[str, Any]], Any]] = field(default_factory=dict)
    """Conversions that need other columns of the row (they see the converted values)."""
    fields: tuple[str, ...] = field(init=False)
    """The entity's fields, which are also its columns' names, in declaration order."""
    _writers: tuple[tuple[str, Convert | None], ...] = field(init=False, repr=False)
    _readers: tuple[tuple[str, Convert | None], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = tuple(f.name for f in dataclasses.fields(self.entity))  # type: ignore[arg-type]
        object.__setattr__(self, "fields", names)
        object.__setattr__(self, "_writers", tuple((n, self.to_column.get(n)) for n in names))
        object.__setattr__(self, "_readers", tuple((n, self.from_column.get(n)) for n in names))

    @property
    def columns(self) -> list[sa.Column[Any]]:
        """The table's columns in the entity's field order (what a SELECT reads)."""
        return [self.table.c[name] for name in self.fields]

    def values(self, entity: E) -> dict[str, Any]:
        """Every column's value for an INSERT or a full UPDATE."""
        values: dict[str, Any] = {}
        for name, convert in self._writers:
            value = getattr(entity, name)
            values[name] = convert(value) if convert is not None and value is not None else value
        return values

    def entity_from(self, row: Sequence[Any]) -> E:
        """A fresh entity from a row read with :attr:`columns` (so in field order)."""
        kwargs: dict[str, Any] = {}
        for (name, convert), value in zip(self._readers, row, strict=True):
            kwargs[name] = convert(value) if convert is not None and value is not None else value
        for name, convert_row in self.from_row.items():
            kwargs[name] = convert_row(kwargs)
        return self.entity(**kwargs)


def _as_list(value: Any) -> list[Any]:
    return list(value)


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value)


def _enum(enum: type[StrEnum]) -> Convert:
    return enum


def _to_json(value: Any) -> Any:
    return value.to_json()


def _floats(value: Any) -> tuple[float, ...]:
    return floats(value)


def _example_posts_to(value: tuple[ExamplePost, ...]) -> list[dict[str, Any]]:
    return [post.to_json() for post in value]


def _example_posts_from(value: list[dict[str, Any]]) -> tuple[ExamplePost, ...]:
    return tuple(ExamplePost.from_json(post) for post in value)


def _arrays(*names: str) -> tuple[dict[str, Convert], dict[str, Convert]]:
    return dict.fromkeys(names, _as_list), dict.fromkeys(names, _as_tuple)


def _mapping(
    table: sa.Table,
    entity: type[E],
    *,
    arrays: tuple[str, ...] = (),
    to_column: Mapping[str, Convert] | None = None,
    from_column: Mapping[str, Convert] | None = None,
    from_row: Mapping[str, Callable[[Mapping[str, Any]], Any]] | None = None,
) -> EntityMapping[E]:
    to_array, from_array = _arrays(*arrays)
    return EntityMapping(
        table,
        entity,
        {**to_array, **(to_column or {})},
        {**from_array, **(from_column or {})},
        dict(from_row or {}),
    )


# Emails are stored lower-cased, so the plain unique constraint compares them ignoring case.
USERS = _mapping(schema.users, User, to_column={"email": str.lower})
ORGANIZATIONS = _mapping(schema.organizations, Organization)
MEMBERS = _mapping(schema.organization_members, OrganizationMember)
SUBSCRIPTIONS = _mapping(schema.subscriptions, Subscription)
CREDIT_TRANSACTIONS = _mapping(schema.credit_transactions, CreditTransaction)
BILLING_EVENTS = _mapping(schema.billing_events, BillingEvent)
BRANDS = _mapping(
    schema.brand_profiles,
    BrandProfile,
    arrays=("tone",),
    to_column={
        "colors": _to_json,
        "language_rules": _to_json,
        "example_posts": _example_posts_to,
        "content_pillars": lambda pillars: pillars.to_list(),
        "platform_settings": lambda settings: settings.to_mapping(),
    },
    from_column={
        "colors": BrandColors.from_json,
        "language_rules": LanguageRules.from_json,
        "example_posts": _example_posts_from,
        "content_pillars": ContentPillars.of,
        "platform_settings": PlatformSettings.of,
    },
)
SOCIAL_ACCOUNTS = _mapping(
    schema.social_accounts,
    SocialAccount,
    from_column={"account_type": _enum(SocialAccountType)},
)
LINKS = _mapping(schema.brand_profile_accounts, BrandProfileAccount)
EXTERNAL_SOURCES = _mapping(
    schema.external_sources,
    ExternalSource,
    to_column={"connection_config": _to_json},
    from_column={"type": _enum(ExternalSourceType)},
    # the declared fields, and which of them are secret, depend on the source's type
    from_row={
        "connection_config": lambda row: stored_source_config(row["type"], row["connection_config"])
    },
)
SCHEDULES = _mapping(
    schema.schedules,
    Schedule,
    arrays=("platforms", "times", "days_of_week"),
    from_column={
        "frequency": _enum(ScheduleFrequency),
        "material_strategy": _enum(MaterialStrategy),
    },
)
MATERIALS = _mapping(
    schema.materials,
    Material,
    arrays=("key_points", "keywords", "suggested_angles"),
    from_column={"sentiment": _enum(Sentiment)},
)
PENDING_POSTS = _mapping(
    schema.pending_posts,
    PendingPost,
    arrays=("platforms", "hashtags", "media_urls"),
    from_column={"generation_mode": _enum(GenerationMode)},
)
POSTS = _mapping(schema.posts, Post, arrays=("hashtags", "media_urls"))
POST_METRICS = _mapping(schema.post_metrics, PostMetric)
PUBLISH_ATTEMPTS = _mapping(schema.publish_attempts, PublishAttempt)
EMBEDDINGS = _mapping(
    schema.content_embeddings,
    ContentEmbedding,
    to_column={"embedding": _as_list},
    from_column={"embedding": _floats},
)
TOKEN_KEYS = _mapping(schema.token_keys, TokenKey)

ALL_MAPPINGS: tuple[EntityMapping[Any], ...] = (
    USERS,
    ORGANIZATIONS,
    MEMBERS,
    SUBSCRIPTIONS,
    CREDIT_TRANSACTIONS,
    BILLING_EVENTS,
    BRANDS,
    SOCIAL_ACCOUNTS,
    LINKS,
    EXTERNAL_SOURCES,
    SCHEDULES,
    MATERIALS,
    PENDING_POSTS,
    POSTS,
    POST_METRICS,
    PUBLISH_ATTEMPTS,
    EMBEDDINGS,
    TOKEN_KEYS,
)


def check_mappings() -> list[str]:
    """Problems of the mappings: a field without a column, or a column without a field."""
    problems: list[str] = []
    for mapping in ALL_MAPPINGS:
        fields = set(mapping.fields)
        columns = set(mapping.table.c.keys())
        for missing in sorted(fields - columns):
            problems.append(f"{mapping.table.name}: no column for field {missing}")
        for extra in sorted(columns - fields):
            problems.append(f"{mapping.table.name}: no field for column {extra}")
    covered = {mapping.table.name for mapping in ALL_MAPPINGS}
    problems.extend(f"{name}: no mapping" for name in sorted(set(schema.metadata.tables) - covered))
    return problems
