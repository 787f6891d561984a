"""The typed conditions of one_where/many_where/count_where (rabbit_postgres.session, ADR 0023).

A condition names a real column, so the only mistake left to catch at run time is a column
of another table: it is refused, with the table it belongs to, when its shape is first
built. The values never enter the cached statement's key, so two calls that differ only in
their values run the very same compiled statement.
"""

from __future__ import annotations

from typing import Any

import pytest

from rabbit_postgres.mapping import MATERIALS, POSTS
from rabbit_postgres.runtime import new_engine
from rabbit_postgres.schema import materials, pending_posts, posts
from rabbit_postgres.session import (
    Condition,
    ForeignColumnError,
    Statement,
    ascending,
    at_least,
    at_most,
    cached_select,
    descending,
    eq,
    one_of,
)
from rabbit_postgres.statements import CompiledStatement
from rabbit_postgres.unit_of_work import PostgresUnitOfWork


def test_each_condition_reads_as_its_sql() -> None:
    c = materials.c
    conditions = (
        eq(c.organization_id, "o"),
        at_least(c.created_at, None),
        at_most(c.updated_at, None),
        one_of(c.status, iter(())),
    )
    assert conditions[3] == Condition(c.status, "in", [])  # any iterable, bound as one list
    shape = tuple((condition.column, condition.operator) for condition in conditions)
    sql = cached_select(MATERIALS, shape).sql
    assert "materials.organization_id = $1::VARCHAR" in sql
    assert "materials.created_at >= $2" in sql
    assert "materials.updated_at <= $3" in sql
    assert "materials.status = ANY ($4" in sql


def test_an_order_reads_as_its_sql() -> None:
    statement = cached_select(
        POSTS,
        ((posts.c.organization_id, "="),),
        ordered=True,
        order_by=(descending(posts.c.published_at), ascending(posts.c.created_at)),
    )
    assert "ORDER BY posts.published_at DESC NULLS LAST, posts.created_at, " in statement.sql


def test_a_condition_on_a_column_of_another_table_is_refused_by_name() -> None:
    message = r"pending_posts\.status is not a column of materials \(the table of Material\)"
    with pytest.raises(ForeignColumnError, match=message):
        cached_select(MATERIALS, ((pending_posts.c.status, "in"),))


def test_an_order_on_a_column_of_another_table_is_refused() -> None:
    with pytest.raises(ForeignColumnError, match=r"posts\.published_at .* materials"):
        cached_select(MATERIALS, (), ordered=True, order_by=(descending(posts.c.published_at),))


async def test_a_foreign_column_is_refused_even_when_its_name_has_a_cached_shape(
    postgres_url: str,
) -> None:
    """The shape holds the column itself, not its name: ``posts.c.id`` is not
    ``materials.c.id`` although the statement for the latter is already cached."""
    engine = new_engine(postgres_url)
    try:
        async with PostgresUnitOfWork(engine) as uow:
            session = uow._session
            assert await session.one_where(MATERIALS, eq(materials.c.id, "cond-none")) is None
            with pytest.raises(ForeignColumnError, match=r"posts\.id is not a column"):
                await session.one_where(MATERIALS, eq(posts.c.id, "cond-none"))
            with pytest.raises(ForeignColumnError):
                await session.count_where(MATERIALS, one_of(posts.c.id, ["cond-none"]))
    finally:
        await engine.dispose()


async def test_calls_that_differ_only_in_values_run_one_compiled_statement(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = new_engine(postgres_url)
    try:
        async with PostgresUnitOfWork(engine) as uow:
            session = uow._session
            sent: list[Statement] = []
            execute = session.execute

            async def recording(statement: Statement, parameters: Any = None) -> Any:
                sent.append(statement)
                return await execute(statement, parameters)

            monkeypatch.setattr(session, "execute", recording)
            await uow.materials.get("cond-org-1", "cond-m1")
            await uow.materials.get("cond-org-2", "cond-m2")
            await uow.materials.get("cond-org-2", "cond-m2", for_update=True)  # another shape
    finally:
        await engine.dispose()
    first, second, locking = sent
    assert isinstance(first, CompiledStatement)
    assert second is first
    assert locking is not first
