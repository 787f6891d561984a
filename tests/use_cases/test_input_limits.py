"""Input past what a field, a column or Python's own arithmetic can take is refused at the door
(ADR 0013): a ValidationError naming the field, the same on the memory store and on Postgres,
before any unit of work opens, so nothing is half written.

Cases: naive datetimes, deeply nested JSON, a cron step of thousands of digits,
``timedelta.max`` windows, integers past the column, texts and lists past their limit, and
error messages that quote only a short prefix of the input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from rabbit.application.context import Ports
from rabbit.application.ports import UnitOfWork, UnitOfWorkFactory
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases.brands import CreateBrand
from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.generation import GeneratePost
from rabbit.application.use_cases.materials import RecordAnalysis, UploadMaterial
from rabbit.application.use_cases.metrics import RecordMetrics
from rabbit.application.use_cases.schedules import CreateSchedule, UpdateSchedule
from rabbit.application.use_cases.social_accounts import ConnectAccount, RefreshedTokens
from rabbit.domain import limits
from rabbit.domain.enums import CreditAction, ExternalSourceType, MaterialType, SocialPlatform
from rabbit.domain.errors import ValidationError

from .app import App
from .content_support import World, world

NAIVE = datetime(2026, 3, 2, 9, 0)
GIB_2 = 2 * 1024**3


class CountingStore:
    """A store that counts the units of work opened through it."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self.inner = inner
        self.opened = 0

    def __call__(self) -> UnitOfWork:
        self.opened += 1
        return self.inner()


def counted(app: App) -> tuple[App, CountingStore]:
    """The same application over a store that counts units of work."""
    store = CountingStore(app.ports.uow)
    ports: Ports = dataclasses.replace(app.ports, uow=store)
    return App(ports, app.clock), store


async def refused(call: Callable[[], Any], store: CountingStore) -> ValidationError:
    """The ValidationError ``call`` raises, checking that it opened no unit of work."""
    before = store.opened
    with pytest.raises(ValidationError) as error:
        await call()
    assert store.opened == before, "a unit of work opened before the input was refused"
    return error.value


def deep(levels: int) -> dict[str, Any]:
    document: dict[str, Any] = {"leaf": "x"}
    for _ in range(levels):
        document = {"nested": document}
    return document


async def counted_world(app: App) -> tuple[World, CountingStore]:
    w = await world(app)
    counting, store = counted(app)
    return await world_on(counting, w), store


async def world_on(app: App, w: World) -> World:
    from .content_support import Content

    return World(Content(app), w.org, w.owner, w.brand)


# -- naive datetimes --------------------------------------------------------------------------


async def test_a_naive_now_is_refused_and_the_tick_still_runs_for_everyone(app: App) -> None:
    w, store = await counted_world(app)
    content = w.content
    for call, field in [
        (lambda: content.autopilot.tick(now=NAIVE), "now"),
        (lambda: content.publishing.publish_due(NAIVE), "now"),
        (lambda: content.expiry.expire_stale(NAIVE), "now"),
    ]:
        assert (await refused(call, store)).field == field
    await content.autopilot.tick(now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.mark.parametrize("value", [NAIVE, "2026-03-02T09:00:00"], ids=["datetime", "string"])
async def test_a_naive_datetime_in_a_command_is_refused_naming_the_field(
    app: App, value: object
) -> None:
    w = await world(app)
    material = await w.ready_material("Solar backpacks charge phones on hikes in the sun.")
    with pytest.raises(ValidationError) as error:
        GeneratePost.parse(
            {
                "material_id": material.id,
                "brand_profile_id": w.brand,
                "platforms": ["TWITTER"],
                "scheduled_for": value,
            }
        )
    assert error.value.field == "scheduled_for"
    with pytest.raises(ValidationError) as error:
        ConnectAccount.parse(
            {
                "platform": "TWITTER",
                "account_id": "tw-1",
                "account_name": "@tw",
                "access_token": "token",
                "token_expires_at": value,
            }
        )
    assert error.value.field == "token_expires_at"
    with pytest.raises(ValidationError) as error:
        RefreshedTokens(access_token="t", token_expires_at=value, expected_version=1)  # type: ignore[arg-type]
    assert error.value.field == "token_expires_at"
    # nothing stored: the tick of every organisation still runs
    await w.content.autopilot.tick(now=datetime(2026, 3, 3, 9, 0, tzinfo=UTC))


async def test_a_datetime_near_the_end_of_time_is_refused(app: App) -> None:
    w, store = await counted_world(app)
    end = datetime.max.replace(tzinfo=UTC)
    assert (await refused(lambda: w.content.autopilot.tick(now=end), store)).field == "now"


# -- windows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("window", [timedelta.max, timedelta(days=-1), timedelta.min])
async def test_an_analytics_window_past_its_limit_is_refused(app: App, window: timedelta) -> None:
    w, store = await counted_world(app)
    analytics = w.content.analytics
    for call in [
        lambda: analytics.angle_performance(w.owner, w.org, w.brand, window=window),
        lambda: analytics.platform_performance(w.owner, w.org, window=window),
    ]:
        assert (await refused(call, store)).field == "window"
    assert await analytics.platform_performance(w.owner, w.org, window=limits.MAX_WINDOW) == []


# -- deep JSON --------------------------------------------------------------------------------


async def test_a_deeply_nested_connection_config_is_refused_naming_the_field(app: App) -> None:
    w = await world(app)
    for levels in (limits.MAX_DEPTH + 1, 100_000):
        with pytest.raises(ValidationError) as error:
            AddExternalSource.parse(
                {"type": "shopify", "name": "shop", "connection_config": deep(levels)}
            )
        assert error.value.field.startswith("connection_config")
    async with app.ports.uow() as uow:
        assert await uow.external_sources.find(w.org) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("platform_settings", {"TWITTER": deep(100_000)}),
        ("language_rules", deep(5_000)),
        ("content_pillars", [deep(5_000)]),
        ("example_posts", [deep(5_000)]),
    ],
)
def test_a_deeply_nested_brand_setting_is_refused_naming_the_field(
    field: str, value: object
) -> None:
    with pytest.raises(ValidationError) as error:
        CreateBrand.parse({"name": "b", field: value})
    assert error.value.field.startswith(field)


# -- cron -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    ["*/" + "9" * 5_000 + " * * * *", "9" * 5_000 + " * * * *", "*/" + "9" * 200 + " * * * *"],
)
async def test_a_cron_step_of_thousands_of_digits_is_refused(app: App, expression: str) -> None:
    w, store = await counted_world(app)

    async def add() -> object:
        command = AddExternalSource(
            type=ExternalSourceType.SHOPIFY, name="shop", crawl_frequency=expression
        )
        return await w.content.app.external_sources.add_external_source(
            w.owner, w.org, w.brand, command
        )

    error = await refused(add, store)
    assert error.field == "crawl_frequency"
    assert len(str(error)) < 200
    async with app.ports.uow() as uow:
        assert await uow.external_sources.find(w.org) == []


# -- integers ---------------------------------------------------------------------------------


async def test_a_2_gib_video_is_stored_with_its_size(app: App) -> None:
    w = await world(app)
    material = await w.content.materials.upload_material(
        w.owner,
        w.org,
        UploadMaterial(
            type=MaterialType.VIDEO,
            file_key="uploads/film.mp4",
            file_size=GIB_2,
            mime_type="video/mp4",
        ),
    )
    async with app.ports.uow() as uow:
        stored = await uow.materials.get(w.org, material.id)
    assert stored is not None
    assert stored.file_size == GIB_2


async def test_a_file_size_past_bigint_is_refused(app: App) -> None:
    with pytest.raises(ValidationError) as error:
        UploadMaterial.parse(
            {
                "type": "VIDEO",
                "file_key": "k",
                "file_size": limits.INT8_MAX + 1,
                "mime_type": "video/mp4",
            }
        )
    assert error.value.field == "file_size"


@pytest.mark.parametrize("likes", [limits.INT4_MAX + 1, limits.INT8_MAX + 1, 2**70])
def test_a_metric_past_integer_is_refused(likes: int) -> None:
    with pytest.raises(ValidationError) as error:
        RecordMetrics(likes=likes)
    assert error.value.field == "likes"
    assert RecordMetrics(likes=limits.INT4_MAX).likes == limits.INT4_MAX


@pytest.mark.parametrize(
    "amount", [limits.INT4_MAX + 1, -(2**40), 10**5000], ids=["int4+1", "-2^40", "10^5000"]
)
async def test_a_deduction_past_integer_is_refused(app: App, amount: int) -> None:
    w, store = await counted_world(app)
    call = w.content.app.payments.deduct_credits
    assert (await refused(lambda: call(w.org, amount, CreditAction.GENERATE), store)).field == (
        "amount"
    )
    ledger = await app.billing.ledger(w.owner, w.org)
    assert all(row.action is not CreditAction.GENERATE for row in ledger)


@pytest.mark.parametrize("day", [limits.INT4_MAX + 1, 2**70])
async def test_a_weekday_past_integer_is_refused(app: App, day: int) -> None:
    w, store = await counted_world(app)
    schedules = w.content.schedules
    schedule = await schedules.create_schedule(
        w.owner,
        w.org,
        w.brand,
        CreateSchedule(platforms=(SocialPlatform.TWITTER,), times=("09:00",)),
    )

    async def create() -> object:
        command = CreateSchedule.parse(
            {"platforms": ["TWITTER"], "times": ["10:00"], "days_of_week": [day]}
        )
        return await schedules.create_schedule(w.owner, w.org, w.brand, command)

    async def update() -> object:
        command = UpdateSchedule.parse({"days_of_week": [day]})
        return await schedules.update_schedule(w.owner, w.org, schedule.id, command)

    assert (await refused(create, store)).field.split(".")[0] == "days_of_week"
    assert (await refused(update, store)).field.split(".")[0] == "days_of_week"
    assert await schedules.list_schedules(w.owner, w.org) == [schedule]


# -- sizes ------------------------------------------------------------------------------------


def _bounded(model: type[BaseModel]) -> dict[str, int]:
    """``{field: max_length}`` of a model's fields that declare one."""
    found = {}
    for name, info in model.model_fields.items():
        for meta in info.metadata:
            maximum = getattr(meta, "max_length", None)
            if maximum is not None:
                found[name] = maximum
    return found


def _walk_commands() -> list[type[Command]]:
    import importlib
    import inspect
    import pkgutil

    import rabbit.application.use_cases as package

    found: dict[str, type[Command]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, member in inspect.getmembers(module, inspect.isclass):
            if issubclass(member, Command) and member is not Command:
                found[member.__qualname__] = member
    return [found[name] for name in sorted(found)]


COMMANDS = _walk_commands()


def _sized(annotation: object) -> bool:
    text = repr(annotation)
    return any(kind in text for kind in ("str", "tuple[", "dict[", "SecretStr"))


def _fits_by_type(annotation: object) -> bool:
    """Fields whose size is bounded by their type alone (enums, value objects)."""
    text = repr(annotation)
    return "Enum" in text or ("values." in text and "tuple[" not in text)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.__name__)
def test_every_text_and_list_field_of_a_command_has_a_maximum(command: type[Command]) -> None:
    bounded = _bounded(command)
    unbounded = [
        name
        for name, info in command.model_fields.items()
        if _sized(info.annotation) and name not in bounded and not _fits_by_type(info.annotation)
    ]
    assert unbounded == []


SIZE_CASES: list[tuple[type[Command], dict[str, Any], str, Callable[[int], Any], int]] = [
    (UploadMaterial, {"type": "TEXT"}, "original_content", "x".__mul__, limits.MAX_MATERIAL_TEXT),
    (RecordAnalysis, {"summary": "s"}, "keywords", lambda n: ["k"] * n, limits.MAX_WORDS),
    (RecordAnalysis, {"summary": "s"}, "summary", "x".__mul__, limits.MAX_TEXT),
    (CreateBrand, {}, "name", "x".__mul__, limits.MAX_NAME),
    (CreateBrand, {"name": "b"}, "personality", "x".__mul__, limits.MAX_TEXT),
    (CreateBrand, {"name": "b"}, "tone", lambda n: ["calm"] * n, limits.MAX_WORDS),
    (
        AddExternalSource,
        {"type": "custom", "name": "s"},
        "connection_config",
        lambda n: {"headers": {f"X-K{i}": "v" for i in range(n)}},
        limits.MAX_CONFIG_KEYS,
    ),
    (
        ConnectAccount,
        {"platform": "TWITTER", "account_id": "a", "account_name": "a"},
        "access_token",
        "t".__mul__,
        limits.MAX_SECRET,
    ),
]


@pytest.mark.parametrize(
    ("command", "base", "field", "make", "limit"),
    SIZE_CASES,
    ids=[f"{case[0].__name__}.{case[2]}" for case in SIZE_CASES],
)
def test_a_field_at_its_limit_is_accepted_and_one_past_refused(
    command: type[Command], base: dict[str, Any], field: str, make: Callable[[int], Any], limit: int
) -> None:
    command.parse({**base, field: make(limit)})
    with pytest.raises(ValidationError) as error:
        command.parse({**base, field: make(limit + 1)})
    assert error.value.field == field
    assert len(str(error.value)) < 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("keywords", ["k"] * 1_000_000),
        ("key_points", ["p"] * 1_000_000),
        ("summary", "x" * 10_000_000),
    ],
)
async def test_huge_analyses_are_refused_and_nothing_is_recorded(
    app: App, field: str, value: object
) -> None:
    w = await world(app)
    material = await w.content.materials.upload_material(
        w.owner, w.org, UploadMaterial(type=MaterialType.TEXT, original_content="hello")
    )
    await w.content.materials.start_analysis(w.owner, w.org, material.id)
    with pytest.raises(ValidationError) as error:
        RecordAnalysis.parse({"summary": "s", field: value})
    assert error.value.field == field
    async with app.ports.uow() as uow:
        stored = await uow.materials.get(w.org, material.id)
    assert stored is not None
    assert stored.keywords == () or not stored.keywords


async def test_200000_config_keys_are_refused(app: App) -> None:
    w = await world(app)
    with pytest.raises(ValidationError) as error:
        AddExternalSource.parse(
            {
                "type": "shopify",
                "name": "s",
                "connection_config": {f"k{i}": "v" for i in range(200_000)},
            }
        )
    assert error.value.field == "connection_config"
    async with app.ports.uow() as uow:
        assert await uow.external_sources.find(w.org) == []


async def test_a_long_id_or_description_argument_is_refused(app: App) -> None:
    w, store = await counted_world(app)
    long_id = "c" * (limits.MAX_ID + 1)
    brands = w.content.app.brands
    assert (await refused(lambda: brands.get_brand(w.owner, w.org, long_id), store)).field == (
        "brand_id"
    )
    billing = w.content.app.payments
    description = "d" * (limits.MAX_TEXT + 1)
    error = await refused(
        lambda: billing.deduct_credits(w.org, 1, CreditAction.GENERATE, description), store
    )
    assert error.field == "description"


# -- short quotes -----------------------------------------------------------------------------

PATTERN = "".join(chr(ord("a") + (i * 7) % 26) for i in range(20_000))


def _quotes_at_most_a_prefix(message: str, text: str) -> bool:
    return text[: limits.QUOTE_CHARS + 1] not in message


@pytest.mark.parametrize(
    ("command", "base", "field"),
    [
        (CreateSchedule, {"platforms": ["TWITTER"], "times": ["09:00"]}, "timezone"),
        (AddExternalSource, {"type": "shopify", "name": "s"}, "crawl_frequency"),
        (AddExternalSource, {"type": "shopify", "name": "s"}, "connection_config"),
        (CreateBrand, {"name": "b"}, "platform_settings"),
        (UploadMaterial, {"type": "TEXT"}, "mime_type"),
    ],
)
def test_an_error_quotes_at_most_a_short_prefix_of_the_input(
    command: type[Command], base: dict[str, Any], field: str
) -> None:
    """Each shape (a string, a list item, a mapping key) of a long hostile input, wherever
    the field accepts it."""
    shapes: list[object] = [PATTERN, [PATTERN], {PATTERN: PATTERN}, {PATTERN: 1}]
    for shape in shapes:
        with pytest.raises(ValidationError) as error:
            command.parse({**base, field: shape})
        assert _quotes_at_most_a_prefix(str(error.value), PATTERN), (field, type(shape))
        assert _quotes_at_most_a_prefix(error.value.field, PATTERN)


def test_domain_parsers_quote_at_most_a_short_prefix() -> None:
    from rabbit.domain.policies.cron import validate_cron
    from rabbit.domain.policies.scheduling import parse_days, parse_time, parse_timezone
    from rabbit.domain.policies.selection import rank

    for call in [
        lambda: validate_cron(PATTERN),
        lambda: validate_cron(f"{PATTERN} * * * *"),
        lambda: validate_cron(f"1-{PATTERN} * * * *"),
        lambda: parse_time(PATTERN),
        lambda: parse_timezone(PATTERN),
        lambda: rank(PATTERN, [], None),  # type: ignore[arg-type]
    ]:
        with pytest.raises(ValidationError) as error:
            call()
        assert _quotes_at_most_a_prefix(str(error.value), PATTERN)
    with pytest.raises(ValidationError) as error:
        parse_days([10**5000])
    assert len(str(error.value)) < 100


# -- nested value objects ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("language_rules", {"words_to_use": ["ok", "\ud800"]}, "language_rules.words_to_use.1"),
        (
            "example_posts",
            [{"platform": "TWITTER", "content": "a\udc00"}],
            "example_posts.0.content",
        ),
        ("content_pillars", [{"name": "\udfff", "percentage": 100}], "content_pillars.0.name"),
        (
            "platform_settings",
            {"TWITTER": {"custom_context_override": "\ud83d"}},
            "platform_settings.TWITTER.custom_context_override",
        ),
    ],
)
def test_a_lone_surrogate_inside_a_brand_setting_is_refused_naming_its_path(
    field: str, value: object, path: str
) -> None:
    with pytest.raises(ValidationError) as error:
        CreateBrand.parse({"name": "b", field: value})
    assert error.value.field == path


def test_value_objects_refuse_lone_surrogates_and_long_words_themselves() -> None:
    from rabbit.domain.values import LanguageRules, ShopifySourceConfig

    with pytest.raises(ValidationError) as error:
        LanguageRules.from_json({"words_to_avoid": ["\ud800"]})
    assert error.value.field == "words_to_avoid.0"
    with pytest.raises(ValidationError) as error:
        LanguageRules.from_json({"words_to_avoid": ["w" * (limits.MAX_WORD + 1)]})
    assert error.value.field.startswith("language_rules.words_to_avoid")
    with pytest.raises(ValidationError) as error:
        ShopifySourceConfig.from_json({"api_key": "\udfff"})
    assert error.value.field == "api_key"
    with pytest.raises(ValidationError):
        ShopifySourceConfig.from_json({"k0": "v"})  # undeclared
