"""Each repository method is one SQL statement (ADR 0003: no hidden N+1 queries)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from rabbit.application.ports.unit_of_work import UnitOfWork
from rabbit.domain.enums import ContentType
from rabbit.domain.model import (
    EMBEDDING_DIMENSIONS,
    BrandProfile,
    ContentEmbedding,
    Organization,
    TokenKey,
)
from rabbit_postgres.unit_of_work import PostgresUnitOfWork
from support.postgres import sent_sql

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ORG = Organization(id="count-org", name="Count", slug="count-org", created_at=T0, updated_at=T0)
BRAND = BrandProfile(
    id="count-brand", organization_id=ORG.id, name="Brand", created_at=T0, updated_at=T0
)
EMBEDDING = ContentEmbedding(
    id="count-embedding",
    organization_id=ORG.id,
    content_type=ContentType.MATERIAL,
    content_id="count-material",
    embedding=(1.0,) + (0.0,) * (EMBEDDING_DIMENSIONS - 1),
    content_hash="0123456789abcdef",
    created_at=T0,
)


CALLS: dict[str, Callable[[UnitOfWork], Awaitable[Any]]] = {
    "add": lambda uow: uow.brands.add(BRAND),
    "get": lambda uow: uow.brands.get(ORG.id, BRAND.id, for_update=True),
    "find": lambda uow: uow.brands.find(ORG.id, include_deleted=True),
    "update": lambda uow: uow.brands.update(BRAND),
    "lock": lambda uow: uow.subscriptions.get(ORG.id, for_update=True),
    "claim": lambda uow: uow.schedules.claim_due(T0, limit=5),
    "upsert": lambda uow: uow.embeddings.upsert(EMBEDDING),
    "nearest": lambda uow: uow.embeddings.nearest(
        ORG.id, EMBEDDING.embedding, since=T0, limit=5, exclude=[(ContentType.POST, "x")]
    ),
    "total": lambda uow: uow.ledger.total(ORG.id),
    "register": lambda uow: uow.token_keys.register(
        TokenKey(id="count-key", fingerprint="0" * 32, created_at=T0)
    ),
}


@pytest.mark.parametrize("call", CALLS)
async def test_a_repository_method_runs_one_statement(engine: AsyncEngine, call: str) -> None:
    async with PostgresUnitOfWork(engine) as uow:
        await uow.organizations.add(ORG)
        if call != "add":
            await uow.brands.add(BRAND)
        with sent_sql() as statements:
            await CALLS[call](uow)

    assert len(statements) == 1, statements
