"""Migrating from an application: ``migrate`` and ``schema_status`` inside a running event
loop, ``running()`` refusing a schema not at head in one line, and where the scripts are
found (ADR 0027)."""

from __future__ import annotations

import configparser
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from rabbit.application.use_cases.organizations import RegisterUser
from rabbit.bootstrap import (
    SchemaNotCurrentError,
    Settings,
    StoreKind,
    create_container,
    database,
    migrate,
    running,
    schema_status,
)
from rabbit.domain.errors import ValidationError
from rabbit_local.cipher import AesGcmTokenCipher
from rabbit_postgres.errors import MigrationsMissingError
from rabbit_postgres.runtime import to_sqlalchemy_url
from support.keys import TEST_KEY_ID, TEST_TOKEN_KEYS

ROOT = Path(__file__).resolve().parents[2]
HOW = "run `rabbit db upgrade` (or `await rabbit.bootstrap.migrate(settings)`)"


def head_and_previous() -> tuple[str, str]:
    script = ScriptDirectory.from_config(database.alembic_config())
    head = script.get_revision("head")
    assert head is not None
    assert isinstance(head.down_revision, str)
    return head.revision, head.down_revision


def settings_for(url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=url, data_dir=tmp_path, token_keys=TEST_TOKEN_KEYS)


async def execute(url: str, sql: str) -> None:
    engine = create_async_engine(to_sqlalchemy_url(url), poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text(sql))
    finally:
        await engine.dispose()


async def start(settings: Settings) -> None:
    async with running(create_container(settings)):
        pass


def test_a_checkout_migrates_from_its_migrations_folder() -> None:
    assert database.script_location() == ROOT / "migrations"
    assert database.alembic_config().get_main_option("script_location") == str(ROOT / "migrations")


def test_the_options_built_in_code_are_alembic_ini_s() -> None:
    ini = configparser.RawConfigParser()
    ini.read(ROOT / "alembic.ini")
    from_file = dict(ini["alembic"])
    for not_ours in ("script_location", "prepend_sys_path"):  # found in code / the CLI's own
        from_file.pop(not_ours)

    assert from_file == database.ALEMBIC_OPTIONS


def test_missing_scripts_are_one_line_naming_where_they_were_looked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(database, "MIGRATIONS_PACKAGE", "rabbit_memory")
    monkeypatch.setattr(database, "CHECKOUT_MIGRATIONS", tmp_path / "migrations")

    with pytest.raises(MigrationsMissingError) as error:
        database.script_location()

    assert str(tmp_path / "migrations") in str(error.value)
    assert "rabbit_memory" in str(error.value)
    assert len(str(error.value).splitlines()) == 1


@pytest.mark.parametrize("store", [StoreKind.MEMORY, StoreKind.POSTGRES])
@pytest.mark.parametrize("revision", ["nope", "+1", "", "0006\x00"])
async def test_migrate_refuses_an_unknown_revision_naming_it_before_any_connection(
    tmp_path: Path, store: StoreKind, revision: str
) -> None:
    settings = Settings(
        store=store, database_url="postgresql://u@127.0.0.1:1/db", data_dir=tmp_path
    )

    with pytest.raises(ValidationError) as error:
        await migrate(settings, revision)  # the unreachable URL is never contacted

    assert error.value.field == "revision"


async def test_the_memory_store_has_nothing_to_migrate(tmp_path: Path) -> None:
    settings = Settings(
        store=StoreKind.MEMORY, database_url="postgresql://u@127.0.0.1:1/db", data_dir=tmp_path
    )

    await migrate(settings)  # the unreachable URL is never contacted
    status = await schema_status(settings)

    assert status.is_current


async def test_alembic_without_a_connection_inside_a_running_loop_says_what_to_use() -> None:
    with pytest.raises(RuntimeError, match=r"rabbit\.bootstrap\.migrate"):
        command.upgrade(database.alembic_config(), "head")


@pytest.mark.postgres
async def test_running_refuses_a_fresh_database_in_one_line(
    scratch_database_url: str, tmp_path: Path
) -> None:
    head, _ = head_and_previous()

    with pytest.raises(SchemaNotCurrentError) as error:
        await start(settings_for(scratch_database_url, tmp_path))

    assert str(error.value) == (
        f"the database has no schema yet, the code needs revision {head}: {HOW}"
    )


@pytest.mark.postgres
async def test_running_refuses_a_database_behind_head_naming_both_revisions(
    scratch_database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(scratch_database_url, tmp_path)
    head, previous = head_and_previous()
    await migrate(settings, previous)

    with pytest.raises(SchemaNotCurrentError) as error:
        await start(settings)

    assert str(error.value) == (
        f"the database is at revision {previous}, the code needs {head}: {HOW}"
    )


@pytest.mark.postgres
async def test_running_refuses_a_database_a_newer_rabbit_migrated(
    scratch_database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(scratch_database_url, tmp_path)
    await migrate(settings)
    await execute(scratch_database_url, "UPDATE alembic_version SET version_num = 'f00d'")

    with pytest.raises(SchemaNotCurrentError, match="at revision f00d, which this rabbit does not"):
        await start(settings)
    assert (await schema_status(settings)).unknown == ("f00d",)


@pytest.mark.postgres
async def test_migrate_inside_the_event_loop_brings_a_fresh_database_to_head(
    scratch_database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(scratch_database_url, tmp_path)
    head, _ = head_and_previous()
    before = await schema_status(settings)

    await migrate(settings)  # inside this test's running loop, as in a FastAPI lifespan

    after = await schema_status(settings)
    assert (before.current, before.is_current) == ((), False)
    assert (after.current, after.head, after.is_current) == ((head,), (head,), True)
    async with running(create_container(settings)) as container:
        user = await container.rabbit().organizations.register_user(
            RegisterUser(email=f"{uuid.uuid4().hex[:8]}@example.com")
        )
    assert user.id


@pytest.mark.postgres
async def test_migrations_read_the_token_keys_of_the_settings_migrate_was_given(
    monkeypatch: pytest.MonkeyPatch, scratch_database_url: str, tmp_path: Path
) -> None:
    for name in ("RABBIT_TOKEN_KEYS", "RABBIT_TOKEN_KEYS_FILE", "RABBIT_DEV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", scratch_database_url)  # Settings() alone has no keys
    monkeypatch.setenv("RABBIT_DATA_DIR", str(tmp_path))
    settings = settings_for(scratch_database_url, tmp_path)
    await migrate(settings, "0003")
    v1 = AesGcmTokenCipher.from_config(TEST_TOKEN_KEYS, TEST_KEY_ID).seal_v1("plain")
    await execute(scratch_database_url, "INSERT INTO organizations VALUES ('o1', 'O', 'o')")
    await execute(
        scratch_database_url,
        "INSERT INTO social_accounts (id, organization_id, platform, account_id, account_name,"
        f" access_token) VALUES ('a1', 'o1', 'TWITTER', 'tw', '@tw', '{v1}')",
    )

    await migrate(settings)  # 0005 rewrites the token with the settings' keys

    engine = create_async_engine(to_sqlalchemy_url(scratch_database_url), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            token = await connection.scalar(sa.text("SELECT access_token FROM social_accounts"))
    finally:
        await engine.dispose()
    assert str(token).startswith("v2:")
