"""ORM classes over the schema's tables, for the data studio (``rabbit studio``) only.

The repositories never use these (ADR 0003: Core tables, rows mapped to the domain by
hand); an admin UI such as sqladmin needs mapped classes, so each table of
:data:`rabbit_postgres.schema.metadata` gets one here, on a registry of its own, without a
line of the schema or the domain changing.

Secrets are not even mapped (:data:`UNMAPPED_COLUMNS`): the tokens of a social account
(ciphertext, but still nobody's business in a browser), an external source's connection
configuration (it may hold credentials) and the embedding vectors (1536 floats nobody reads).
A class that leaves out a NOT NULL column cannot insert rows (:func:`can_insert`).
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from rabbit_postgres.schema import metadata

#: Columns the studio never loads, shows or writes, by table.
UNMAPPED_COLUMNS: dict[str, tuple[str, ...]] = {
    "social_accounts": ("access_token", "refresh_token"),
    "external_sources": ("connection_config",),
    "content_embeddings": ("embedding",),
}


class StudioModel(DeclarativeBase):
    """The base of the studio's classes (its own registry and MetaData: mapping the
    schema's tables adds nothing to the schema's metadata)."""


def class_name(table_name: str) -> str:
    """``brand_profile_accounts`` → ``BrandProfileAccount``."""
    return "".join(part.title() for part in table_name.removesuffix("s").split("_"))


def _model(table: sa.Table) -> type[StudioModel]:
    attributes: dict[str, object] = {"__table__": table}
    unmapped = UNMAPPED_COLUMNS.get(table.name, ())
    if unmapped:
        attributes["__mapper_args__"] = {"exclude_properties": list(unmapped)}
    return cast(type[StudioModel], type(class_name(table.name), (StudioModel,), attributes))


def _build() -> dict[str, type[StudioModel]]:
    return {table.name: _model(table) for table in metadata.sorted_tables}


#: One mapped class per table, by table name, parents before children.
MODELS: dict[str, type[StudioModel]] = _build()


def can_insert(table_name: str) -> bool:
    """False when a NOT NULL column without a server default is unmapped."""
    table = metadata.tables[table_name]
    return not any(
        not table.columns[name].nullable and table.columns[name].server_default is None
        for name in UNMAPPED_COLUMNS.get(table_name, ())
    )
