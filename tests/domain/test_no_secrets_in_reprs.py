"""No secret and no personal data in the repr of an entity, a command or the publish plan
(ADR 0021).

Entities are found by walking ``rabbit.domain.model`` and commands by walking
``rabbit.application.use_cases``, so a new one is covered the day it is added: each is built
with a marker in every field that holds a secret or personal data — by the names the ADR
lists (:func:`sensitive`) and by type (``SecretStr``) — and its ``repr`` and ``str`` must
show none of them, while an ordinary field still shows (the repr is not just blank).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import typing
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

import rabbit.application.use_cases as use_cases_package
import rabbit.domain.model as model_package
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases.publishing import _Plan
from rabbit.domain.enums import ExternalSourceType
from rabbit.domain.policies.publishing import NextStep
from rabbit.domain.values import ExternalSourceConfig, ShopifySourceConfig, source_config_input

#: Secrets by name: tokens (plain or ciphertext), passwords, keys, source config secrets.
SECRET_WORDS = ("token", "secret", "password", "api_key", "private_key")
#: About a secret, not one: when it expires, its version.
NOT_SECRET_ENDINGS = ("_at", "_version", "_verified")
#: Personal data and credentials that are not named so, per class (ADR 0021).
SENSITIVE_BY_CLASS: dict[str, frozenset[str]] = {
    "User": frozenset({"name", "image"}),
    "RegisterUser": frozenset({"name", "image"}),
    "BrandProfile": frozenset({"notify_webhook"}),
    "CreateBrand": frozenset({"notify_webhook"}),
    "UpdateBrand": frozenset({"notify_webhook"}),
    "AddExternalSource": frozenset({"connection_config"}),
}

VISIBLE = "VISIBLE-id-4711"


def sensitive(owner: type, field: str, annotation: Any = None) -> bool:
    if field.endswith(NOT_SECRET_ENDINGS):
        return False
    return (
        "email" in field
        or any(word in field for word in SECRET_WORDS)
        or field in SENSITIVE_BY_CLASS.get(owner.__name__, frozenset())
        or "SecretStr" in repr(annotation)
    )


def marker(owner: type, field: str) -> str:
    return f"MARK-{owner.__name__}-{field}-q7"


def entities() -> list[type]:
    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(model_package.__path__):
        module = importlib.import_module(f"{model_package.__name__}.{info.name}")
        for _, member in inspect.getmembers(module, dataclasses.is_dataclass):
            if isinstance(member, type) and member.__module__ == module.__name__:
                found[member.__name__] = member
    return [found[name] for name in sorted(found)]


def commands() -> list[type[Command]]:
    found: dict[str, type[Command]] = {}
    for info in pkgutil.iter_modules(use_cases_package.__path__):
        module = importlib.import_module(f"{use_cases_package.__name__}.{info.name}")
        for _, member in inspect.getmembers(module, inspect.isclass):
            if issubclass(member, Command) and member is not Command:
                found[member.__qualname__] = member
    return [found[name] for name in sorted(found)]


def secret_model(model: type[BaseModel], owner: type, field: str) -> BaseModel:
    """A value object with a marker in each of its secret fields (and in an extra key)."""
    values: dict[str, Any] = {
        name: SecretStr(marker(owner, f"{field}.{name}"))
        for name in getattr(model, "SECRET_FIELDS", ())
    }
    return model.model_construct(**values)


def entity_with_markers(cls: type) -> tuple[Any, list[str]]:
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    markers: list[str] = []
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        if hint is ExternalSourceConfig:  # the base of the per-type configs (ADR 0016)
            hint = ShopifySourceConfig
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        if inspect.isclass(hint) and issubclass(hint, BaseModel):
            if getattr(hint, "SECRET_FIELDS", ()):
                values[field.name] = secret_model(hint, cls, field.name)
                markers += [marker(cls, f"{field.name}.{name}") for name in hint.SECRET_FIELDS]
            continue
        if sensitive(cls, field.name, hint):
            values[field.name] = marker(cls, field.name)
            markers.append(marker(cls, field.name))
        elif field.name == "id":
            values[field.name] = VISIBLE
        elif required:
            values[field.name] = "x"
    return cls(**values), markers


ENTITIES = entities()
COMMANDS = commands()


def test_the_walks_find_the_entities_and_commands() -> None:
    names = {cls.__name__ for cls in ENTITIES}
    assert {"User", "SocialAccount", "BrandProfile", "ExternalSource", "PendingPost"} <= names
    assert {"RegisterUser", "ConnectAccount", "AddExternalSource", "CreateBrand"} <= {
        cls.__name__ for cls in COMMANDS
    }


@pytest.mark.parametrize("cls", ENTITIES, ids=lambda cls: cls.__name__)
def test_an_entity_repr_shows_no_secret_or_personal_data(cls: type) -> None:
    entity, markers = entity_with_markers(cls)

    shown = repr(entity) + str(entity)

    assert VISIBLE in shown or "id" not in {f.name for f in dataclasses.fields(cls)}
    for value in markers:
        assert value not in shown, f"{cls.__name__} shows {value}"


def command_with_markers(cls: type[Command]) -> tuple[Command, list[str]]:
    values: dict[str, Any] = {}
    markers: list[str] = []
    for name, info in cls.model_fields.items():
        if name == "connection_config":  # validated into its type's config, as at the door
            secrets = {"api_key": marker(cls, "api_key"), "access_token": marker(cls, "token")}
            values[name] = source_config_input(ExternalSourceType.SHOPIFY, secrets)
            markers += list(secrets.values())
        elif sensitive(cls, name, info.annotation):
            value = marker(cls, name)
            values[name] = SecretStr(value) if "SecretStr" in repr(info.annotation) else value
            markers.append(value)
    # model_construct: no validation (required fields may stay unset), the repr is the same
    return cls.model_construct(**values), markers


@pytest.mark.parametrize("cls", COMMANDS, ids=lambda cls: cls.__name__)
def test_a_command_repr_shows_no_secret_or_personal_data(cls: type[Command]) -> None:
    command, markers = command_with_markers(cls)

    shown = repr(command) + str(command)

    for value in markers:
        assert value not in shown, f"{cls.__name__} shows {value}"


def test_the_check_catches_a_command_that_shows_an_email() -> None:
    class Leaky(Command):
        notify_email: str

    command, markers = command_with_markers(Leaky)
    assert markers
    assert all(value in repr(command) for value in markers)


def test_the_publish_plan_repr_shows_no_token() -> None:
    plan = _Plan(NextStep.START, account_ref="acme-account", token="plain-token-Qz81")

    shown = repr(plan) + str(plan)

    assert "acme-account" in shown
    assert "plain-token-Qz81" not in shown
