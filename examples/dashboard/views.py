"""Entities as JSON: every field of the dataclass, but the ones a response never carries.

The social tokens are stored encrypted and stay out of every response, as does the
payment provider's customer id; nested dataclasses (a linked account) are shown the same
way. FastAPI encodes what is left (datetimes, enums, tuples).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rabbit.models import Organization, SocialAccount

HIDDEN: dict[type, frozenset[str]] = {
    SocialAccount: frozenset({"access_token", "refresh_token"}),
    Organization: frozenset({"stripe_customer_id"}),
}


def view(entity: Any) -> dict[str, Any]:
    """The JSON form of one dataclass instance (an entity or a use case's result)."""
    if not dataclasses.is_dataclass(entity) or isinstance(entity, type):
        raise TypeError(f"not a dataclass instance: {type(entity).__name__}")
    hidden = HIDDEN.get(type(entity), frozenset())
    return {
        field.name: _value(getattr(entity, field.name))
        for field in dataclasses.fields(entity)
        if field.name not in hidden
    }


def views(entities: list[Any]) -> list[dict[str, Any]]:
    return [view(entity) for entity in entities]


def _value(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return view(value)
    if isinstance(value, list | tuple):
        return [_value(item) for item in value]
    return value
