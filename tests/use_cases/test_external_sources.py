"""External sources: declared fields per type, every secret encrypted at rest and bound to
its source and field, listings masked, cron checked."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pytest

from rabbit.application.use_cases.external_sources import AddExternalSource, decrypt_secret
from rabbit.domain.enums import ExternalSourceType, MemberRole
from rabbit.domain.errors import NotFoundError, UnreadableSecretError, ValidationError
from rabbit.domain.model import ExternalSource
from rabbit.domain.values import SECRET_MASK

from .app import App

WOO = ExternalSourceType.WOOCOMMERCE


async def stored_source(app: App, org: str, source_id: str) -> ExternalSource:
    async with app.ports.uow() as uow:
        source = await uow.external_sources.get(org, source_id)
    assert source is not None
    return source


async def test_secret_values_are_stored_encrypted_and_listed_masked(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    source = await app.external_sources.add_external_source(
        owner,
        org,
        brand,
        AddExternalSource(
            type=ExternalSourceType.SHOPIFY,
            name="Shop",
            connection_config={"api_key": "k-PLAIN", "store_url": "https://s.example"},
        ),
    )
    [listed] = await app.external_sources.list_external_sources(owner, org, brand)
    assert listed == source
    assert dict(listed.connection_config) == {
        "api_key": SECRET_MASK,
        "store_url": "https://s.example",
    }
    stored = await stored_source(app, org, source.id)
    assert "PLAIN" not in str(stored.connection_config.to_json()) + repr(stored)
    assert decrypt_secret(app.ports.cipher, stored, "api_key") == "k-PLAIN"


async def test_woocommerce_consumer_secret_is_encrypted_and_a_viewer_sees_it_masked(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    org, owner = await app.organization()
    viewer = await app.member(org, owner, MemberRole.VIEWER)
    brand = await app.brand(org, owner)
    command = AddExternalSource(
        type=WOO,
        name="Woo",
        connection_config={
            "consumer_key": "ck_PLAIN_4242",
            "consumer_secret": "cs_PLAIN_4242",
            "store_url": "https://woo.example",
        },
    )
    added = await app.external_sources.add_external_source(owner, org, brand, command)

    [seen] = await app.external_sources.list_external_sources(viewer, org)
    assert dict(seen.connection_config) == {
        "consumer_key": SECRET_MASK,
        "consumer_secret": SECRET_MASK,
        "store_url": "https://woo.example",
    }
    stored = await stored_source(app, org, added.id)
    raw = stored.connection_config.to_json()
    assert raw["consumer_secret"].startswith("v2:")
    assert "PLAIN" not in str(raw)
    assert decrypt_secret(app.ports.cipher, stored, "consumer_secret") == "cs_PLAIN_4242"
    for shown in (repr(stored), repr(command), str(command), repr(added), repr(seen)):
        assert "PLAIN_4242" not in shown
    assert "PLAIN_4242" not in caplog.text


@pytest.mark.parametrize(
    ("source_type", "key"),
    [
        (WOO, "password"),
        (WOO, "api_key"),  # Shopify's, not WooCommerce's
        (ExternalSourceType.SHOPIFY, "apiKey"),
        (ExternalSourceType.CUSTOM, "region"),
        (ExternalSourceType.SHOPIFY, "legacy"),  # what the 0004 migration keeps, not input
    ],
)
async def test_refuses_an_undeclared_config_key(
    app: App, source_type: ExternalSourceType, key: str
) -> None:
    org, owner = await app.organization()
    await app.brand(org, owner)
    with pytest.raises(ValidationError) as error:
        AddExternalSource(type=source_type, name="S", connection_config={key: "secret-value"})
    assert error.value.field == f"connection_config.{key}"
    assert "secret-value" not in str(error.value)
    assert await app.external_sources.list_external_sources(owner, org) == []


async def test_custom_headers_are_all_secret_and_listed_by_name(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    headers = {"Authorization": "Bearer PLAIN-1", "X-Api-Key": "PLAIN-2"}
    added = await app.external_sources.add_external_source(
        owner,
        org,
        brand,
        AddExternalSource(
            type=ExternalSourceType.CUSTOM, name="Feed", connection_config={"headers": headers}
        ),
    )
    assert dict(added.connection_config) == {"headers": dict.fromkeys(headers, SECRET_MASK)}
    stored = await stored_source(app, org, added.id)
    assert "PLAIN" not in str(stored.connection_config.to_json())
    for name, value in headers.items():
        assert decrypt_secret(app.ports.cipher, stored, f"headers.{name}") == value
    with pytest.raises(ValidationError) as error:
        AddExternalSource(
            type=ExternalSourceType.CUSTOM,
            name="Feed",
            connection_config={"headers": {"not a header": "x"}},
        )
    assert error.value.field.startswith("connection_config.headers")


async def test_refuses_a_secret_moved_to_another_field_or_source(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)

    async def add(config: dict[str, Any]) -> ExternalSource:
        view = await app.external_sources.add_external_source(
            owner, org, brand, AddExternalSource(type=WOO, name="W", connection_config=config)
        )
        return await stored_source(app, org, view.id)

    one = await add({"consumer_key": "ck-one", "consumer_secret": "cs-one"})
    two = await add({"consumer_key": "ck-two"})
    swapped = one.connection_config.with_secrets(
        {"consumer_key": one.connection_config.secrets()["consumer_secret"]}
    )
    with pytest.raises(UnreadableSecretError) as error:
        decrypt_secret(app.ports.cipher, replace(one, connection_config=swapped), "consumer_key")
    assert error.value.field == "external_sources.connection_config.consumer_key"
    moved = two.connection_config.with_secrets(
        {"consumer_key": one.connection_config.secrets()["consumer_key"]}
    )
    with pytest.raises(UnreadableSecretError):
        decrypt_secret(app.ports.cipher, replace(two, connection_config=moved), "consumer_key")
    assert decrypt_secret(app.ports.cipher, one, "consumer_key") == "ck-one"


async def test_a_bad_cron_expression_names_the_field_and_writes_nothing(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    command = AddExternalSource(type=ExternalSourceType.CUSTOM, name="S", crawl_frequency="* *")
    with pytest.raises(ValidationError) as error:
        await app.external_sources.add_external_source(owner, org, brand, command)
    assert error.value.field == "crawl_frequency"
    assert await app.external_sources.list_external_sources(owner, org) == []


async def test_a_non_string_config_value_names_the_field(app: App) -> None:
    with pytest.raises(ValidationError) as error:
        AddExternalSource(type=WOO, name="S", connection_config={"consumer_secret": 3})
    assert error.value.field == "connection_config.consumer_secret"


async def test_a_source_needs_a_live_brand_of_the_organisation(app: App) -> None:
    org, owner = await app.organization("one")
    other_org, other_owner = await app.organization("two")
    other_brand = await app.brand(other_org, other_owner)
    command = AddExternalSource(type=ExternalSourceType.CUSTOM, name="S")
    with pytest.raises(NotFoundError):
        await app.external_sources.add_external_source(owner, org, other_brand, command)
