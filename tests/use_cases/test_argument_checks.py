"""Ids and free strings passed to use-case methods are checked at the door (``_arguments.py``).

A NUL character cannot be stored by PostgreSQL, and the memory store would silently find
nothing: both must answer the same typed error naming the parameter.
"""

from __future__ import annotations

from typing import Any

import pytest

from rabbit.domain.errors import ValidationError

from .app import App
from .facade_support import all_areas, area_methods

BAD = "id\x00with-nul"


async def test_a_nul_in_any_id_or_string_argument_is_a_validation_error_naming_it(
    app: App,
) -> None:
    """Every public method of every area of both facades (the member's and the system's),
    one checked parameter at a time (the others None: the check runs before the method's
    body)."""
    found = all_areas(app.ports)
    seen = 0
    for area, name, signature in area_methods(found):
        method = getattr(found[area], name)
        parameters = list(signature.parameters)
        for parameter in parameters:
            if not (parameter.endswith(("_id", "_ids")) or parameter == "description"):
                continue
            arguments: dict[str, Any] = dict.fromkeys(parameters)
            arguments[parameter] = [BAD] if parameter.endswith("_ids") else BAD
            with pytest.raises(ValidationError) as error:
                await method(**arguments)
            assert error.value.field == parameter, (area, name)
            seen += 1
    assert seen > 50  # every use case with an id was reached


async def test_an_id_of_another_type_is_a_validation_error(app: App) -> None:
    org, owner = await app.organization()
    with pytest.raises(ValidationError) as error:
        await app.brands.get_brand(owner, org, 42)  # type: ignore[arg-type]
    assert error.value.field == "brand_id"


async def test_both_stores_refuse_a_nul_id_before_any_query(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    with pytest.raises(ValidationError) as error:
        await app.brands.get_brand(owner, org, brand + "\x00")
    assert error.value.field == "brand_id"
    assert (await app.brands.get_brand(owner, org, brand)).id == brand
