"""External sources: secrets encrypted at rest, cron checked."""

from __future__ import annotations

import pytest

from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.domain.enums import ExternalSourceType
from rabbit.domain.errors import NotFoundError, ValidationError

from .app import App


async def test_secret_values_are_stored_encrypted_and_masked(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    source = await app.sources.add_external_source(
        owner,
        org,
        brand,
        AddExternalSource(
            type=ExternalSourceType.SHOPIFY,
            name="Shop",
            connection_config={"api_key": "k-PLAIN", "store_url": "https://s.example"},
        ),
    )
    [stored] = await app.sources.list_external_sources(owner, org, brand)
    assert stored == source
    assert "PLAIN" not in str(stored.connection_config.to_json()) + repr(stored)
    assert app.ports.cipher.decrypt(stored.connection_config.secrets()["api_key"]) == "k-PLAIN"
    assert stored.connection_config.store_url == "https://s.example"


async def test_a_bad_cron_expression_names_the_field_and_writes_nothing(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    command = AddExternalSource(type=ExternalSourceType.CUSTOM, name="S", crawl_frequency="* *")
    with pytest.raises(ValidationError) as error:
        await app.sources.add_external_source(owner, org, brand, command)
    assert error.value.field == "crawl_frequency"
    assert await app.sources.list_external_sources(owner, org) == []


async def test_a_non_string_extra_config_value_names_the_field(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    command = AddExternalSource(
        type=ExternalSourceType.CUSTOM, name="S", connection_config={"region": 3}
    )
    with pytest.raises(ValidationError) as error:
        await app.sources.add_external_source(owner, org, brand, command)
    assert error.value.field.startswith("connection_config")


async def test_a_source_needs_a_live_brand_of_the_organisation(app: App) -> None:
    org, owner = await app.organization("one")
    other_org, other_owner = await app.organization("two")
    other_brand = await app.brand(other_org, other_owner)
    command = AddExternalSource(type=ExternalSourceType.CUSTOM, name="S")
    with pytest.raises(NotFoundError):
        await app.sources.add_external_source(owner, org, other_brand, command)
