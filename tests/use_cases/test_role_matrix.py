"""Every role tries every member-facing use case: exactly the role table's permissions pass.

The table (docs/behaviour.md#roles-and-permissions): OWNER everything; ADMIN members,
brands, analytics; MEMBER brands and analytics; VIEWER analytics only; CREATE_CONTENT for
OWNER, ADMIN and MEMBER. A refused call raises PermissionDeniedError. The content use cases
(materials, generation, review, schedules, analytics) are in the matrix too, each called on
a record in the state it accepts (made by the owner first), so an allowed role's call
succeeds; and every member-facing method of the facade must be in the matrix or exempt with
a reason, so a new one is not forgotten.

MANAGE_BRANDS and CREATE_CONTENT are held by exactly the same roles, so no role can tell
them apart: swapping one for the other in a use case is invisible here (and harmless).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from rabbit.application.facade import Rabbit
from rabbit.application.use_cases.brands import CreateBrand, UpdateBrand
from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.generation import GeneratePost
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.materials import IngestMaterial, RecordAnalysis, UploadMaterial
from rabbit.application.use_cases.organizations import ChangeRole, InviteMember
from rabbit.application.use_cases.review import ApprovePost, RejectPost
from rabbit.application.use_cases.schedules import CreateSchedule, UpdateSchedule
from rabbit.domain.enums import (
    ExternalSourceType,
    MaterialStrategy,
    MaterialType,
    MemberRole,
    SocialPlatform,
    SubscriptionTier,
)
from rabbit.domain.errors import PermissionDeniedError
from rabbit.domain.policies.permissions import Permission

from .app import App
from .content_support import TOPICS, Content
from .facade_support import member_facing_methods


@dataclass
class Scene:
    app: App
    org: str
    owner: str
    actor: str
    brand: str
    account: str
    target: str  # a MEMBER the actor may act on

    @property
    def content(self) -> Content:
        return Content(self.app)


Call = Callable[[Scene], Awaitable[object]]


# records in the state each content use case accepts, made by the owner
async def _uploaded(s: Scene) -> str:
    material = await s.content.materials.upload_material(
        s.owner,
        s.org,
        UploadMaterial(
            type=MaterialType.TEXT, brand_profile_id=s.brand, original_content=TOPICS[0]
        ),
    )
    return material.id


async def _processing(s: Scene) -> str:
    material = await _uploaded(s)
    await s.content.materials.start_analysis(s.owner, s.org, material)
    return material


async def _analyzed(s: Scene) -> str:
    material = await _processing(s)
    await s.content.materials.record_analysis(
        s.owner, s.org, material, RecordAnalysis(summary=TOPICS[0])
    )
    return material


async def _ready(s: Scene) -> str:
    material = await _analyzed(s)
    await s.content.materials.store_embedding(s.owner, s.org, material)
    return material


async def _archived(s: Scene) -> str:
    material = await _ready(s)
    await s.content.materials.archive_material(s.owner, s.org, material)
    return material


async def _pending(s: Scene) -> str:
    await s.app.brands.update_brand(s.owner, s.org, s.brand, UpdateBrand(auto_approve=False))
    [pending] = await s.content.generations.generate_post(
        s.owner, s.org, _generate(await _ready(s), s.brand)
    )
    return pending.id


def _generate(material: str, brand: str) -> GeneratePost:
    return GeneratePost(
        material_id=material, brand_profile_id=brand, platforms=(SocialPlatform.TWITTER,)
    )


async def _schedule(s: Scene) -> str:
    schedule = await s.content.schedules.create_schedule(
        s.owner, s.org, s.brand, _create_schedule()
    )
    return schedule.id


def _create_schedule() -> CreateSchedule:
    return CreateSchedule(platforms=(SocialPlatform.TWITTER,), times=("09:00",))


async def _generate_post(s: Scene) -> object:
    material = await _ready(s)
    return await s.content.generations.generate_post(s.actor, s.org, _generate(material, s.brand))


async def _on_material(s: Scene, make: Callable[[Scene], Awaitable[str]], name: str) -> object:
    material = await make(s)
    return await getattr(s.content.materials, name)(s.actor, s.org, material)


async def _record_analysis(s: Scene) -> object:
    material = await _processing(s)
    return await s.content.materials.record_analysis(
        s.actor, s.org, material, RecordAnalysis(summary="analysed")
    )


async def _approve(s: Scene) -> object:
    pending = await _pending(s)
    return await s.content.review.approve(s.actor, s.org, pending, ApprovePost())


async def _reject(s: Scene) -> object:
    pending = await _pending(s)
    return await s.content.review.reject(s.actor, s.org, pending, RejectPost())


async def _update_schedule(s: Scene) -> object:
    schedule = await _schedule(s)
    return await s.content.schedules.update_schedule(
        s.actor, s.org, schedule, UpdateSchedule(times=("10:00",))
    )


async def _pause_schedule(s: Scene) -> object:
    schedule = await _schedule(s)
    return await s.content.schedules.pause_schedule(s.actor, s.org, schedule)


async def _uploaded_by_actor(s: Scene) -> object:
    return await _uploaded(Scene(s.app, s.org, s.actor, s.actor, s.brand, s.account, s.target))


async def _ingested_by_actor(s: Scene) -> object:
    return await s.content.materials.ingest_material(
        s.actor,
        s.org,
        IngestMaterial(
            upload=UploadMaterial(
                type=MaterialType.TEXT, brand_profile_id=s.brand, original_content=TOPICS[0]
            ),
            analysis=RecordAnalysis(summary=TOPICS[0]),
        ),
    )


async def _restore_organization(s: Scene) -> object:
    await s.app.organizations.delete_organization(s.owner, s.org)
    return await s.app.organizations.restore_organization(s.actor, s.org)


async def _resume_schedule(s: Scene) -> object:
    schedule = await _schedule(s)
    await s.content.schedules.pause_schedule(s.owner, s.org, schedule)
    return await s.content.schedules.resume_schedule(s.actor, s.org, schedule)


async def _invite(s: Scene) -> object:
    user = await s.app.user()
    return await s.app.organizations.invite_member(s.actor, s.org, InviteMember(user_id=user))


async def _on_pending(s: Scene, name: str) -> object:
    pending = await _pending(s)
    rabbit = Rabbit(s.app.ports)
    area = rabbit.review if name == "get_pending" else rabbit.posts
    return await getattr(area, name)(s.actor, s.org, pending)


async def _retry_publication(s: Scene) -> object:
    pending = await _pending(s)
    return await Rabbit(s.app.ports).posts.retry_publication(
        s.actor, s.org, pending, SocialPlatform.TWITTER
    )


USE_CASES: dict[str, tuple[Permission, Call]] = {
    "invite_member": (Permission.MANAGE_MEMBERS, _invite),
    "change_role": (
        Permission.MANAGE_MEMBERS,
        lambda s: s.app.organizations.change_role(
            s.actor, s.org, s.target, ChangeRole(role=MemberRole.VIEWER)
        ),
    ),
    "remove_member": (
        Permission.MANAGE_MEMBERS,
        lambda s: s.app.organizations.remove_member(s.actor, s.org, s.target),
    ),
    "delete_organization": (
        Permission.MANAGE_BILLING,
        lambda s: s.app.organizations.delete_organization(s.actor, s.org),
    ),
    "restore_organization": (Permission.MANAGE_BILLING, _restore_organization),
    "create_brand": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.brands.create_brand(s.actor, s.org, CreateBrand(name="B")),
    ),
    "update_brand": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.brands.update_brand(s.actor, s.org, s.brand, UpdateBrand(name="C")),
    ),
    "delete_brand": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.brands.delete_brand(s.actor, s.org, s.brand),
    ),
    "restore_brand": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.brands.restore_brand(s.actor, s.org, s.brand),
    ),
    "connect_account": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.account(s.org, s.actor, SocialPlatform.REDDIT, "r-1"),
    ),
    "disconnect_account": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.social_accounts.disconnect_account(s.actor, s.org, s.account),
    ),
    "link_account": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.links.link_account(
            s.actor, s.org, s.brand, s.account, LinkAccount(is_default=True)
        ),
    ),
    "unlink_account": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.links.unlink_account(s.actor, s.org, s.brand, s.account),
    ),
    "add_external_source": (
        Permission.MANAGE_BRANDS,
        lambda s: s.app.external_sources.add_external_source(
            s.actor, s.org, s.brand, AddExternalSource(type=ExternalSourceType.CUSTOM, name="S")
        ),
    ),
    "balance": (Permission.VIEW_ANALYTICS, lambda s: s.app.billing.balance(s.actor, s.org)),
    "ledger": (Permission.VIEW_ANALYTICS, lambda s: s.app.billing.ledger(s.actor, s.org)),
    "list_members": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.organizations.list_members(s.actor, s.org),
    ),
    "list_brands": (Permission.VIEW_ANALYTICS, lambda s: s.app.brands.list_brands(s.actor, s.org)),
    "get_brand": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.brands.get_brand(s.actor, s.org, s.brand),
    ),
    "list_accounts": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.social_accounts.list_accounts(s.actor, s.org),
    ),
    "brand_accounts": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.links.brand_accounts(s.actor, s.org, s.brand),
    ),
    "account_brands": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.links.account_brands(s.actor, s.org, s.account),
    ),
    "publishing_account": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.links.publishing_account(s.actor, s.org, s.brand, SocialPlatform.TWITTER),
    ),
    "list_external_sources": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.app.external_sources.list_external_sources(s.actor, s.org),
    ),
    # content: materials, generation, review, schedules, analytics
    "upload_material": (Permission.CREATE_CONTENT, _uploaded_by_actor),
    "ingest_material": (Permission.CREATE_CONTENT, _ingested_by_actor),
    "start_analysis": (
        Permission.CREATE_CONTENT,
        lambda s: _on_material(s, _uploaded, "start_analysis"),
    ),
    "fail_analysis": (
        Permission.CREATE_CONTENT,
        lambda s: _on_material(s, _processing, "fail_analysis"),
    ),
    "record_analysis": (Permission.CREATE_CONTENT, _record_analysis),
    "store_embedding": (
        Permission.CREATE_CONTENT,
        lambda s: _on_material(s, _analyzed, "store_embedding"),
    ),
    "archive_material": (
        Permission.CREATE_CONTENT,
        lambda s: _on_material(s, _ready, "archive_material"),
    ),
    "unarchive_material": (
        Permission.CREATE_CONTENT,
        lambda s: _on_material(s, _archived, "unarchive_material"),
    ),
    "select_material": (
        Permission.CREATE_CONTENT,
        lambda s: s.content.materials.select_material(
            s.actor, s.org, s.brand, MaterialStrategy.RANDOM
        ),
    ),
    "generate_post": (Permission.CREATE_CONTENT, _generate_post),
    "approve": (Permission.CREATE_CONTENT, _approve),
    "reject": (Permission.CREATE_CONTENT, _reject),
    "list_pending": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.content.review.list_pending(s.actor, s.org),
    ),
    "get_pending": (
        Permission.VIEW_ANALYTICS,
        lambda s: _on_pending(s, "get_pending"),
    ),
    "list_materials": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.content.materials.list_materials(s.actor, s.org),
    ),
    "list_published": (
        Permission.VIEW_ANALYTICS,
        lambda s: Rabbit(s.app.ports).posts.list_published(s.actor, s.org),
    ),
    "publish_attempts": (
        Permission.VIEW_ANALYTICS,
        lambda s: _on_pending(s, "publish_attempts"),
    ),
    "retry_publication": (Permission.CREATE_CONTENT, _retry_publication),
    "create_schedule": (
        Permission.MANAGE_BRANDS,
        lambda s: s.content.schedules.create_schedule(s.actor, s.org, s.brand, _create_schedule()),
    ),
    "update_schedule": (Permission.MANAGE_BRANDS, _update_schedule),
    "pause_schedule": (Permission.MANAGE_BRANDS, _pause_schedule),
    "resume_schedule": (Permission.MANAGE_BRANDS, _resume_schedule),
    "list_schedules": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.content.schedules.list_schedules(s.actor, s.org),
    ),
    "angle_performance": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.content.analytics.angle_performance(s.actor, s.org, s.brand),
    ),
    "platform_performance": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.content.analytics.platform_performance(s.actor, s.org),
    ),
    "dashboard": (
        Permission.VIEW_ANALYTICS,
        lambda s: s.content.analytics.dashboard(s.actor, s.org),
    ),
}

EXEMPT = {
    "accept_invitation": "needs an invitation, not a permission",
}
"""Member-facing methods outside the matrix, and why."""

SPEC: dict[MemberRole, set[Permission]] = {
    MemberRole.OWNER: set(Permission),
    MemberRole.ADMIN: {
        Permission.MANAGE_MEMBERS,
        Permission.MANAGE_BRANDS,
        Permission.VIEW_ANALYTICS,
        Permission.CREATE_CONTENT,
    },
    MemberRole.MEMBER: {
        Permission.MANAGE_BRANDS,
        Permission.VIEW_ANALYTICS,
        Permission.CREATE_CONTENT,
    },
    MemberRole.VIEWER: {Permission.VIEW_ANALYTICS},
}


async def scene(app: App, role: MemberRole) -> Scene:
    org, owner = await app.organization()
    await app.set_tier(org, SubscriptionTier.BUSINESS)
    actor = owner if role is MemberRole.OWNER else await app.member(org, owner, role)
    target = await app.member(org, owner, MemberRole.MEMBER)
    brand = await app.brand(org, owner)
    account = await app.account(org, owner)
    await app.links.link_account(owner, org, brand, account.id, LinkAccount())
    return Scene(app, org, owner, actor, brand, account.id, target)


@pytest.mark.parametrize("role", list(MemberRole))
@pytest.mark.parametrize("use_case", list(USE_CASES))
async def test_exactly_the_spec_permissions_pass(app: App, role: MemberRole, use_case: str) -> None:
    permission, call = USE_CASES[use_case]
    s = await scene(app, role)
    if permission in SPEC[role]:
        await call(s)
    else:
        with pytest.raises(PermissionDeniedError):
            await call(s)


def test_every_member_facing_use_case_is_in_the_matrix() -> None:
    assert member_facing_methods() - set(EXEMPT) == set(USE_CASES)
