"""Statements compiled by SQLAlchemy and run on asyncpg (rabbit_postgres.statements, .session).

What the direct execution must keep from SQLAlchemy's: the same type conversions, one
statement per list of values (``= ANY``), typed errors, connections never returned to the
pool in an unknown state, a SQL log, and vectors that plain SQLAlchemy statements can still
read and write on the connections units of work have used (the studio, tools, tests).
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from rabbit.domain.enums import (
    ContentAngle,
    ContentType,
    MaterialStatus,
    MaterialType,
    Sentiment,
)
from rabbit.domain.errors import ConcurrentUpdateError
from rabbit.domain.model import EMBEDDING_DIMENSIONS, ContentEmbedding, Material, Organization
from rabbit_postgres.codecs import decode_vector, encode_vector, floats
from rabbit_postgres.errors import StatementError
from rabbit_postgres.runtime import new_engine, to_sqlalchemy_url
from rabbit_postgres.schema import content_embeddings, materials, organizations
from rabbit_postgres.session import HIDDEN_PARAMETERS, in_array
from rabbit_postgres.statements import (
    Rows,
    StatementParameterError,
    compile_statement,
    prepare,
)
from rabbit_postgres.unit_of_work import PostgresUnitOfWork
from support.postgres import sent_sql

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ORG = Organization(id="exec-org", name="Exec", slug="exec-org", created_at=T0, updated_at=T0)
VECTOR = (0.25, -1.5, 3.0e-8) + (0.0,) * (EMBEDDING_DIMENSIONS - 3)


def embedding(content_id: str = "exec-material") -> ContentEmbedding:
    return ContentEmbedding(
        id=f"emb-{content_id}",
        organization_id=ORG.id,
        content_type=ContentType.MATERIAL,
        content_id=content_id,
        embedding=VECTOR,
        content_hash="0123456789abcdef",
        created_at=T0,
    )


# pure: compilation, rows, codec ---------------------------------------------------------


def test_parameters_are_positional_in_the_compiled_order_with_processed_values() -> None:
    statement = prepare(
        sa.select(materials.c.id).where(
            materials.c.status == sa.bindparam("status"),
            materials.c.organization_id == sa.bindparam("org"),
        )
    )
    assert ("$1" in statement.sql, "$2" in statement.sql) == (True, True)
    arguments = statement.arguments({"org": "o1", "status": MaterialStatus.READY})
    assert arguments == ["READY", "o1"]  # the enum member as its label, in $n order


def test_a_missing_parameter_is_named() -> None:
    statement = prepare(sa.select(materials.c.id).where(materials.c.id == sa.bindparam("id")))
    with pytest.raises(StatementParameterError, match="'id'"):
        statement.arguments({})


def test_values_inside_a_statement_built_per_call_are_its_defaults() -> None:
    statement = compile_statement(sa.select(materials.c.id).where(materials.c.id == "m1"))
    assert statement.arguments(None) == ["m1"]


def test_an_expanding_in_is_refused_for_one_array_parameter() -> None:
    with pytest.raises(ValueError, match="in_array"):
        compile_statement(sa.select(materials.c.id).where(materials.c.id.in_(["a", "b"])))
    statement = compile_statement(
        sa.select(materials.c.id).where(in_array(materials.c.id, ["a", "b"]))
    )
    assert statement.arguments(None) == [["a", "b"]]
    assert "ANY" in statement.sql


def test_rows_are_named_tuples_with_processed_values() -> None:
    statement = prepare(sa.select(materials.c.id, materials.c.status))
    (row,) = statement.rows([("m1", "READY")])
    assert (row.id, row.status, row[0]) == ("m1", MaterialStatus.READY, "m1")
    rows = Rows([row], 1)
    assert rows.first() == rows.one() == row
    assert rows.scalars() == ["m1"]
    with pytest.raises(sa.exc.NoResultFound):
        Rows([], 0).one()


def test_the_vector_codec_round_trips_floats_and_takes_the_text_form() -> None:
    data = encode_vector(list(VECTOR))
    assert len(data) == 4 + 4 * EMBEDDING_DIMENSIONS
    assert floats(decode_vector(data)) == pytest.approx(VECTOR, rel=1e-6)
    assert encode_vector("[1,2.5,-3]") == encode_vector((1.0, 2.5, -3.0))
    assert floats("[1,2.5]") == (1.0, 2.5)


# on the server ---------------------------------------------------------------------------


async def test_rows_written_and_read_keep_enums_arrays_json_and_vectors(
    postgres_url: str,
) -> None:
    engine = new_engine(postgres_url)
    material = Material(
        id="exec-m1",
        organization_id=ORG.id,
        brand_profile_id=None,
        type=MaterialType.TEXT,
        original_content="Body",
        key_points=("a", "b"),
        suggested_angles=(ContentAngle.EDUCATIONAL, ContentAngle.STORYTELLING),
        sentiment=Sentiment.POSITIVE,
        status=MaterialStatus.READY,
        created_at=T0,
        updated_at=T0,
    )
    try:
        async with PostgresUnitOfWork(engine) as uow:
            await uow.organizations.add(ORG)
            await uow.materials.add(material)
            stored = await uow.embeddings.upsert(embedding())
            assert await uow.materials.get(ORG.id, material.id) == material
            assert stored.embedding == pytest.approx(VECTOR, rel=1e-6)
            (hit,) = await uow.embeddings.nearest(ORG.id, VECTOR, since=T0, limit=5)
            assert hit.similarity == pytest.approx(1.0)
            assert hit.content_type is ContentType.MATERIAL
    finally:
        await engine.dispose()


async def test_a_server_error_that_no_domain_rule_covers_is_a_statement_error(
    postgres_url: str,
) -> None:
    engine = new_engine(postgres_url)
    try:
        async with PostgresUnitOfWork(engine) as uow:
            with pytest.raises(StatementError, match="22012") as error:
                await uow._session.execute(sa.select(sa.literal(1) / sa.literal(0)))
            assert error.value.sqlstate == "22012"  # division_by_zero
    finally:
        await engine.dispose()


async def test_a_statement_cancelled_midway_never_returns_its_connection_to_the_pool(
    postgres_url: str,
) -> None:
    engine = new_engine(postgres_url, pool_size=1, max_overflow=0)
    watcher = await asyncpg.connect(
        to_sqlalchemy_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    )
    try:
        uow = PostgresUnitOfWork(engine)
        async with uow:
            first_pid = await uow._session.backend_pid()
            task = asyncio.ensure_future(uow._session.execute(sa.select(sa.func.pg_sleep(30))))
            # cancel only once the server is running the statement (asked, not guessed)
            while not await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE pid = $1 AND state = 'active' AND query LIKE '%pg_sleep%'",
                first_pid,
            ):
                assert not task.done()
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        async with PostgresUnitOfWork(engine) as after:
            assert await after._session.backend_pid() != first_pid
            assert await after.organizations.get("missing") is None
    finally:
        await watcher.close()
        await engine.dispose()


async def test_every_statement_is_in_the_sql_log_with_its_arguments_when_shown(
    postgres_url: str,
) -> None:
    engine = new_engine(postgres_url, hide_parameters=False)  # explicit development mode
    try:
        async with PostgresUnitOfWork(engine) as uow:
            with sent_sql() as sent:
                await uow.organizations.get("exec-nobody")
    finally:
        await engine.dispose()
    ((sql, arguments),) = sent
    assert "FROM organizations" in sql
    assert arguments == ["exec-nobody"]


async def test_the_sql_log_hides_the_arguments_by_default(postgres_url: str) -> None:
    engine = new_engine(postgres_url)
    try:
        async with PostgresUnitOfWork(engine) as uow:
            with sent_sql() as sent:
                await uow.users.get_by_email("hidden-person@example.com")
    finally:
        await engine.dispose()
    ((sql, arguments),) = sent
    assert "FROM users" in sql
    assert arguments == HIDDEN_PARAMETERS
    assert "hidden-person" not in f"{sql}{arguments}"


async def test_plain_sqlalchemy_reads_and_writes_vectors_on_a_connection_units_of_work_used(
    postgres_url: str,
) -> None:
    engine = new_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        async with PostgresUnitOfWork(engine) as uow:  # registers the binary codec
            await uow.organizations.add(ORG)
            await uow.embeddings.upsert(embedding())
            await uow.commit()
        async with engine.begin() as connection:  # the same pooled connection
            await connection.execute(
                sa.insert(content_embeddings).values(
                    id="emb-sa",
                    organization_id=ORG.id,
                    content_type=ContentType.POST,
                    content_id="exec-post",
                    embedding=list(VECTOR),
                    content_hash="fedcba9876543210",
                    created_at=T0,
                )
            )
            read = (
                await connection.execute(
                    sa.select(content_embeddings.c.embedding).order_by(content_embeddings.c.id)
                )
            ).scalars()
            assert [tuple(vector) for vector in read] == [pytest.approx(VECTOR, rel=1e-6)] * 2
            await connection.execute(sa.delete(content_embeddings))
            await connection.execute(sa.delete(organizations))
    finally:
        await engine.dispose()


async def test_a_unit_of_work_that_fails_to_begin_gives_its_connection_back(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``async with`` runs no exit after a failed enter: begin itself must release."""
    engine = new_engine(postgres_url, pool_size=1, max_overflow=0, pool_timeout=2)

    async def broken(info: Any, connection: Any) -> None:
        raise RuntimeError("codec set-up failed")

    try:
        with monkeypatch.context() as patch:
            patch.setattr("rabbit_postgres.session.ensure_vector_codec", broken)
            with pytest.raises(RuntimeError, match="codec set-up failed"):
                async with PostgresUnitOfWork(engine):
                    pass
        async with PostgresUnitOfWork(engine) as uow:  # the pool's only connection
            assert await uow.organizations.get("missing") is None
    finally:
        await engine.dispose()


async def test_a_deadlock_is_a_concurrent_update_error_and_the_other_side_goes_on(
    postgres_url: str,
) -> None:
    """Two units of work locking two rows in opposite orders: the server breaks the cycle by
    rolling one back, which the caller sees as a retryable domain error (ADR 0012)."""
    engine = new_engine(postgres_url)
    first_org = dataclasses.replace(ORG, id="deadlock-a", slug="deadlock-a")
    second_org = dataclasses.replace(ORG, id="deadlock-b", slug="deadlock-b")
    try:
        async with PostgresUnitOfWork(engine) as uow:
            await uow.organizations.add(first_org)
            await uow.organizations.add(second_org)
            await uow.commit()

        async def lock_both(first: str, second: str, locked: asyncio.Event) -> str:
            async with PostgresUnitOfWork(engine) as uow:
                await uow.organizations.get(first, for_update=True)
                locked.set()
                await both_locked.wait()
                await uow.organizations.get(second, for_update=True)
                await uow.commit()
            return first

        one, other, both_locked = asyncio.Event(), asyncio.Event(), asyncio.Event()
        tasks = [
            asyncio.create_task(lock_both("deadlock-a", "deadlock-b", one)),
            asyncio.create_task(lock_both("deadlock-b", "deadlock-a", other)),
        ]
        await one.wait()
        await other.wait()
        both_locked.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)

        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1
        assert isinstance(errors[0], ConcurrentUpdateError)
        assert "retry" in errors[0].message
    finally:
        async with engine.begin() as connection:
            await connection.execute(
                sa.delete(organizations).where(organizations.c.id.like("deadlock-%"))
            )
        await engine.dispose()
