"""A violated constraint becomes the domain error that names the entity and the field."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rabbit.domain.errors import ConflictError, DomainError, NotFoundError, ValidationError
from rabbit_postgres.errors import constraint_targets, translate_integrity_error
from rabbit_postgres.schema import metadata


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


async def violation(connection: AsyncConnection, *statements: str) -> DomainError:
    """Run the statements (the last one must fail); the translated error."""
    *setup, failing = statements
    for statement in setup:
        await connection.execute(sa.text(statement))
    with pytest.raises(IntegrityError) as caught:
        await connection.execute(sa.text(failing))
    return translate_integrity_error(caught.value)


ORG = "INSERT INTO organizations (id, name, slug) VALUES ('o1', 'Acme', 'acme')"
BRAND = "INSERT INTO brand_profiles (id, organization_id, name) VALUES ('b1', 'o1', 'Brand')"
ACCOUNT = (
    "INSERT INTO social_accounts (id, organization_id, platform, account_id, account_name, "
    "access_token) VALUES ('{id}', 'o1', 'TWITTER', '{account}', 'acme', 'ciphertext')"
)


async def test_a_taken_slug_is_a_conflict_on_the_slug(connection: AsyncConnection) -> None:
    error = await violation(
        connection,
        ORG,
        "INSERT INTO organizations (id, name, slug) VALUES ('o2', 'Other', 'acme')",
    )
    assert isinstance(error, ConflictError)
    assert (error.entity, error.field) == ("organization", "slug")


async def test_a_second_live_platform_account_is_a_conflict_on_account_id(
    connection: AsyncConnection,
) -> None:
    error = await violation(
        connection,
        ORG,
        ACCOUNT.format(id="s1", account="tw-1"),
        ACCOUNT.format(id="s2", account="tw-1"),
    )
    assert isinstance(error, ConflictError)
    assert (error.entity, error.field) == ("social_account", "account_id")


async def test_a_platform_account_can_be_connected_again_after_a_soft_delete(
    connection: AsyncConnection,
) -> None:
    await connection.execute(sa.text(ORG))
    await connection.execute(sa.text(ACCOUNT.format(id="s1", account="tw-1")))
    await connection.execute(sa.text("UPDATE social_accounts SET deleted_at = now()"))

    await connection.execute(sa.text(ACCOUNT.format(id="s2", account="tw-1")))

    count = await connection.scalar(sa.text("SELECT count(*) FROM social_accounts"))
    assert count == 2


async def test_a_second_default_account_per_brand_and_platform_is_a_conflict_on_is_default(
    connection: AsyncConnection,
) -> None:
    link = (
        "INSERT INTO brand_profile_accounts (id, organization_id, brand_profile_id, "
        "social_account_id, platform, is_default) VALUES ('{id}', 'o1', 'b1', '{account}', "
        "'TWITTER', true)"
    )
    error = await violation(
        connection,
        ORG,
        BRAND,
        ACCOUNT.format(id="s1", account="tw-1"),
        ACCOUNT.format(id="s2", account="tw-2"),
        link.format(id="l1", account="s1"),
        link.format(id="l2", account="s2"),
    )
    assert isinstance(error, ConflictError)
    assert (error.entity, error.field) == ("brand_profile_account", "is_default")


async def test_a_link_whose_platform_differs_from_its_accounts_is_refused(
    connection: AsyncConnection,
) -> None:
    error = await violation(
        connection,
        ORG,
        BRAND,
        ACCOUNT.format(id="s1", account="tw-1"),
        "INSERT INTO brand_profile_accounts (id, organization_id, brand_profile_id, "
        "social_account_id, platform) VALUES ('l1', 'o1', 'b1', 's1', 'REDDIT')",
    )
    assert isinstance(error, NotFoundError)
    assert error.entity == "social_account"


async def test_a_reference_to_a_missing_brand_is_not_found_naming_its_id(
    connection: AsyncConnection,
) -> None:
    error = await violation(
        connection,
        ORG,
        "INSERT INTO schedules (id, organization_id, brand_profile_id) "
        "VALUES ('sc1', 'o1', 'nope')",
    )
    assert isinstance(error, NotFoundError)
    assert (error.entity, error.entity_id) == ("brand_profile", "nope")


async def test_an_overdraft_is_a_validation_error_on_credits_used(
    connection: AsyncConnection,
) -> None:
    error = await violation(
        connection,
        ORG,
        "INSERT INTO subscriptions (id, organization_id, credits_total, credits_used) "
        "VALUES ('sub1', 'o1', 5, 6)",
    )
    assert isinstance(error, ValidationError)
    assert error.field == "credits_used"


async def test_a_pending_post_without_platforms_is_a_validation_error_on_platforms(
    connection: AsyncConnection,
) -> None:
    error = await violation(
        connection,
        ORG,
        BRAND,
        "INSERT INTO materials (id, organization_id, type) VALUES ('m1', 'o1', 'TEXT')",
        "INSERT INTO pending_posts (id, organization_id, brand_profile_id, material_id, "
        "platforms, content, angle) VALUES ('p1', 'o1', 'b1', 'm1', '{}', 'x', 'EDUCATIONAL')",
    )
    assert isinstance(error, ValidationError)
    assert error.field == "platforms"


async def test_a_missing_required_value_is_a_validation_error_on_that_column(
    connection: AsyncConnection,
) -> None:
    error = await violation(
        connection, "INSERT INTO organizations (id, name, slug) VALUES ('o1', NULL, 'acme')"
    )
    assert isinstance(error, ValidationError)
    assert error.field == "name"


def test_every_named_constraint_of_the_schema_has_a_translation() -> None:
    names = {
        str(item.name)
        for table in metadata.tables.values()
        for item in (*table.constraints, *table.indexes)
        if not isinstance(item, sa.Index) or item.unique
    }
    assert names <= set(constraint_targets())
