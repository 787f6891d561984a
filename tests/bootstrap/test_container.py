"""The composition root: both stores plug into the same container, and the facade it
builds works end to end on each."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from rabbit.application.use_cases.organizations import CreateOrganization, RegisterUser
from rabbit.bootstrap.containers import (
    Container,
    MemoryStore,
    PostgresStore,
    create_container,
    running,
)
from rabbit.bootstrap.settings import Settings, StoreKind
from rabbit.domain.enums import MemberRole
from rabbit_memory import MemoryUnitOfWork
from rabbit_postgres.unit_of_work import PostgresUnitOfWork
from support.keys import TEST_TOKEN_KEYS


@pytest.fixture(params=[StoreKind.MEMORY, StoreKind.POSTGRES], ids=str)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param is StoreKind.MEMORY:
        return Settings(store=StoreKind.MEMORY, data_dir=tmp_path)
    url = request.getfixturevalue("postgres_url")
    return Settings(
        store=StoreKind.POSTGRES, database_url=url, data_dir=tmp_path, token_keys=TEST_TOKEN_KEYS
    )


def test_both_stores_give_the_container_the_same_providers(tmp_path: Path) -> None:
    memory = create_container(Settings(store=StoreKind.MEMORY, data_dir=tmp_path))
    postgres = create_container(
        Settings(database_url="postgresql://u@127.0.0.1:1/db", data_dir=tmp_path)
    )

    assert set(memory.providers) == set(postgres.providers) == set(Container.providers)
    assert {"settings", "uow"} <= set(MemoryStore.providers) & set(PostgresStore.providers)
    assert isinstance(memory.store.uow(), MemoryUnitOfWork)
    assert isinstance(postgres.store.uow(), PostgresUnitOfWork)  # built without connecting


def test_the_store_setting_picks_the_store(tmp_path: Path) -> None:
    container = create_container(Settings(store="memory", data_dir=tmp_path))

    assert isinstance(container.ports().uow(), MemoryUnitOfWork)


async def test_ports_hand_out_a_fresh_unit_of_work_on_every_call(settings: Settings) -> None:
    async with running(create_container(settings)) as container:
        ports = container.ports()

        first, second = ports.uow(), ports.uow()

        assert first is not second
        assert type(first) is type(second)
        assert container.ports() is ports  # the ports themselves are built once


async def test_the_facade_registers_a_user_and_creates_an_organisation(
    settings: Settings,
) -> None:
    suffix = uuid.uuid4().hex[:10]
    async with running(create_container(settings)) as container:
        rabbit = container.rabbit()

        owner = await rabbit.organizations.register_user(
            RegisterUser(email=f"owner-{suffix}@example.com", name="Owner")
        )
        org = await rabbit.organizations.create_organization(
            owner.id, CreateOrganization(name="Acme", slug=f"acme-{suffix}")
        )
        members = await rabbit.organizations.list_members(owner.id, org.id)

    assert org.slug == f"acme-{suffix}"
    assert [(member.user_id, member.role) for member in members] == [(owner.id, MemberRole.OWNER)]


@pytest.mark.postgres
async def test_a_new_postgres_container_reads_what_an_earlier_one_wrote(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=postgres_url, data_dir=tmp_path, token_keys=TEST_TOKEN_KEYS)
    suffix = uuid.uuid4().hex[:10]
    async with running(create_container(settings)) as first:
        owner = await first.rabbit().organizations.register_user(
            RegisterUser(email=f"first-{suffix}@example.com")
        )
        org = await first.rabbit().organizations.create_organization(
            owner.id, CreateOrganization(name="Acme", slug=f"first-{suffix}")
        )

    async with running(create_container(settings)) as second:
        members = await second.rabbit().organizations.list_members(owner.id, org.id)

    assert [member.user_id for member in members] == [owner.id]
