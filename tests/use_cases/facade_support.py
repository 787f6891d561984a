"""The facades' use-case methods, found by introspection (tests that must cover every one).

A method added to a use-case area later is picked up by every test walking these, so it
cannot be forgotten by the argument checks, the role matrix or the tenant-isolation walk.
The member facade (``Rabbit``) and the system facade (``RabbitSystem``) name their areas
differently, so one ``area`` names one area of either (``areas``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from rabbit.application.context import Ports
from rabbit.application.facade import Rabbit
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases._arguments import UseCases


def areas(facade: object) -> dict[str, UseCases]:
    """The use-case areas a facade exposes (its public attributes that are use cases)."""
    return {
        name: value
        for name, value in vars(facade).items()
        if not name.startswith("_") and isinstance(value, UseCases)
    }


def all_areas(ports: Ports) -> dict[str, UseCases]:
    """Every area of both facades over ``ports`` (their area names do not overlap)."""
    member, system = areas(Rabbit(ports)), areas(RabbitSystem(ports))
    assert not set(member) & set(system), set(member) & set(system)
    return member | system


def area_methods(found: dict[str, UseCases]) -> Iterator[tuple[str, str, inspect.Signature]]:
    """``(area, name, signature)`` of every public coroutine method of the given areas."""
    for area, use_cases in found.items():
        for name, method in inspect.getmembers(use_cases, inspect.iscoroutinefunction):
            if not name.startswith("_"):
                yield area, name, inspect.signature(method)


def facade_methods(facade: object) -> Iterator[tuple[str, str, inspect.Signature]]:
    """``(area, name, signature)`` of every public coroutine method of every area."""
    return area_methods(areas(facade))


def unwired(facade: type[Rabbit] | type[RabbitSystem]) -> Any:
    """A facade over placeholder ports: enough to list its methods, not to call them."""
    fields = inspect.signature(Ports).parameters
    placeholders: Any = {name: object() for name in fields if name != "config"}
    return facade(Ports(**placeholders))


def unwired_facade() -> Rabbit:
    """The member facade over no ports."""
    facade: Rabbit = unwired(Rabbit)
    return facade


def member_facing_methods() -> set[str]:
    """The methods a member calls: those taking an ``actor_id`` and an ``organization_id``."""
    return {
        name
        for _, name, signature in facade_methods(unwired_facade())
        if {"actor_id", "organization_id"} <= set(signature.parameters)
    }
