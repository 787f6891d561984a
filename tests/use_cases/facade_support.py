"""The facade's use-case methods, found by introspection (tests that must cover every one).

A method added to a use-case area later is picked up by every test walking these, so it
cannot be forgotten by the argument checks, the role matrix or the tenant-isolation walk.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from rabbit.application.facade import Rabbit
from rabbit.application.use_cases._base import UseCases


def facade_methods(rabbit: Rabbit) -> Iterator[tuple[str, str, inspect.Signature]]:
    """``(area, name, signature)`` of every public coroutine method of every area."""
    for area, use_cases in vars(rabbit).items():
        if not isinstance(use_cases, UseCases):
            continue
        for name, method in inspect.getmembers(use_cases, inspect.iscoroutinefunction):
            if not name.startswith("_"):
                yield area, name, inspect.signature(method)


def unwired_facade() -> Rabbit:
    """A facade over no ports: enough to list its methods, not to call them."""
    none: Any = None
    return Rabbit(none)


def member_facing_methods() -> set[str]:
    """The methods a member calls: those taking an ``actor_id`` and an ``organization_id``."""
    return {
        name
        for _, name, signature in facade_methods(unwired_facade())
        if {"actor_id", "organization_id"} <= set(signature.parameters)
    }
