"""Hostile input: only domain errors come out of the core, and the store stays consistent.

Every pydantic command of ``rabbit.application.use_cases`` (found by walking the package) is
parsed from hypothesis-generated mappings: huge strings, unicode, NUL bytes, injection
strings, wrong types, out-of-range numbers, bad timezones, cron expressions, colours, URLs.
Then a sequence of use cases runs with hostile text on the memory store and on Postgres:
whatever happens, the only exceptions are ``DomainError``\\ s, and afterwards the credit
ledger still balances.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import create_async_engine

import rabbit.application.use_cases as use_cases_package
from rabbit.application.ports import UnitOfWorkFactory
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases.brands import CreateBrand
from rabbit.application.use_cases.materials import UploadMaterial
from rabbit.application.use_cases.organizations import CreateOrganization, RegisterUser
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.domain.enums import MaterialType, SocialPlatform
from rabbit.domain.errors import DomainError, ValidationError
from rabbit_memory import MemoryUnitOfWorkFactory
from use_cases.app import App
from use_cases.conftest import EmptyPostgresStore
from use_cases.content_support import Content

from .conftest import build_app


def all_commands() -> list[type[Command]]:
    found: dict[str, type[Command]] = {}
    for module_info in pkgutil.iter_modules(use_cases_package.__path__):
        module = importlib.import_module(f"{use_cases_package.__name__}.{module_info.name}")
        for _, member in inspect.getmembers(module, inspect.isclass):
            if issubclass(member, Command) and member is not Command:
                found[f"{member.__module__}.{member.__qualname__}"] = member
    return [found[name] for name in sorted(found)]


COMMANDS = all_commands()

SPECIAL = [
    "",
    " ",
    "\x00",
    "name\x00",
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "$1",
    "%s%s%n",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "Mars/Olympus_Mons",
    "../../etc/passwd",
    "25:61",
    "*/5 * * * *",
    "0 0 31 2 *",
    "#GGGGGG",
    "#12345",
    "rgb(1,2,3)",
    "javascript:alert(1)",
    "http://",
    "ftp://example.com/x",
    "http://[::1",
    "\u202eevil",
    "🐇" * 30,
    "NaN",
    "-1",
    "1e309",
]
TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(SPECIAL),
    st.integers(min_value=5_000, max_value=200_000).map(lambda n: "x" * n),
)
VALUE = st.one_of(
    TEXT,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(),
    st.lists(TEXT, max_size=3),
    st.dictionaries(TEXT, TEXT, max_size=2),
)


def mapping_for(command: type[Command]) -> st.SearchStrategy[dict[str, Any]]:
    fields = dict.fromkeys(command.model_fields, VALUE)
    return st.fixed_dictionaries({}, optional={**fields, "unexpected": VALUE})


def test_the_walk_finds_the_commands() -> None:
    names = {command.__name__ for command in COMMANDS}
    assert {"CreateBrand", "CreateSchedule", "UploadMaterial", "RecordMetrics"} <= names


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_command_parsing_raises_only_domain_errors(
    command: type[Command], data: st.DataObject
) -> None:
    payload = data.draw(mapping_for(command))
    try:
        parsed: Command | None = command.parse(payload)
    except DomainError:  # any other exception fails the test
        parsed = None
    assert parsed is None or isinstance(parsed, command)


def text_fields(command: type[Command]) -> list[str]:
    return [name for name, info in command.model_fields.items() if "str" in repr(info.annotation)]


COMMANDS_WITH_TEXT = [command for command in COMMANDS if text_fields(command)]


@pytest.mark.parametrize("command", COMMANDS_WITH_TEXT, ids=lambda command: command.__name__)
def test_a_nul_byte_is_a_validation_error_naming_the_field(command: type[Command]) -> None:
    field = text_fields(command)[0]
    with pytest.raises(ValidationError) as raised:
        command.parse({field: "bad\x00value"})
    assert raised.value.field == field


async def hostile_session(app: App, texts: list[str]) -> list[BaseException]:
    """Run a use-case sequence with hostile text; the non-domain exceptions raised."""
    leaked: list[BaseException] = []

    async def attempt(call: Callable[[], Any]) -> Any:
        try:
            return await call()
        except DomainError:
            return None
        except Exception as exc:  # a leak: recorded, the test fails on it
            leaked.append(exc)
            return None

    t = iter(texts)
    owner = await app.user("owner")
    await attempt(
        lambda: app.organizations.register_user(RegisterUser(email=next(t), name=next(t)))
    )
    org = await attempt(
        lambda: app.organizations.create_organization(
            owner, CreateOrganization(name=next(t), slug=next(t))
        )
    )
    if org is None:
        org_id, owner = await app.organization("safe")
    else:
        org_id = org.id
    brand = await attempt(
        lambda: app.brands.create_brand(
            owner, org_id, CreateBrand(name=next(t), personality=next(t))
        )
    )
    brand_id = brand.id if brand is not None else await app.brand(org_id, owner)
    content = Content(app)
    await attempt(
        lambda: content.materials.upload_material(
            owner,
            org_id,
            UploadMaterial(
                type=MaterialType.TEXT,
                brand_profile_id=brand_id,
                name=next(t),
                original_content=next(t),
                url=next(t),
            ),
        )
    )
    await attempt(
        lambda: content.schedules.create_schedule(
            owner,
            org_id,
            brand_id,
            CreateSchedule(platforms=(SocialPlatform.TWITTER,), times=(next(t),), timezone=next(t)),
        )
    )
    balance = await app.billing.balance(owner, org_id)
    ledger = await app.billing.ledger(owner, org_id, current_period_only=True)
    assert balance.credits_total - balance.credits_used == sum(row.amount for row in ledger)
    return leaked


TEXTS = st.lists(TEXT, min_size=12, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=TEXTS)
def test_use_cases_on_memory_raise_only_domain_errors(texts: list[str]) -> None:
    leaked = asyncio.run(hostile_session(build_app(MemoryUnitOfWorkFactory()), texts))
    assert leaked == []


@pytest.mark.postgres
def test_use_cases_on_postgres_raise_only_domain_errors(postgres_url: str) -> None:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(texts=TEXTS)
    def check(texts: list[str]) -> None:
        async def run() -> list[BaseException]:
            engine = create_async_engine(postgres_url)
            try:
                store: UnitOfWorkFactory = EmptyPostgresStore(engine)
                return await hostile_session(build_app(store), texts)
            finally:
                await engine.dispose()

        assert asyncio.run(run()) == []

    check()
