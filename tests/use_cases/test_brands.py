"""Brand profiles: defaults, validation, soft delete and restore."""

from __future__ import annotations

import pytest

from rabbit.application.use_cases.brands import CreateBrand, UpdateBrand
from rabbit.domain.enums import VisualStyle
from rabbit.domain.errors import NotFoundError, ValidationError
from rabbit.domain.values import BrandColors, LanguageRules

from .app import App


async def test_a_new_brand_has_every_default(app: App) -> None:
    org_id, owner = await app.organization()
    brand = await app.brands.create_brand(owner, org_id, CreateBrand(name="Acme"))
    assert (brand.auto_approve, brand.approval_timeout) == (True, 24)
    assert brand.colors == BrandColors()
    assert brand.language_rules == LanguageRules()
    assert brand.visual_style is VisualStyle.MINIMAL
    assert await app.brands.get_brand(owner, org_id, brand.id) == brand


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "A", "colors": {"primary": "blue"}}, "colors.primary"),
        ({"name": "A", "language_rules": {"emoji_usage": "lots"}}, "language_rules.emoji_usage"),
        ({"name": "A", "approval_timeout": 0}, "approval_timeout"),
        ({"name": "A", "content_pillars": [{"name": "x", "percentage": 40}]}, "content_pillars"),
        ({"name": "A", "platform_settings": {"MYSPACE": {}}}, "platform_settings.platforms"),
        ({"name": "A", "colour": "#FFFFFF"}, "colour"),
    ],
)
def test_bad_brand_input_names_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        CreateBrand.parse(data)
    assert error.value.field.startswith(field)


async def test_an_update_changes_only_the_given_fields(app: App) -> None:
    org_id, owner = await app.organization()
    brand = await app.brands.create_brand(
        owner, org_id, CreateBrand(name="Acme", personality="dry")
    )
    app.tick()
    updated = await app.brands.update_brand(
        owner,
        org_id,
        brand.id,
        UpdateBrand.parse(
            {"auto_approve": False, "content_pillars": [{"name": "tips", "percentage": 100}]}
        ),
    )
    assert (updated.name, updated.personality, updated.auto_approve) == ("Acme", "dry", False)
    assert updated.content_pillars.target("tips") == 100
    assert updated.updated_at == app.clock.now() != brand.updated_at
    assert await app.brands.get_brand(owner, org_id, brand.id) == updated


async def test_a_deleted_brand_is_hidden_except_for_audit_until_restored(app: App) -> None:
    org_id, owner = await app.organization()
    brand_id = await app.brand(org_id, owner)
    await app.brands.delete_brand(owner, org_id, brand_id)
    with pytest.raises(NotFoundError):
        await app.brands.get_brand(owner, org_id, brand_id)
    assert await app.brands.list_brands(owner, org_id) == []
    [audited] = await app.brands.list_brands(owner, org_id, include_deleted=True)
    assert audited.deleted_at == app.clock.now()
    await app.brands.restore_brand(owner, org_id, brand_id)
    assert (await app.brands.get_brand(owner, org_id, brand_id)).deleted_at is None
