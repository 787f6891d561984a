"""A deleted user is refused everywhere; the last OWNER cannot delete their account.

docs/behaviour.md#tenant-lifecycle: "A deleted user is refused by every use case; the last
OWNER of a live organisation cannot delete their account." The walk below calls every public
member use case of the facade (every method taking ``actor_id``, found by introspection as
``test_argument_checks.py`` does, so a use case added later is walked too) with a deleted
actor who is still an OWNER of the organisation, and expects NotFoundError("user") and not
one row changed.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from rabbit.application.context import Ports
from rabbit.application.facade import Rabbit
from rabbit.application.system import RabbitSystem
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases.billing import ChangeTier
from rabbit.application.use_cases.brands import CreateBrand, UpdateBrand
from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.generation import GeneratePost
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.materials import IngestMaterial, RecordAnalysis, UploadMaterial
from rabbit.application.use_cases.organizations import (
    ChangeRole,
    CreateOrganization,
    InviteMember,
)
from rabbit.application.use_cases.review import ApprovePost, RejectPost
from rabbit.application.use_cases.schedules import CreateSchedule, UpdateSchedule
from rabbit.application.use_cases.social_accounts import ConnectAccount
from rabbit.domain.enums import (
    ExternalSourceType,
    MaterialStrategy,
    MaterialType,
    MemberRole,
    SocialPlatform,
    SubscriptionTier,
)
from rabbit.domain.errors import ConflictError, NotFoundError
from rabbit_memory import MemoryUnitOfWorkFactory
from rabbit_postgres.schema import metadata
from rabbit_postgres.unit_of_work import PostgresUnitOfWorkFactory

from .app import App
from .content_support import TOPICS, X, world
from .facade_support import facade_methods


def member_use_cases(rabbit: Rabbit) -> Iterator[tuple[str, str, inspect.Signature]]:
    """``(area, method, signature)`` of every public facade method taking ``actor_id``."""
    for area, use_cases in vars(rabbit).items():
        if not isinstance(use_cases, UseCases):
            continue
        for name, method in inspect.getmembers(use_cases, inspect.iscoroutinefunction):
            signature = inspect.signature(method)
            if not name.startswith("_") and "actor_id" in signature.parameters:
                yield area, name, signature


async def stored_rows(app: App) -> object:
    """Every row of the store, for an "unchanged" comparison on either store."""
    factory = app.ports.uow
    if isinstance(factory, MemoryUnitOfWorkFactory):
        return {name: dict(rows) for name, rows in factory.database.tables.items()}
    assert isinstance(factory, PostgresUnitOfWorkFactory)
    async with factory.engine.connect() as connection:
        return {
            table.name: (
                await connection.execute(
                    text(f'SELECT CAST(t AS text) FROM "{table.name}" AS t ORDER BY 1')
                )
            )
            .scalars()
            .all()
            for table in metadata.sorted_tables
        }


async def test_a_deleted_owner_is_refused_by_every_member_use_case_and_changes_nothing(
    app: App,
) -> None:
    w = await world(app, auto_approve=False)
    co_owner = await app.member(w.org, w.owner, MemberRole.OWNER)
    outsider = await app.user("outsider")
    material = await w.ready_material(TOPICS[0])
    (pending,) = await w.generate(material)
    schedule = await w.content.schedules.create_schedule(
        w.owner, w.org, w.brand, CreateSchedule(platforms=(X,), times=("10:00",))
    )
    (account, *_) = await app.social_accounts.list_accounts(w.owner, w.org)
    await app.organizations.delete_user(w.owner)  # allowed: a co-owner remains
    ids = {
        "actor_id": w.owner,
        "organization_id": w.org,
        "user_id": co_owner,
        "brand_id": w.brand,
        "material_id": material.id,
        "schedule_id": schedule.id,
        "account_id": account.id,
        "pending_post_id": pending.id,
        "platform": X,
        "strategy": MaterialStrategy.ROUND_ROBIN,
    }
    commands: dict[str, Any] = {
        "ChangeRole": ChangeRole(role=MemberRole.MEMBER),
        "CreateOrganization": CreateOrganization(name="Other", slug="other"),
        "InviteMember": InviteMember(user_id=outsider),
        "ChangeTier": ChangeTier(tier=SubscriptionTier.GROWTH),
        "CreateBrand": CreateBrand(name="Another brand"),
        "UpdateBrand": UpdateBrand(name="Renamed"),
        "ConnectAccount": ConnectAccount(
            platform=SocialPlatform.LINKEDIN,
            account_id="fresh",
            account_name="@fresh",
            access_token="token-fresh",  # type: ignore[arg-type]
        ),
        "LinkAccount": LinkAccount(is_default=True),
        "AddExternalSource": AddExternalSource(type=ExternalSourceType.CUSTOM, name="feed"),
        "CreateSchedule": CreateSchedule(platforms=(X,), times=("11:00",)),
        "UpdateSchedule": UpdateSchedule(name="renamed"),
        "UploadMaterial": UploadMaterial(
            type=MaterialType.TEXT, name="more", original_content=TOPICS[1]
        ),
        "RecordAnalysis": RecordAnalysis(summary="s", key_points=("k",)),
        "IngestMaterial": IngestMaterial(
            upload=UploadMaterial(type=MaterialType.TEXT, original_content=TOPICS[1]),
            analysis=RecordAnalysis(summary="s"),
        ),
        "GeneratePost": GeneratePost(
            material_id=material.id, brand_profile_id=w.brand, platforms=(X,)
        ),
        "ApprovePost": ApprovePost(),
        "RejectPost": RejectPost(),
    }
    rabbit = Rabbit(app.ports)
    before = await stored_rows(app)
    walked = []
    for area, name, signature in member_use_cases(rabbit):
        arguments: dict[str, Any] = {}
        for parameter in signature.parameters.values():
            if parameter.name in ids:
                arguments[parameter.name] = ids[parameter.name]
            elif parameter.name == "command":
                arguments["command"] = commands[str(parameter.annotation)]
            else:
                assert parameter.default is not inspect.Parameter.empty, (area, name, parameter)
        method = getattr(getattr(rabbit, area), name)
        with pytest.raises(NotFoundError) as refused:
            await method(**arguments)
        assert (refused.value.entity, refused.value.entity_id) == ("user", w.owner), (area, name)
        walked.append(f"{area}.{name}")
    assert len(walked) >= 45  # every member use case, not a handful
    assert await stored_rows(app) == before
    # the co-owner still works: the refusal is the actor's, not the organisation's
    assert (await app.billing.balance(co_owner, w.org)).credits_remaining > 0


async def test_a_deleted_owner_holding_the_member_facade_cannot_touch_billing_tokens_or_metrics(
    app: App,
) -> None:
    """The attacker's view (ADR 0018): a deleted OWNER still holds the member facade and
    knows every id of their former organisation. No route reaches its billing, its accounts'
    tokens or its posts' metrics: the system operations are not on the facade, the facade
    hands out no ports, and every billing or account use case on it refuses the actor."""
    w = await world(app, auto_approve=True)
    co_owner = await app.member(w.org, w.owner, MemberRole.OWNER)
    material = await w.ready_material(TOPICS[0])
    await w.generate(material)
    await w.content.publishing.publish_due(app.clock.now())
    (account, *_) = await app.social_accounts.list_accounts(w.owner, w.org)
    await app.organizations.delete_user(w.owner)
    rabbit = Rabbit(app.ports)  # what the attacker holds
    before = await stored_rows(app)

    # no system operation under any area of the member facade, and no ports to go around it
    system_operations = {name for _, name, _ in facade_methods(RabbitSystem(app.ports))}
    assert {"change_tier", "top_up", "record_token_refresh", "record_metrics"} <= (
        system_operations
    )
    for area in vars(rabbit).values():
        for name in system_operations:
            assert not hasattr(area, name), (type(area).__name__, name)
    assert not hasattr(rabbit, "ports")
    assert not any(
        isinstance(value, Ports | MemoryUnitOfWorkFactory | PostgresUnitOfWorkFactory)
        for value in vars(rabbit).values()
    )

    # every billing and account use case of the facade refuses the deleted actor, the
    # platform is not even asked about a token the attacker really holds
    token = app.platform.issue_token(SocialPlatform.LINKEDIN, "attacker-page")
    checks = app.platform.identity_checks
    attempts = [
        rabbit.billing.balance(w.owner, w.org),
        rabbit.billing.ledger(w.owner, w.org),
        rabbit.social_accounts.list_accounts(w.owner, w.org),
        rabbit.social_accounts.disconnect_account(w.owner, w.org, account.id),
        rabbit.social_accounts.connect_account(
            w.owner,
            w.org,
            ConnectAccount(
                platform=SocialPlatform.LINKEDIN,
                account_id="attacker-page",
                account_name="@attacker",
                access_token=token,  # type: ignore[arg-type]
            ),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(NotFoundError) as refused:
            await attempt
        assert (refused.value.entity, refused.value.entity_id) == ("user", w.owner)
    assert app.platform.identity_checks == checks
    assert await stored_rows(app) == before
    assert (await app.billing.balance(co_owner, w.org)).tier is SubscriptionTier.BUSINESS


async def test_the_sole_owner_cannot_delete_their_account(app: App) -> None:
    org, owner = await app.organization()
    await app.member(org, owner, MemberRole.ADMIN)  # an ADMIN does not keep it owned
    with pytest.raises(ConflictError) as refused:
        await app.organizations.delete_user(owner)
    assert refused.value.field == "role"
    assert len(await app.organizations.list_members(owner, org)) == 2  # still works


async def test_an_owner_with_a_co_owner_can_delete_their_account(app: App) -> None:
    org, owner = await app.organization()
    co_owner = await app.member(org, owner, MemberRole.OWNER)
    await app.organizations.delete_user(owner)
    with pytest.raises(NotFoundError) as refused:
        await app.organizations.list_members(owner, org)
    assert refused.value.entity == "user"
    # the co-owner is now the last OWNER and is held to the rule in turn
    with pytest.raises(ConflictError) as last:
        await app.organizations.delete_user(co_owner)
    assert last.value.field == "role"


async def test_the_owner_of_a_deleted_organisation_can_delete_their_account(app: App) -> None:
    """A deleted organisation needs no owner until it is restored; one they still own live
    holds them back."""
    kept, owner = await app.organization("kept")
    gone = await app.organizations.create_organization(
        owner, CreateOrganization(name="Gone", slug="gone")
    )
    await app.organizations.delete_organization(owner, gone.id)
    with pytest.raises(ConflictError):
        await app.organizations.delete_user(owner)  # still the last OWNER of "kept"
    await app.organizations.delete_organization(owner, kept)
    await app.organizations.delete_user(owner)
    with pytest.raises(NotFoundError) as refused:
        await app.organizations.restore_organization(owner, gone.id)
    assert refused.value.entity == "user"
