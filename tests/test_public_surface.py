"""The public surface (ADR 0030): an application imports from ``rabbit.api``,
``rabbit.commands``, ``rabbit.errors`` and ``rabbit.models``, each with a curated ``__all__``
that names everything it needs and nothing that does not resolve."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import pkgutil
import subprocess
import sys
import types
import typing

import pytest
from pydantic import BaseModel

import rabbit.application.errors
import rabbit.application.use_cases
import rabbit.domain.errors
from rabbit import api, commands, errors, models
from rabbit.application.use_cases._commands import Command

PUBLIC = (api, commands, errors, models)


def _isort_style(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name


@pytest.mark.parametrize("module", PUBLIC, ids=lambda module: module.__name__)
def test_every_exported_name_resolves_and_the_list_is_sorted_and_unique(
    module: types.ModuleType,
) -> None:
    names = module.__all__

    # the order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions
    assert names == sorted(set(names), key=_isort_style)
    assert [name for name in names if not hasattr(module, name)] == []


def _command_classes() -> dict[str, type[Command]]:
    package = rabbit.application.use_cases
    found: dict[str, type[Command]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Command)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[name] = value
    return found


def _types_in(annotation: object) -> typing.Iterator[type]:
    """The rabbit enums and value objects an annotation names (nested models walked)."""
    for argument in typing.get_args(annotation):
        yield from _types_in(argument)
    if not (inspect.isclass(annotation) and annotation.__module__.startswith("rabbit.")):
        return
    if issubclass(annotation, enum.Enum):
        yield annotation
    elif issubclass(annotation, BaseModel) and not issubclass(annotation, Command):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _types_in(field.annotation)


def test_every_command_and_every_type_its_fields_take_is_in_rabbit_commands() -> None:
    found = _command_classes()
    taken = {
        kind
        for command in found.values()
        for field in command.model_fields.values()
        for kind in _types_in(field.annotation)
    }

    assert len(found) > 10
    assert {name: getattr(commands, name, None) for name in found} == found
    assert [
        kind.__name__ for kind in taken if getattr(commands, kind.__name__, None) is not kind
    ] == []


def test_every_error_of_the_core_is_in_rabbit_errors() -> None:
    defined = {
        name: value
        for module in (rabbit.domain.errors, rabbit.application.errors)
        for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, Exception)
    }

    assert {"DomainError", "StoreError", "ConnectionLostError"} <= defined.keys()
    assert {name: getattr(errors, name, None) for name in defined} == defined


def test_the_adapter_raises_the_errors_the_application_catches() -> None:
    from rabbit_postgres import errors as adapter_errors

    for name in ("DatabaseUnavailableError", "ConnectionLostError", "SchemaNotCurrentError"):
        assert getattr(adapter_errors, name) is getattr(errors, name)
    assert adapter_errors.PostgresAdapterError is errors.StoreError
    assert issubclass(errors.ConnectionLostError, errors.DatabaseUnavailableError)


def test_the_commands_the_errors_and_the_models_load_no_database_driver() -> None:
    probe = (
        "import sys, rabbit.commands, rabbit.errors, rabbit.models; "
        "print(sorted(m for m in ('sqlalchemy', 'asyncpg', 'alembic', 'dependency_injector') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"


def _returned_types(annotation: object, found: set[type]) -> None:
    """The rabbit classes an annotation names, with the fields of the dataclasses among
    them (what an application meets when it reads a result)."""
    for argument in typing.get_args(annotation):
        _returned_types(argument, found)
    origin = typing.get_origin(annotation)
    if origin is not None:
        _returned_types(origin, found)
    if not (inspect.isclass(annotation) and annotation.__module__.startswith("rabbit.")):
        return
    if annotation in found:
        return
    found.add(annotation)
    if dataclasses.is_dataclass(annotation):
        for field, hint in typing.get_type_hints(annotation).items():
            if not field.startswith("_"):
                _returned_types(hint, found)


def _facade_areas() -> list[type]:
    container = api.create_container(api.Settings(store=api.StoreKind.MEMORY))
    return [
        type(area)
        for facade in (container.rabbit(), container.system())
        for area in vars(facade).values()
    ]


def test_every_type_a_facade_returns_is_in_rabbit_models_or_rabbit_commands() -> None:
    found: set[type] = set()
    for area in _facade_areas():
        for name, method in inspect.getmembers(area, inspect.isfunction):
            if not name.startswith("_"):
                _returned_types(typing.get_type_hints(method).get("return"), found)

    assert {"Page", "PendingPost", "TickReport", "MaterialSummary"} <= {k.__name__ for k in found}
    missing = [
        kind.__name__
        for kind in found
        if getattr(models, kind.__name__, None) is not kind
        and getattr(commands, kind.__name__, None) is not kind
    ]
    assert sorted(missing) == []
