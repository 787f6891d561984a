"""Users, organisations and memberships."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rabbit.domain.enums import MemberRole
from rabbit.domain.policies.identity import normalise_email


@dataclass(kw_only=True, slots=True)
class User:
    """A person; global (not a tenant row). The email is stored lower-cased.

    The email, name and image are personal data: left out of the repr (ADR 0021)."""

    id: str
    email: str = field(repr=False)
    email_verified: bool = False
    name: str | None = field(default=None, repr=False)
    image: str | None = field(default=None, repr=False)
    deleted_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def registered(
        cls, *, id: str, email: str, name: str | None, image: str | None, now: datetime
    ) -> User:
        """A new user, not yet verified; the email is kept in its stored form
        (:func:`~rabbit.domain.policies.identity.normalise_email`), or ValidationError."""
        return cls(
            id=id,
            email=normalise_email(email),
            name=name,
            image=image,
            created_at=now,
            updated_at=now,
        )

    def delete(self, now: datetime) -> None:
        """Soft delete: the account acts for no one from now on; purge removes it later."""
        self.deleted_at = self.updated_at = now


@dataclass(kw_only=True, slots=True)
class Organization:
    """The billing unit and tenant: every other row belongs to one."""

    id: str
    name: str
    slug: str
    logo: str | None = None
    stripe_customer_id: str | None = None
    deleted_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def founded(
        cls, *, id: str, name: str, slug: str, logo: str | None, now: datetime
    ) -> Organization:
        """A new organisation; ``slug`` must already be checked
        (:func:`~rabbit.domain.policies.identity.check_slug`)."""
        return cls(id=id, name=name, slug=slug, logo=logo, created_at=now, updated_at=now)

    def delete(self, now: datetime) -> None:
        """Soft delete: nothing works on its behalf from now on (ADR 0014)."""
        self.deleted_at = self.updated_at = now

    def restore(self, now: datetime) -> datetime | None:
        """Undo a soft delete; when it had been deleted (None if it was not), so that the
        caller can resume the work the deletion stopped (ADR 0014)."""
        deleted_at = self.deleted_at
        self.deleted_at = None
        self.updated_at = now
        return deleted_at


@dataclass(kw_only=True, slots=True)
class OrganizationMember:
    """A user's role in an organisation; ``joined_at`` is None while the invitation is open."""

    id: str
    organization_id: str
    user_id: str
    role: MemberRole = MemberRole.MEMBER
    invited_at: datetime | None = None
    joined_at: datetime | None = None
    created_at: datetime

    @classmethod
    def founder(
        cls, *, id: str, organization_id: str, user_id: str, now: datetime
    ) -> OrganizationMember:
        """The creator of a new organisation: its OWNER, joined at once (no invitation)."""
        return cls(
            id=id,
            organization_id=organization_id,
            user_id=user_id,
            role=MemberRole.OWNER,
            joined_at=now,
            created_at=now,
        )

    @classmethod
    def invited(
        cls, *, id: str, organization_id: str, user_id: str, role: MemberRole, now: datetime
    ) -> OrganizationMember:
        """An open invitation to ``role``: not a member until :meth:`join`."""
        return cls(
            id=id,
            organization_id=organization_id,
            user_id=user_id,
            role=role,
            invited_at=now,
            created_at=now,
        )

    @property
    def has_joined(self) -> bool:
        return self.joined_at is not None

    def join(self, now: datetime) -> None:
        """The invited user accepts: a member from ``now`` on."""
        self.joined_at = now

    def change_role(self, role: MemberRole) -> None:
        """The new role; the owner-keeping rule
        (:func:`~rabbit.domain.policies.permissions.check_role_change`) is the caller's, as
        it counts the organisation's other members."""
        self.role = role
