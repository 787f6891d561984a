"""A violated constraint becomes the domain error that names the entity and the field."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from rabbit.domain.errors import ConflictError, DomainError, NotFoundError, ValidationError
from rabbit_postgres.errors import constraint_targets, translate_integrity_error
from rabbit_postgres.schema import metadata


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


LINK = (
    "INSERT INTO brand_profile_accounts (id, organization_id, brand_profile_id, "
    "social_account_id, platform, is_default) VALUES ('{id}', 'o1', 'b1', '{account}', "
    "'{platform}', {default})"
)
MATERIAL = "INSERT INTO materials (id, organization_id, type) VALUES ('m1', 'o1', 'TEXT')"


def case(
    behaviour: str, statements: tuple[str, ...], error: type[DomainError], **names: str
) -> pytest.ParameterSet:
    """Running ``statements`` (the last one fails) is translated into ``error`` naming
    ``names`` (its entity, field or entity_id)."""
    return pytest.param(statements, error, names, id=behaviour.replace(" ", "-"))


VIOLATIONS = [
    case(
        "a taken slug is a conflict on the slug",
        (ORG, "INSERT INTO organizations (id, name, slug) VALUES ('o2', 'Other', 'acme')"),
        ConflictError,
        entity="organization",
        field="slug",
    ),
    case(
        "a second live platform account is a conflict on account_id",
        (ORG, ACCOUNT.format(id="s1", account="tw-1"), ACCOUNT.format(id="s2", account="tw-1")),
        ConflictError,
        entity="social_account",
        field="account_id",
    ),
    case(
        "a second default account per brand and platform is a conflict on is_default",
        (
            ORG,
            BRAND,
            ACCOUNT.format(id="s1", account="tw-1"),
            ACCOUNT.format(id="s2", account="tw-2"),
            LINK.format(id="l1", account="s1", platform="TWITTER", default="true"),
            LINK.format(id="l2", account="s2", platform="TWITTER", default="true"),
        ),
        ConflictError,
        entity="brand_profile_account",
        field="is_default",
    ),
    case(
        "a link whose platform differs from its account is refused",
        (
            ORG,
            BRAND,
            ACCOUNT.format(id="s1", account="tw-1"),
            LINK.format(id="l1", account="s1", platform="REDDIT", default="false"),
        ),
        NotFoundError,
        entity="social_account",
    ),
    case(
        "a reference to a missing brand is not found naming its id",
        (
            ORG,
            "INSERT INTO schedules (id, organization_id, brand_profile_id) "
            "VALUES ('sc1', 'o1', 'nope')",
        ),
        NotFoundError,
        entity="brand_profile",
        entity_id="nope",
    ),
    case(
        "an overdraft is a validation error on credits_used",
        (
            ORG,
            "INSERT INTO subscriptions (id, organization_id, credits_total, credits_used) "
            "VALUES ('sub1', 'o1', 5, 6)",
        ),
        ValidationError,
        field="credits_used",
    ),
    case(
        "a pending post without platforms is a validation error on platforms",
        (
            ORG,
            BRAND,
            MATERIAL,
            "INSERT INTO pending_posts (id, organization_id, brand_profile_id, material_id, "
            "platforms, content, angle) VALUES ('p1', 'o1', 'b1', 'm1', '{}', 'x', 'EDUCATIONAL')",
        ),
        ValidationError,
        field="platforms",
    ),
    case(
        "a missing required value is a validation error on that column",
        ("INSERT INTO organizations (id, name, slug) VALUES ('o1', NULL, 'acme')",),
        ValidationError,
        field="name",
    ),
]


@pytest.mark.parametrize(("statements", "kind", "names"), VIOLATIONS)
async def test_a_violated_constraint_is_the_domain_error_naming_what_was_refused(
    connection: AsyncConnection,
    statements: tuple[str, ...],
    kind: type[DomainError],
    names: dict[str, str],
) -> None:
    error = await violation(connection, *statements)
    assert isinstance(error, kind)
    assert {name: getattr(error, name) for name in names} == names


async def test_a_platform_account_can_be_connected_again_after_a_soft_delete(
    connection: AsyncConnection,
) -> None:
    await connection.execute(sa.text(ORG))
    await connection.execute(sa.text(ACCOUNT.format(id="s1", account="tw-1")))
    await connection.execute(sa.text("UPDATE social_accounts SET deleted_at = now()"))

    await connection.execute(sa.text(ACCOUNT.format(id="s2", account="tw-1")))

    count = await connection.scalar(sa.text("SELECT count(*) FROM social_accounts"))
    assert count == 2


def test_every_named_constraint_of_the_schema_has_a_translation() -> None:
    names = {
        str(item.name)
        for table in metadata.tables.values()
        for item in (*table.constraints, *table.indexes)
        if not isinstance(item, sa.Index) or item.unique
    }
    assert names <= set(constraint_targets())
