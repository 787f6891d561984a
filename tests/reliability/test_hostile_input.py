"""Hostile input: only domain errors come out of the core, and the store stays consistent.

Every pydantic command of ``rabbit.application.use_cases`` (found by walking the package) is
parsed from hypothesis-generated mappings: huge strings, unicode, NUL bytes, lone
surrogates, injection strings, wrong types, out-of-range numbers, naive datetimes, deep
documents, bad timezones, cron expressions, colours, URLs.

Every public method of every area of both facades (``Rabbit``, ``RabbitSystem``) is walked
with lone surrogates (hypothesis' ``Cs`` category) in each id or string argument, naive
datetimes, overflowing windows and integers past ``integer`` in the others; every int field
of every command is driven past ``integer`` and ``bigint``. Each is a ValidationError naming
the parameter or field, on the memory store and on Postgres, raised before any unit of work
opens.

Then a sequence of use cases runs with hostile text on both stores: whatever happens, the
only exceptions are ``DomainError``\\ s, and afterwards the credit ledger of the
organisation, which was charged, still balances.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import create_async_engine

import rabbit.application.use_cases as use_cases_package
from rabbit.application.facade import Rabbit
from rabbit.application.ports import UnitOfWork, UnitOfWorkFactory
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases.brands import CreateBrand
from rabbit.application.use_cases.materials import UploadMaterial
from rabbit.application.use_cases.metrics import RecordMetrics
from rabbit.application.use_cases.organizations import CreateOrganization, RegisterUser
from rabbit.application.use_cases.schedules import CreateSchedule
from rabbit.domain import limits
from rabbit.domain.enums import CreditAction, MaterialType, SocialPlatform
from rabbit.domain.errors import DomainError, ValidationError
from rabbit_memory import MemoryUnitOfWorkFactory
from support.postgres import EmptyPostgresStore
from use_cases.app import App, build_app
from use_cases.content_support import Content


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
    "\ud800",
    "lone \udfff surrogate",
    "🐇" * 30,
    "NaN",
    "-1",
    "1e309",
]
SURROGATE = st.characters(categories=["Cs"])
WITH_SURROGATE = st.tuples(st.text(max_size=10), SURROGATE, st.text(max_size=10)).map("".join)
TEXT = st.one_of(
    st.text(max_size=30),
    WITH_SURROGATE,
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
    st.datetimes(timezones=st.just(UTC)),
    st.timedeltas(),
    st.lists(TEXT, max_size=3),
    st.dictionaries(TEXT, TEXT, max_size=2),
    st.integers(min_value=20, max_value=3_000).map(lambda levels: deep(levels)),
)


def deep(levels: int) -> Any:
    document: Any = "leaf"
    for level in range(levels):
        document = [document] if level % 2 else {"k": document}
    return document


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
    await attempt(lambda: app.payments.deduct_credits(org_id, 1, CreditAction.GENERATE, next(t)))
    await app.payments.deduct_credits(org_id, 2, CreditAction.GENERATE, "a charge that fits")
    balance = await app.billing.balance(owner, org_id)
    ledger = await app.billing.ledger(owner, org_id, current_period_only=True)
    charges = [row for row in ledger if row.amount < 0]
    assert charges, "the organisation was never charged: the ledger check would be vacuous"
    assert balance.credits_used >= 2
    assert balance.credits_total - balance.credits_used == sum(row.amount for row in ledger)
    return leaked


TEXTS = st.lists(TEXT, min_size=13, max_size=13)


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


# -- every method of the facade, every field of every command ---------------------------------


class CountingStore:
    """A store that counts the units of work opened through it."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self.inner = inner
        self.opened = 0

    def __call__(self) -> UnitOfWork:
        self.opened += 1
        return self.inner()


def facade_methods(
    *facades: Rabbit | RabbitSystem,
) -> Iterator[tuple[str, Callable[..., Any], inspect.Signature]]:
    for area, use_cases in (item for facade in facades for item in vars(facade).items()):
        if isinstance(use_cases, UseCases):
            for name, method in inspect.getmembers(use_cases, inspect.iscoroutinefunction):
                if not name.startswith("_"):
                    yield f"{area}.{name}", method, inspect.signature(method)


def hostile_argument(parameter: inspect.Parameter, text: str) -> Any:
    """A hostile value for ``parameter`` of the kind it takes, or None when it takes none
    that a store could not hold (a command, an enum, a flag)."""
    annotation = str(parameter.annotation)
    if parameter.name.endswith("_ids"):
        return [text]
    if parameter.name.endswith("_id") or "str" in annotation:
        return text
    if "datetime" in annotation:
        return datetime(2026, 3, 2, 9, 0)
    if "timedelta" in annotation:
        return timedelta.max
    if annotation == "int":
        return limits.INT4_MAX + 1
    return None


async def walk_facade(store: UnitOfWorkFactory, text: str) -> int:
    """Call every method of both facades once per hostile argument (the others None: the door
    refuses before the body runs); every call must be a ValidationError naming the argument,
    with no unit of work opened. The number of calls made."""
    counting = CountingStore(store)
    app = build_app(counting)
    ports = dataclasses.replace(app.ports, uow=counting)
    calls = 0
    for name, method, signature in facade_methods(Rabbit(ports), RabbitSystem(ports)):
        for parameter in signature.parameters.values():
            bad = hostile_argument(parameter, text)
            if bad is None:
                continue
            arguments: dict[str, Any] = dict.fromkeys(signature.parameters)
            arguments[parameter.name] = bad
            with pytest.raises(ValidationError) as error:
                await method(**arguments)
            assert error.value.field == parameter.name, name
            calls += 1
    assert counting.opened == 0
    return calls


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=WITH_SURROGATE)
def test_every_facade_method_refuses_lone_surrogates_on_memory(text: str) -> None:
    assert asyncio.run(walk_facade(MemoryUnitOfWorkFactory(), text)) > 80


@pytest.mark.postgres
def test_every_facade_method_refuses_lone_surrogates_on_postgres(postgres_url: str) -> None:
    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=WITH_SURROGATE)
    def check(text: str) -> None:
        async def run() -> int:
            engine = create_async_engine(postgres_url)
            try:
                return await walk_facade(EmptyPostgresStore(engine), text)
            finally:
                await engine.dispose()

        assert asyncio.run(run()) > 80

    check()


def string_fields(command: type[Command]) -> list[tuple[str, Any]]:
    """``(field, a value of its shape holding a lone surrogate)`` of every text field."""
    found = []
    for name, info in command.model_fields.items():
        annotation = repr(info.annotation)
        if "dict[" in annotation:
            found.append((name, {"key": "\ud800"}))
        elif "tuple[" in annotation and "str" in annotation:
            found.append((name, ["ok", "x\ud800y"]))
        elif "str" in annotation or "SecretStr" in annotation:
            found.append((name, "x\udfffy"))
    return found


STRING_FIELDS = [
    (command, name, value) for command in COMMANDS for name, value in string_fields(command)
]


@pytest.mark.parametrize(
    ("command", "field", "value"),
    STRING_FIELDS,
    ids=[f"{command.__name__}.{field}" for command, field, _ in STRING_FIELDS],
)
def test_a_lone_surrogate_in_any_text_field_is_a_validation_error_naming_it(
    command: type[Command], field: str, value: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        command.parse({field: value})
    assert error.value.field.split(".")[0] == field
    with pytest.raises(ValidationError) as error:
        command(**{field: value})
    assert error.value.field.split(".")[0] == field


def int_fields(command: type[Command]) -> list[str]:
    return [
        name
        for name, info in command.model_fields.items()
        if repr(info.annotation) in ("<class 'int'>", "int | None", "typing.Optional[int]")
    ]


BIGINT_FIELDS = {("UploadMaterial", "file_size")}
REQUIRED: dict[str, dict[str, Any]] = {  # the required fields that come before an int field
    "RefreshedTokens": {"access_token": "token"},
    "UploadMaterial": {"type": "VIDEO"},
}
INT_FIELDS = [(command, name) for command in COMMANDS for name in int_fields(command)]


def test_the_walk_finds_the_int_fields() -> None:
    found = {(command.__name__, name) for command, name in INT_FIELDS}
    assert {("RecordMetrics", "likes"), ("UploadMaterial", "file_size")} <= found
    assert ("CreateBrand", "approval_timeout") in found
    assert ("RefreshedTokens", "expected_version") in found


@pytest.mark.parametrize(
    ("command", "field"), INT_FIELDS, ids=[f"{c.__name__}.{f}" for c, f in INT_FIELDS]
)
def test_an_int_past_its_column_is_a_validation_error_naming_the_field(
    command: type[Command], field: str
) -> None:
    past = [limits.INT8_MAX + 1, -(limits.INT8_MAX + 2), 2**200]
    if (command.__name__, field) not in BIGINT_FIELDS:
        past += [limits.INT4_MAX + 1, -(limits.INT4_MAX + 2)]
    for value in past:
        with pytest.raises(ValidationError) as error:
            command.parse({**REQUIRED.get(command.__name__, {}), field: value})
        assert error.value.field == field, value
        assert len(str(error.value)) < 200


async def charge_past_integer(store: UnitOfWorkFactory) -> None:
    """Both stores refuse an amount and a metric past integer the same way, and take a
    2 GiB video."""
    counting = CountingStore(store)
    app = build_app(counting)
    org, owner = await app.organization("ints")
    content = Content(app)
    opened = counting.opened
    with pytest.raises(ValidationError) as error:
        await app.payments.deduct_credits(org, limits.INT4_MAX + 1, CreditAction.GENERATE)
    assert error.value.field == "amount"
    with pytest.raises(ValidationError) as error:
        await content.metrics.record_metrics(org, "post", RecordMetrics(clicks=2**31))
    assert error.value.field == "clicks"
    assert counting.opened == opened
    video = await content.materials.upload_material(
        owner,
        org,
        UploadMaterial(
            type=MaterialType.VIDEO, file_key="v.mp4", file_size=2 * 1024**3, mime_type="video/mp4"
        ),
    )
    async with app.ports.uow() as uow:
        stored = await uow.materials.get(org, video.id)
    assert stored is not None
    assert stored.file_size == 2 * 1024**3


def test_integers_past_the_column_on_memory() -> None:
    asyncio.run(charge_past_integer(MemoryUnitOfWorkFactory()))


@pytest.mark.postgres
def test_integers_past_the_column_on_postgres(postgres_url: str) -> None:
    async def run() -> None:
        engine = create_async_engine(postgres_url)
        try:
            await charge_past_integer(EmptyPostgresStore(engine))
        finally:
            await engine.dispose()

    asyncio.run(run())
