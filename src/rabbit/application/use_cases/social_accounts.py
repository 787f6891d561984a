"""Connected social accounts: connect, disconnect, and what a refresh job reports.

Connecting proves ownership: the platform says whose the access token is (ADR 0018).
Tokens are encrypted, bound to their row and column (:func:`token_context`, ADR 0016),
before the entity that carries them is built, so nothing holds a plain token. Token changes
go through the compare-and-set on ``token_version``. :class:`AccountTokens` takes the
outcome of a refresh (system calls, no actor); a temporary refresh error is not reported.
Key rotation: :mod:`rabbit.application.use_cases.key_rotation`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, SecretStr

from rabbit.application.authorization import authorize
from rabbit.application.ports import (
    Clock,
    IdGenerator,
    Publisher,
    PublishUnknownError,
    SecretContext,
    TokenCipher,
    TokenRejectedError,
    UnitOfWork,
    UnitOfWorkFactory,
)
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases._lookups import existing_account
from rabbit.domain import limits
from rabbit.domain.enums import SocialAccountType, SocialPlatform
from rabbit.domain.errors import (
    ConflictError,
    NotFoundError,
    PlatformUnavailableError,
    ValidationError,
)
from rabbit.domain.model import SocialAccount
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.policies.pricing import check_account_limit
from rabbit.domain.values import PublicUrl


class ConnectAccount(Command):
    platform: SocialPlatform
    account_id: str = Field(min_length=1, max_length=limits.MAX_NAME)
    account_name: str = Field(min_length=1, max_length=limits.MAX_NAME)
    account_type: SocialAccountType | None = None
    profile_url: PublicUrl | None = Field(default=None, max_length=limits.MAX_URL)
    avatar_url: PublicUrl | None = Field(default=None, max_length=limits.MAX_URL)
    access_token: SecretStr = Field(min_length=1, max_length=limits.MAX_SECRET)
    refresh_token: SecretStr | None = Field(default=None, max_length=limits.MAX_SECRET)
    token_expires_at: datetime | None = None


class RefreshedTokens(Command):
    """What a successful refresh returned, and the token_version it started from."""

    access_token: SecretStr = Field(min_length=1, max_length=limits.MAX_SECRET)
    refresh_token: SecretStr | None = Field(default=None, max_length=limits.MAX_SECRET)
    token_expires_at: datetime | None = None
    expected_version: int = Field(ge=1, le=limits.INT4_MAX)


class SocialAccounts(UseCases):
    """The organisation's social accounts (MANAGE_BRANDS to change, VIEW_ANALYTICS to read)."""

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        cipher: TokenCipher,
        publisher: Publisher,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._cipher = cipher
        self._publisher = publisher

    async def connect_account(
        self, actor_id: str, organization_id: str, command: ConnectAccount
    ) -> SocialAccount:
        """Connect the platform account whose access token the command carries.

        The platform is asked whose token it is before anything is stored (outside any unit
        of work, ADR 0011; after a first check that the actor may connect accounts, so no
        one else can use this to test tokens): ValidationError(access_token) when the
        platform does not accept the token, ValidationError(account_id) when the token is
        another account's (ADR 0018). ConflictError(account_id) when that platform account
        is connected already; the message says so only when it is connected to this
        organisation. LimitExceededError when the tier's account limit is reached."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
        await self._check_owner(command)
        account = self._new_account(organization_id, command)
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            await _check_room_for(uow, account)
            try:
                await uow.social_accounts.add(account)
                await uow.commit()
            except ConflictError:
                # connected to another organisation: say nothing about it (nor chain the
                # store's error, whose message may name the row it met)
                raise ConflictError(
                    "social_account", "account_id", "this platform account cannot be added"
                ) from None
        return account

    def _new_account(self, organization_id: str, command: ConnectAccount) -> SocialAccount:
        """The account to store, its tokens encrypted and bound to its new id (ADR 0016)."""
        row_id = self._ids.new_id()  # before encrypting: the tokens are bound to it
        access_token = self._cipher.encrypt(
            command.access_token.get_secret_value(),
            token_context(organization_id, row_id, "access_token"),
        )
        refresh_token = _encrypt_optional(
            self._cipher,
            command.refresh_token,
            token_context(organization_id, row_id, "refresh_token"),
        )
        return SocialAccount.connected(
            id=row_id,
            organization_id=organization_id,
            platform=command.platform,
            account_id=command.account_id,
            account_name=command.account_name,
            account_type=command.account_type,
            profile_url=command.profile_url,
            avatar_url=command.avatar_url,
            access_token=access_token,
            refresh_token=refresh_token,
            token_expires_at=command.token_expires_at,
            now=self._clock.now(),
        )

    async def _check_owner(self, command: ConnectAccount) -> None:
        """ValidationError unless the platform says the token is ``command.account_id``'s;
        PlatformUnavailableError when the platform cannot be asked now."""
        try:
            owner = await self._publisher.account_of(
                command.platform, command.access_token.get_secret_value()
            )
        except TokenRejectedError:
            raise ValidationError(
                "access_token", "the platform does not accept this token"
            ) from None
        except PublishUnknownError:
            raise PlatformUnavailableError(command.platform.value) from None
        if owner != command.account_id:
            raise ValidationError("account_id", "is not the account the access token belongs to")

    async def disconnect_account(
        self, actor_id: str, organization_id: str, account_id: str
    ) -> None:
        """Soft delete and deactivate; the platform account may be connected again later."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.MANAGE_BRANDS)
            account = await existing_account(uow, organization_id, account_id, for_update=True)
            account.disconnect(self._clock.now())
            await uow.social_accounts.update(account)
            await uow.commit()

    async def list_accounts(
        self, actor_id: str, organization_id: str, *, include_deleted: bool = False
    ) -> list[SocialAccount]:
        """Accounts by created_at (tokens stay encrypted and out of reprs)."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            return await uow.social_accounts.find(organization_id, include_deleted=include_deleted)


class AccountTokens(UseCases):
    """What a refresh job reports about an account's tokens (system calls, no actor: on
    :class:`~rabbit.application.system.RabbitSystem`, never on the member facade)."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, cipher: TokenCipher) -> None:
        self._uow = uow
        self._clock = clock
        self._cipher = cipher

    async def record_token_refresh(
        self, organization_id: str, account_id: str, command: RefreshedTokens
    ) -> SocialAccount:
        """Store refreshed tokens if nobody changed them since ``expected_version``.

        ConflictError(token_version) when a newer token was stored meanwhile: that newer
        token survives, and the caller should use it rather than retry.
        """
        cipher = self._cipher
        access_token = cipher.encrypt(
            command.access_token.get_secret_value(),
            token_context(organization_id, account_id, "access_token"),
        )
        refresh_token = _encrypt_optional(
            cipher,
            command.refresh_token,
            token_context(organization_id, account_id, "refresh_token"),
        )
        async with self._uow() as uow:
            account = await existing_account(uow, organization_id, account_id)
            account.refresh_tokens(
                access_token,
                refresh_token,
                command.token_expires_at,
                from_version=command.expected_version,
                now=self._clock.now(),
            )
            stored = await uow.social_accounts.update_tokens_if_version(
                account, command.expected_version
            )
            if not stored:
                raise ConflictError(
                    "social_account", "token_version", "the tokens changed since this refresh"
                )
            await uow.commit()
        return account

    async def record_refresh_rejected(self, organization_id: str, account_id: str) -> None:
        """The platform definitely refused the refresh token: deactivate the account until it
        is reconnected (it can no longer publish)."""
        async with self._uow() as uow:
            account = await existing_account(uow, organization_id, account_id, for_update=True)
            account.deactivate(self._clock.now())
            await uow.social_accounts.update(account)
            await uow.commit()


async def _check_room_for(uow: UnitOfWork, account: SocialAccount) -> None:
    """ConflictError when the platform account is connected to this organisation already;
    LimitExceededError when its tier allows no more accounts. The subscription is locked,
    so two connections at once cannot both take the last place (ADR 0012)."""
    organization_id = account.organization_id
    subscription = await uow.subscriptions.get(organization_id, for_update=True)
    if subscription is None:
        raise NotFoundError("subscription", organization_id)
    live = await uow.social_accounts.find(organization_id)
    if any((a.platform, a.account_id) == (account.platform, account.account_id) for a in live):
        raise ConflictError(
            "social_account", "account_id", "already connected to this organisation"
        )
    check_account_limit(subscription.tier, await uow.social_accounts.count_live(organization_id))


def token_context(organization_id: str, account_id: str, column: str) -> SecretContext:
    """The place of a social account's ``access_token`` or ``refresh_token``."""
    return SecretContext("social_accounts", column, organization_id, account_id)


def _encrypt_optional(
    cipher: TokenCipher, value: SecretStr | None, context: SecretContext
) -> str | None:
    return None if value is None else cipher.encrypt(value.get_secret_value(), context)
