"""Copies that share nothing with the caller, so the store changes only through a repository.

Entities are dataclasses whose fields are mostly immutable (strings, numbers, datetimes,
enums, tuples of those). Those are shared safely; anything else (pydantic value objects,
which may hold a dict, or a tuple of them) is deep-copied. That keeps a 768-float embedding
cheap to copy while no mutable object is ever shared between a caller and the store.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E")

_IMMUTABLE_SCALARS = (
    str,
    int,
    float,
    bool,
    bytes,
    type(None),
    datetime,
    date,
    time,
    timedelta,
    Enum,
)


def is_immutable(value: object) -> bool:
    """True when ``value`` (recursively through tuples and frozensets) cannot be changed."""
    if isinstance(value, _IMMUTABLE_SCALARS):
        return True
    if isinstance(value, tuple | frozenset):
        return all(is_immutable(item) for item in value)
    return False


def clone(entity: E) -> E:
    """A copy of a dataclass entity whose mutable parts are copied too."""
    if not dataclasses.is_dataclass(entity) or isinstance(entity, type):
        raise TypeError(f"not a dataclass instance: {type(entity).__name__}")
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(entity):
        value = getattr(entity, field.name)
        if not is_immutable(value):
            changes[field.name] = copy.deepcopy(value)
    return dataclasses.replace(entity, **changes)
