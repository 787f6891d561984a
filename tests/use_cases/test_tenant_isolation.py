"""Tenant isolation: no use case returns, changes or reveals another organisation's data.

Random operations by members of several organisations, aimed at their own records or at
another organisation's (through their own organisation id or the other one). Whatever is
aimed at another organisation fails as "not found", its message reveals nothing of that
organisation, and that organisation's data is unchanged afterwards.

Then every method of the facade, found by introspection (a method added later is walked
too, or the test asks for it to be classified): each place it takes an organisation's
record id is given the other organisation's, and its stored rows are compared before and
after.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases.billing import ChangeTier
from rabbit.application.use_cases.brands import CreateBrand, UpdateBrand
from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.generation import GeneratePost
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.materials import IngestMaterial, RecordAnalysis, UploadMaterial
from rabbit.application.use_cases.metrics import RecordMetrics
from rabbit.application.use_cases.organizations import ChangeRole, InviteMember
from rabbit.application.use_cases.review import ApprovePost, RejectPost
from rabbit.application.use_cases.schedules import CreateSchedule, UpdateSchedule
from rabbit.application.use_cases.social_accounts import ConnectAccount, RefreshedTokens
from rabbit.domain.enums import (
    CreditAction,
    ExternalSourceType,
    MaterialStrategy,
    MaterialType,
    MemberRole,
    SocialPlatform,
    SubscriptionTier,
)
from rabbit.domain.errors import DomainError, NotFoundError

from .app import App
from .content_support import TOPICS, X, world
from .facade_support import all_areas, area_methods
from .store_support import organization_rows

ORGS = 3
OPERATIONS = (
    "get_brand",
    "update_brand",
    "delete_brand",
    "restore_brand",
    "link",
    "unlink",
    "brand_accounts",
    "account_brands",
    "disconnect",
    "balance",
    "list_brands",
    "publishing_account",
)


@dataclass
class Tenant:
    org: str
    owner: str
    brand: str
    account: str
    secrets: tuple[str, ...]  # name, slug, brand name: what must never leak


async def tenants(app: App) -> list[Tenant]:
    result = []
    for i in range(ORGS):
        org, owner = await app.organization(f"tenant-{i}")
        brand = await app.brand(org, owner, f"Brand of tenant {i}")
        account = await app.account(org, owner, SocialPlatform.TWITTER, f"acct-{i}")
        secrets = (f"Tenant-{i}", f"tenant-{i}", f"Brand of tenant {i}", f"@acct-{i}")
        result.append(Tenant(org, owner, brand, account.id, secrets))
    return result


async def snapshot(app: App, t: Tenant) -> object:
    return (
        await app.brands.list_brands(t.owner, t.org, include_deleted=True),
        await app.social_accounts.list_accounts(t.owner, t.org, include_deleted=True),
        [
            (e.account.id, e.is_default)
            for e in await app.links.brand_accounts(t.owner, t.org, t.brand)
        ]
        if any(b.id == t.brand for b in await app.brands.list_brands(t.owner, t.org))
        else None,
        await app.billing.balance(t.owner, t.org),
        await app.billing.ledger(t.owner, t.org),
        await app.organizations.list_members(t.owner, t.org),
    )


async def run(app: App, op: str, actor: Tenant, org: str, target: Tenant) -> object:
    a, b, acc = actor.owner, target.brand, target.account
    match op:
        case "get_brand":
            return await app.brands.get_brand(a, org, b)
        case "update_brand":
            return await app.brands.update_brand(a, org, b, UpdateBrand(personality="x"))
        case "delete_brand":
            return await app.brands.delete_brand(a, org, b)
        case "restore_brand":
            return await app.brands.restore_brand(a, org, b)
        case "link":
            return await app.links.link_account(a, org, b, acc, LinkAccount(is_default=True))
        case "unlink":
            return await app.links.unlink_account(a, org, b, acc)
        case "brand_accounts":
            return await app.links.brand_accounts(a, org, b)
        case "account_brands":
            return await app.links.account_brands(a, org, acc)
        case "disconnect":
            return await app.social_accounts.disconnect_account(a, org, acc)
        case "balance":
            return await app.billing.balance(a, org)
        case "list_brands":
            return await app.brands.list_brands(a, org, include_deleted=True)
        case _:
            return await app.links.publishing_account(a, org, b, SocialPlatform.TWITTER)


steps = st.lists(
    st.tuples(
        st.sampled_from(OPERATIONS),
        st.integers(0, ORGS - 1),  # actor's tenant
        st.booleans(),  # through the target's organisation id instead of the actor's
        st.integers(0, ORGS - 1),  # the tenant whose records are aimed at
    ),
    min_size=1,
    max_size=15,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
async def test_no_use_case_crosses_an_organisation(
    make_app: Callable[[], App], steps: list[tuple[str, int, bool, int]]
) -> None:
    app = make_app()
    all_tenants = await tenants(app)
    for op, actor_index, through_target, target_index in steps:
        actor, target = all_tenants[actor_index], all_tenants[target_index]
        org = target.org if through_target else actor.org
        others = [t for t in all_tenants if t is not actor]
        before = [await snapshot(app, t) for t in others]
        try:
            result = await run(app, op, actor, org, target)
        except NotFoundError as error:
            message = str(error)
        else:
            assert target is actor or (op in {"balance", "list_brands"} and org == actor.org)
            message = repr(result)
        assert [await snapshot(app, t) for t in others] == before
        for other in others:
            assert other.org not in message or org == other.org
            assert not any(secret in message for secret in other.secrets)
            assert other.brand not in message or target is other
            assert other.account not in message or target is other


# --- every use-case method, found by introspection --------------------------------------

ENTITY_IDS = {
    "brand_id": "brand",
    "brand_profile_id": "brand",
    "material_id": "material",
    "schedule_id": "schedule",
    "account_id": "account",
    "pending_post_id": "pending",
    "post_id": "post",
    "related_post_id": "post",
    "source_id": "source",
    "user_id": "member",
}
"""A parameter or command field name -> the record of a :class:`Party` it names."""

NOT_ENTITY_FIELDS = {
    ("ConnectAccount", "account_id"): "the platform's own id of the account, not a rabbit id",
    ("InviteMember", "user_id"): "users are global: an organisation may invite any user",
}
"""Command fields named like an id that name no record of an organisation, and why."""

UNCHECKED_REFERENCES = {
    "related_post_id": "deduct_credits records it as given, never reads it (the ledger has no"
    " foreign key: it outlives purged posts); B must stay unchanged all the same",
}
"""Id parameters stored as given and never looked up: any answer, but B unchanged."""

EXEMPT = {
    "register_user": "no organisation",
    "create_organization": "makes a new organisation; names no record of another",
    "delete_user": "acts on the actor's own user only",
    "get_me": "reads the actor's own user only",
    "list_my_organizations": "reads the actor's own memberships only",
    **dict.fromkeys(
        ("renew_period", "top_up", "change_tier", "payment_failed", "payment_recovered", "cancel"),
        "a payment provider's report on the organisation it is given; names no record",
    ),
    "rotate_token_keys": "a system call over the organisations an operator names",
    "purge": "a system call over the organisations an operator names",
    "expire_stale": "a system call over every organisation; no organisation id",
    "publish_due": "a system call over every organisation; no organisation id",
    "tick": "a system call over every organisation; no organisation id",
    "check_fingerprints": "a start check of the token keys; no organisation's data",
}
"""Methods that take neither an actor with an organisation id nor an organisation id with a
record's id, and why (the walk checks that this list is exactly those)."""


NOT_RECORD_IDS = {"actor_id", "organization_id", "organization_ids"}
"""Id parameters every call has (the actor, the organisation), or a system call's."""


@dataclass
class Party:
    """An organisation with one live record of every kind, in a state its use cases accept."""

    org: str
    owner: str
    member: str
    brand: str
    account: str
    material: str
    schedule: str
    pending: str
    post: str
    source: str


async def party(app: App, slug: str, topics: tuple[str, str]) -> Party:
    w = await world(app, slug=slug)
    content = w.content
    member = await app.member(w.org, w.owner, MemberRole.MEMBER)
    await w.generate(await w.ready_material(topics[0]))  # auto-approved, then published
    await content.publishing.publish_due(app.clock.now())
    app.tick()
    async with app.ports.uow() as uow:
        [post] = await uow.posts.find(w.org)
    await app.brands.update_brand(w.owner, w.org, w.brand, UpdateBrand(auto_approve=False))
    material = await w.ready_material(topics[1])
    [pending] = await w.generate(material)  # PENDING review
    schedule = await content.schedules.create_schedule(
        w.owner, w.org, w.brand, CreateSchedule(platforms=(X,), times=("09:00",))
    )
    accounts = await app.social_accounts.list_accounts(w.owner, w.org)
    source = await app.external_sources.add_external_source(
        w.owner, w.org, w.brand, AddExternalSource(type=ExternalSourceType.CUSTOM, name="S")
    )
    return Party(
        org=w.org,
        owner=w.owner,
        member=member,
        brand=w.brand,
        account=accounts[0].id,
        material=material.id,
        schedule=schedule.id,
        pending=pending.id,
        post=post.id,
        source=source.id,
    )


def command_class(annotation: object) -> type[Command] | None:
    """The Command subclass a parameter's (string) annotation names, if any."""
    name = str(annotation).removesuffix(" | None")
    pending: list[type[Command]] = [Command]
    while pending:
        cls = pending.pop()
        if cls.__name__ == name:
            return cls
        pending.extend(cls.__subclasses__())
    return None


COMMANDS: dict[str, Callable[[Party], Command]] = {
    "ApprovePost": lambda p: ApprovePost(),
    "RejectPost": lambda p: RejectPost(),
    "ChangeRole": lambda p: ChangeRole(role=MemberRole.VIEWER),
    "ChangeTier": lambda p: ChangeTier(tier=SubscriptionTier.GROWTH),
    "InviteMember": lambda p: InviteMember(user_id=p.member),
    "CreateBrand": lambda p: CreateBrand(name="Another"),
    "UpdateBrand": lambda p: UpdateBrand(personality="changed"),
    "ConnectAccount": lambda p: ConnectAccount(
        platform=SocialPlatform.REDDIT, account_id="r-1", account_name="r", access_token="t"
    ),
    "RefreshedTokens": lambda p: RefreshedTokens(access_token="new", expected_version=1),
    "LinkAccount": lambda p: LinkAccount(is_default=True),
    "AddExternalSource": lambda p: AddExternalSource(type=ExternalSourceType.CUSTOM, name="T"),
    "UploadMaterial": lambda p: UploadMaterial(
        type=MaterialType.TEXT, brand_profile_id=p.brand, original_content="x"
    ),
    "RecordAnalysis": lambda p: RecordAnalysis(summary="changed"),
    "IngestMaterial": lambda p: IngestMaterial(
        upload=UploadMaterial(
            type=MaterialType.TEXT, brand_profile_id=p.brand, original_content="x"
        ),
        analysis=RecordAnalysis(summary="changed"),
    ),
    "GeneratePost": lambda p: GeneratePost(
        material_id=p.material, brand_profile_id=p.brand, platforms=(X,)
    ),
    "CreateSchedule": lambda p: CreateSchedule(platforms=(X,), times=("10:00",)),
    "UpdateSchedule": lambda p: UpdateSchedule(times=("11:00",)),
    "RecordMetrics": lambda p: RecordMetrics(likes=5),
}
"""A valid command of each type, naming the records of the party given."""

OTHER_ARGUMENTS: dict[str, Callable[[App], object]] = {
    "platform": lambda app: X,
    "now": lambda app: app.clock.now(),
    "amount": lambda app: 1,
    "action": lambda app: CreditAction.GENERATE,
    "strategy": lambda app: MaterialStrategy.RANDOM,
}
"""Values for the other required parameters, by name."""


@dataclass(frozen=True)
class Slot:
    """Where a record's id goes in a call: a parameter, or a field of the command parameter."""

    parameter: str
    field: str | None = None

    @property
    def kind(self) -> str:
        return ENTITY_IDS[self.field or self.parameter]


@dataclass
class Method:
    area: str
    name: str
    signature: inspect.Signature

    @property
    def parameters(self) -> dict[str, inspect.Parameter]:
        return dict(self.signature.parameters)

    def slots(self) -> list[Slot]:
        """Every place this method takes the id of an organisation's record."""
        found = []
        for name, parameter in self.parameters.items():
            if name in ENTITY_IDS:
                found.append(Slot(name))
            elif name.endswith(("_id", "_ids")) and name not in NOT_RECORD_IDS:
                pytest.fail(f"{self.name}({name}): add the record it names to ENTITY_IDS")
            cls = command_class(parameter.annotation)
            if cls is not None:
                for field in cls.model_fields:
                    if (cls.__name__, field) in NOT_ENTITY_FIELDS:
                        continue
                    if field in ENTITY_IDS:
                        found.append(Slot(name, field))
                    elif field.endswith("_id"):
                        pytest.fail(f"{cls.__name__}.{field}: add it to ENTITY_IDS or exempt it")
        return found

    def is_filter(self, slot: Slot) -> bool:
        """An optional id parameter narrowing a listing (another's id finds nothing)."""
        return (
            slot.field is None
            and slot.parameter not in UNCHECKED_REFERENCES
            and self.parameters[slot.parameter].default is None
        )

    def arguments(
        self,
        app: App,
        actor: str,
        org: str,
        ids: Party,
        other: Slot | None = None,
        other_ids: Party | None = None,
    ) -> dict[str, Any]:
        """Arguments naming ``ids``'s records, except ``other`` naming ``other_ids``'s."""
        arguments: dict[str, Any] = {}
        for name, parameter in self.parameters.items():
            if name == "actor_id":
                arguments[name] = actor
            elif name == "organization_id":
                arguments[name] = org
            elif name in ENTITY_IDS:
                arguments[name] = getattr(ids, ENTITY_IDS[name])
            elif (cls := command_class(parameter.annotation)) is not None:
                if cls.__name__ not in COMMANDS:
                    pytest.fail(f"{self.name}: add a valid {cls.__name__} to COMMANDS")
                arguments[name] = COMMANDS[cls.__name__](ids)
            elif name in OTHER_ARGUMENTS:
                arguments[name] = OTHER_ARGUMENTS[name](app)
            elif parameter.default is inspect.Parameter.empty:
                pytest.fail(f"{self.name}({name}): add a value to OTHER_ARGUMENTS")
        if other is not None:
            assert other_ids is not None
            value = getattr(other_ids, other.kind)
            if other.field is None:
                arguments[other.parameter] = value
            else:
                command = arguments[other.parameter]
                arguments[other.parameter] = command.model_copy(update={other.field: value})
        return arguments


def walked_methods(app: App) -> list[Method]:
    return [Method(*found) for found in area_methods(all_areas(app.ports))]


async def outcome(app: App, method: Method, arguments: dict[str, Any]) -> object:
    call = getattr(all_areas(app.ports)[method.area], method.name)
    try:
        return await call(**arguments)
    except DomainError as error:
        return error


async def test_every_use_case_refuses_another_organisations_records(
    make_app: Callable[[], App],
) -> None:
    """Every method of the facade taking an organisation and a record's id, by an owner of
    A: through B's organisation id (with B's ids), and through A's own organisation id with
    one of B's ids at a time (the others A's, so that no other check answers first).

    Each answer is the one an unknown id gets — NotFoundError for a member's call naming a
    record; the same (empty) listing for a filter; a system call's "nothing to do" — and B's
    stored rows are as they were."""
    app = make_app()
    a = await party(app, "org-a", (TOPICS[0], TOPICS[1]))
    b = await party(app, "org-b", (TOPICS[2], TOPICS[3]))
    unknown = Party(*(f"unknown-{n}" for n in range(len(dataclasses.fields(Party)))))
    problems: list[str] = []
    walked: set[str] = set()
    for method in walked_methods(app):
        where = f"{method.area}.{method.name}"
        parameters = method.parameters
        calls: list[tuple[str, dict[str, Any], dict[str, Any] | None, Slot | None]] = []
        if {"actor_id", "organization_id"} <= set(parameters):
            through_b = method.arguments(app, a.owner, b.org, b)
            calls.append((f"{where} through B's organisation", through_b, None, None))
        if "organization_id" in parameters:
            for slot in method.slots():
                crossing = method.arguments(app, a.owner, a.org, a, slot, b)
                missing = method.arguments(app, a.owner, a.org, a, slot, unknown)
                how = f"{where} with B's {slot.kind} as {slot}"
                calls.append((how, crossing, missing, slot))
        if calls:
            walked.add(method.name)
        for how, arguments, missing, slot in calls:
            before = await organization_rows(app.ports, b.org)
            result = await outcome(app, method, arguments)
            changed = [
                t
                for t, rows in (await organization_rows(app.ports, b.org)).items()
                if rows != before[t]
            ]
            if changed:
                problems.append(f"{how}: changed B's {changed}")
            expected = (
                NotFoundError("?", "?") if missing is None else await outcome(app, method, missing)
            )
            if isinstance(expected, NotFoundError):
                if not isinstance(result, NotFoundError):
                    problems.append(f"{how}: {result!r} instead of NotFoundError")
            elif slot is not None and slot.field is None and slot.parameter in UNCHECKED_REFERENCES:
                pass
            elif "actor_id" in parameters and not (slot is not None and method.is_filter(slot)):
                problems.append(f"{how}: an unknown id gives {expected!r}, not NotFoundError")
            elif repr(result) != repr(expected):
                problems.append(f"{how}: {result!r}, but with an unknown id {expected!r}")
    assert problems == [], "\n".join(problems)
    every = {method.name for method in walked_methods(app)}
    assert every - walked == set(EXEMPT), "classify the new method: walked or EXEMPT"
