"""Users, organisations and members (docs/behaviour.md#organisations-and-members).

Creating an organisation makes its creator the OWNER and opens its trial subscription
(:mod:`rabbit.domain.policies.founding`); the bonus is booked as a SUBSCRIPTION ledger row.
Membership changes follow the rules of :mod:`rabbit.domain.policies.permissions` (an
organisation keeps an OWNER; only an OWNER grants, changes or removes an OWNER).

The owner-keeping rule counts a set of rows, so every change to an organisation's members
first locks the organisation's row (ADR 0012): two owners demoting or removing each other at
once run one after the other, and the second sees that it would leave no OWNER. A user who
deletes their account locks each organisation they own the same way, and is refused while
they are the last OWNER of any live one.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from rabbit.application.authorization import authorize, live_actor, live_organization
from rabbit.application.credits import Credits
from rabbit.application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from rabbit.application.read_models import MembershipView, UserView, view_of
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.domain import limits
from rabbit.domain.enums import MemberRole, PendingPostStatus
from rabbit.domain.errors import ConflictError, NotFoundError
from rabbit.domain.model import Organization, OrganizationMember, Schedule, User
from rabbit.domain.policies.founding import BONUS_DESCRIPTION, found_organization
from rabbit.domain.policies.identity import check_slug, normalise_email
from rabbit.domain.policies.permissions import (
    Permission,
    check_member_removal,
    check_role_change,
    require,
)
from rabbit.domain.values import PublicUrl


class RegisterUser(Command):
    # personal data: left out of the repr (ADR 0021)
    email: str = Field(min_length=3, max_length=limits.MAX_EMAIL, repr=False)
    name: str | None = Field(default=None, max_length=limits.MAX_NAME, repr=False)
    image: PublicUrl | None = Field(default=None, max_length=limits.MAX_URL, repr=False)


class CreateOrganization(Command):
    name: str = Field(min_length=1, max_length=limits.MAX_NAME)
    slug: str = Field(min_length=1, max_length=limits.MAX_SLUG)
    logo: PublicUrl | None = Field(default=None, max_length=limits.MAX_URL)


class InviteMember(Command):
    user_id: str = Field(min_length=1, max_length=limits.MAX_ID)
    role: MemberRole = MemberRole.MEMBER


class ChangeRole(Command):
    role: MemberRole


class Organizations(UseCases):
    """Register users, create organisations, manage members."""

    def __init__(
        self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, credits: Credits
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._credits = credits

    async def register_user(self, command: RegisterUser) -> User:
        """A new user; ConflictError(email) when the email (any case) is taken."""
        email = normalise_email(command.email)
        now = self._clock.now()
        async with self._uow() as uow:
            if await uow.users.get_by_email(email) is not None:
                raise ConflictError("user", "email", "is already registered")
            user = User.registered(
                id=self._ids.new_id(), email=email, name=command.name, image=command.image, now=now
            )
            await uow.users.add(user)
            await uow.commit()
        return user

    async def delete_user(self, actor_id: str) -> None:
        """The user deletes their own account (soft delete; purge removes it later).

        ConflictError(field ``role``) while they are the last joined OWNER of a live
        organisation: ownership must be handed over (or the organisation deleted) first."""
        async with self._uow() as uow:
            user = await live_actor(uow, actor_id, for_update=True)
            await self._check_not_last_owner(uow, actor_id)
            user.delete(self._clock.now())
            await uow.users.update(user)
            await uow.commit()

    async def create_organization(self, actor_id: str, command: CreateOrganization) -> Organization:
        """A new organisation owned by the actor, in its trial
        (:func:`~rabbit.domain.policies.founding.found_organization`).

        ConflictError(slug) when the slug is taken."""
        slug = check_slug(command.slug)
        now = self._clock.now()
        new_id = self._ids.new_id
        async with self._uow() as uow:
            # the actor's row is locked so that deleting the account cannot race this
            await live_actor(uow, actor_id, for_update=True)
            if await uow.organizations.get_by_slug(slug) is not None:
                raise ConflictError("organization", "slug", "is already taken")
            founded = found_organization(
                organization_id=new_id(),
                owner_membership_id=new_id(),
                subscription_id=new_id(),
                founder_id=actor_id,
                name=command.name,
                slug=slug,
                logo=command.logo,
                now=now,
            )
            await uow.organizations.add(founded.organization)
            await uow.members.add(founded.owner)
            await uow.subscriptions.add(founded.subscription)
            bonus = founded.subscription.credits_total
            await self._credits.open_period(uow, founded.subscription, bonus, BONUS_DESCRIPTION)
            await uow.commit()
        return founded.organization

    async def delete_organization(self, actor_id: str, organization_id: str) -> None:
        """Soft-delete the organisation (MANAGE_BILLING: its owners); purge removes it.

        From the commit on nothing works on its behalf (ADR 0014): no schedule is claimed,
        nothing is generated, charged or expired for it. Its active schedules are parked
        (``next_run_at`` null: out of the due index, and any slot a worker holds is lost);
        restore gives them their next slot again."""
        now = self._clock.now()
        async with self._uow() as uow:
            await authorize(
                uow, actor_id, organization_id, Permission.MANAGE_BILLING, lock_organization=True
            )
            organization = await live_organization(uow, organization_id)
            organization.delete(now)
            await uow.organizations.update(organization)
            for schedule in await self._active_schedules(uow, organization_id):
                schedule.park(now)
                await uow.schedules.update(schedule)
            await uow.commit()

    async def restore_organization(self, actor_id: str, organization_id: str) -> Organization:
        """Undo a soft delete; only a joined OWNER of the deleted organisation may.

        Work resumes where it stopped (ADR 0014): each active schedule's next run is its
        first slot after the restore (the slots that passed while deleted are not run, as
        after ``resume_schedule``); a PENDING post gets back the review time it had left
        when the organisation was deleted (``expires_at`` moved on by the time spent
        deleted); approved posts keep their ``scheduled_for`` and publish at the next tick
        when it has passed."""
        now = self._clock.now()
        async with self._uow() as uow:
            organization = await uow.organizations.get(
                organization_id, include_deleted=True, for_update=True
            )
            member = await uow.members.get(organization_id, actor_id)
            if organization is None or member is None or not member.has_joined:
                raise NotFoundError("organization", organization_id)
            await live_actor(uow, actor_id)
            require(member.role, Permission.MANAGE_BILLING, actor_id)
            deleted_at = organization.restore(now)
            await uow.organizations.update(organization)
            if deleted_at is not None:
                await self._resume(uow, organization_id, deleted_at, now)
            await uow.commit()
        return organization

    async def invite_member(
        self, actor_id: str, organization_id: str, command: InviteMember
    ) -> OrganizationMember:
        """An open invitation (joined_at None); only an OWNER invites an OWNER."""
        now = self._clock.now()
        async with self._uow() as uow:
            actor = await authorize(
                uow, actor_id, organization_id, Permission.MANAGE_MEMBERS, lock_organization=True
            )
            # An invitation grants its role: the same rule as raising a MEMBER to it.
            check_role_change(actor.role, MemberRole.MEMBER, command.role, 0, actor_id=actor_id)
            await self._live_user(uow, command.user_id)
            if await uow.members.get(organization_id, command.user_id) is not None:
                raise ConflictError("organization_member", "user_id", "is already a member")
            member = OrganizationMember.invited(
                id=self._ids.new_id(),
                organization_id=organization_id,
                user_id=command.user_id,
                role=command.role,
                now=now,
            )
            await uow.members.add(member)
            await uow.commit()
        return member

    async def get_me(self, actor_id: str) -> UserView:
        """The acting user's own account (NotFoundError("user") once it is deleted)."""
        async with self._uow() as uow:
            return view_of(UserView, await live_actor(uow, actor_id))

    async def list_my_organizations(self, actor_id: str) -> list[MembershipView]:
        """The organisations the actor belongs to or is invited to, by when the membership
        began; a soft-deleted one too (``deleted_at`` set: its OWNER may restore it)."""
        async with self._uow() as uow:
            await live_actor(uow, actor_id)
            found = []
            for member in await uow.members.list_for_user(actor_id):
                organization = await uow.organizations.get(
                    member.organization_id, include_deleted=True
                )
                if organization is not None:
                    found.append(MembershipView.of(member, organization))
            return found

    async def accept_invitation(self, actor_id: str, organization_id: str) -> OrganizationMember:
        """The invited user joins; NotFoundError when there is no open invitation for them."""
        async with self._uow() as uow:
            await live_actor(uow, actor_id)  # a deleted user is refused first, as everywhere
            organization = await uow.organizations.get(organization_id, for_update=True)
            member = await uow.members.get(organization_id, actor_id, for_update=True)
            if member is None or member.has_joined or organization is None:
                raise NotFoundError("invitation", organization_id)
            member.join(self._clock.now())
            await uow.members.update(member)
            await uow.commit()
        return member

    async def change_role(
        self, actor_id: str, organization_id: str, user_id: str, command: ChangeRole
    ) -> OrganizationMember:
        """Change a member's role under the owner-keeping rules."""
        async with self._uow() as uow:
            actor = await authorize(
                uow, actor_id, organization_id, Permission.MANAGE_MEMBERS, lock_organization=True
            )
            member = await self._member(uow, organization_id, user_id)
            owners = await self._owners_besides(uow, member)
            check_role_change(actor.role, member.role, command.role, owners, actor_id=actor_id)
            member.change_role(command.role)
            await uow.members.update(member)
            await uow.commit()
        return member

    async def remove_member(self, actor_id: str, organization_id: str, user_id: str) -> None:
        """Remove a member (or withdraw an invitation) under the owner-keeping rules."""
        async with self._uow() as uow:
            actor = await authorize(
                uow, actor_id, organization_id, Permission.MANAGE_MEMBERS, lock_organization=True
            )
            member = await self._member(uow, organization_id, user_id)
            owners = await self._owners_besides(uow, member)
            check_member_removal(actor.role, member.role, owners, actor_id=actor_id)
            await uow.members.remove(organization_id, user_id)
            await uow.commit()

    async def list_members(self, actor_id: str, organization_id: str) -> list[OrganizationMember]:
        """Members and open invitations, by created_at."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            return await uow.members.find(organization_id)

    async def _active_schedules(self, uow: UnitOfWork, organization_id: str) -> list[Schedule]:
        """The organisation's active schedules, each locked (after the organisation's row)."""
        locked = []
        for found in await uow.schedules.find(organization_id):
            if not found.is_active:
                continue
            schedule = await uow.schedules.get(organization_id, found.id, for_update=True)
            if schedule is not None and schedule.is_active:
                locked.append(schedule)
        return locked

    async def _resume(
        self, uow: UnitOfWork, organization_id: str, deleted_at: datetime, now: datetime
    ) -> None:
        """What a restore does to the work the deletion stopped (ADR 0014)."""
        for schedule in await self._active_schedules(uow, organization_id):
            schedule.advance_past(now)
            await uow.schedules.update(schedule)
        paused_for = now - deleted_at
        waiting = await uow.pending_posts.find(
            organization_id, statuses=[PendingPostStatus.PENDING]
        )
        for found in waiting:
            if found.expires_at is None or found.expires_at <= deleted_at:
                continue  # already past its review window when deleted: it expires now
            pending = await uow.pending_posts.get(organization_id, found.id, for_update=True)
            if pending is None or pending.expires_at is None:
                continue
            pending.extend_review(paused_for, now)
            await uow.pending_posts.update(pending)

    async def _live_user(self, uow: UnitOfWork, user_id: str) -> User:
        user = await uow.users.get(user_id)
        if user is None:
            raise NotFoundError("user", user_id)
        return user

    async def _check_not_last_owner(self, uow: UnitOfWork, user_id: str) -> None:
        """ConflictError(role) when the user is the only joined OWNER of a live organisation.

        Each such organisation's row is locked first (in id order, so that two deletions
        never wait on each other in a circle), as every membership change does."""
        memberships = await uow.members.list_for_user(user_id)
        owned = sorted(
            m.organization_id for m in memberships if m.role is MemberRole.OWNER and m.has_joined
        )
        for organization_id in owned:
            if await uow.organizations.get(organization_id, for_update=True) is None:
                continue  # a deleted organisation needs no owner until it is restored
            owners = await self._owners_besides(
                uow, await self._member(uow, organization_id, user_id)
            )
            if owners <= 1:
                raise ConflictError(
                    "user",
                    "role",
                    "is the last OWNER of an organisation: hand ownership over first",
                )

    async def _member(
        self, uow: UnitOfWork, organization_id: str, user_id: str
    ) -> OrganizationMember:
        member = await uow.members.get(organization_id, user_id, for_update=True)
        if member is None:
            raise NotFoundError("organization_member", user_id)
        return member

    async def _owners_besides(self, uow: UnitOfWork, target: OrganizationMember) -> int:
        """The OWNER count the owner-keeping rule judges a change of ``target`` against.

        Only joined OWNERs whose account is not deleted keep an organisation owned (a
        deleted user's membership stays until purge but acts for no one), so an open
        invitation as OWNER is counted as one extra: changing or withdrawing it never
        leaves the others ownerless. The target itself counts when it is joined.
        """
        members = await uow.members.find(target.organization_id)
        joined = 0
        for m in members:
            if m.role is not MemberRole.OWNER or not m.has_joined:
                continue
            if m.id == target.id or await uow.users.get(m.user_id) is not None:
                joined += 1
        return joined if target.has_joined else joined + 1
