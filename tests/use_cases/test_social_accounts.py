"""Connecting accounts (ownership proved by the platform), token secrecy, refresh
compare-and-set, key rotation, limits."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from typing import Any

import pytest

from rabbit.application.ports import PublishUnknownError, UnitOfWork, UnitOfWorkFactory
from rabbit.application.use_cases.external_sources import AddExternalSource, decrypt_secret
from rabbit.application.use_cases.social_accounts import (
    ConnectAccount,
    RefreshedTokens,
    token_context,
)
from rabbit.domain.enums import ExternalSourceType, MemberRole, SocialPlatform, SubscriptionTier
from rabbit.domain.errors import (
    ConflictError,
    LimitExceededError,
    NotFoundError,
    PermissionDeniedError,
    PlatformUnavailableError,
    UnreadableSecretError,
    ValidationError,
)
from rabbit.domain.model import ExternalSource, SocialAccount
from rabbit_local.publisher import RecordingPublisher

from .app import App, cipher
from .store_support import overwrite_column


async def stored_account(app: App, organization_id: str, account_id: str) -> SocialAccount:
    async with app.ports.uow() as uow:
        account = await uow.social_accounts.get(organization_id, account_id, include_deleted=True)
    assert account is not None
    return account


def access_of(app: App, account: SocialAccount) -> str:
    """The plain access token of a stored account, decrypted at its own place."""
    context = token_context(account.organization_id, account.id, "access_token")
    return app.ports.cipher.decrypt(account.access_token, context)


def refresh_of(app: App, account: SocialAccount) -> str:
    assert account.refresh_token is not None
    context = token_context(account.organization_id, account.id, "refresh_token")
    return app.ports.cipher.decrypt(account.refresh_token, context)


async def test_tokens_are_stored_encrypted_and_decrypt_to_the_plain_ones(app: App) -> None:
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner, access_token="secret-access")
    stored = await stored_account(app, org_id, account.id)
    assert "secret-access" not in stored.access_token
    assert stored.refresh_token is not None
    assert "secret-access" not in stored.refresh_token
    assert access_of(app, stored) == "secret-access"
    assert refresh_of(app, stored) == "refresh-of-secret-access"


async def test_refuses_another_organisations_token_copied_into_an_account(app: App) -> None:
    org_a, owner_a = await app.organization("alpha")
    org_b, owner_b = await app.organization("beta")
    a = await app.account(org_a, owner_a, account_id="tw-a", access_token="token-of-A")
    b = await app.account(org_b, owner_b, account_id="tw-b", access_token="token-of-B")
    b_stored = await stored_account(app, org_b, b.id)
    await overwrite_column(
        app.ports, "social_accounts", a.id, "access_token", b_stored.access_token
    )

    a_stored = await stored_account(app, org_a, a.id)
    assert a_stored.access_token == b_stored.access_token  # the ciphertext did move
    with pytest.raises(UnreadableSecretError) as error:
        access_of(app, a_stored)
    assert (error.value.field, error.value.row_id) == ("social_accounts.access_token", a.id)
    assert error.value.reason == UnreadableSecretError.MOVED
    assert "token-of-B" not in str(error.value)
    assert b_stored.access_token not in str(error.value)
    assert access_of(app, b_stored) == "token-of-B"  # where it belongs it still reads


async def test_refuses_a_refresh_token_copied_into_the_access_token_column(app: App) -> None:
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner)
    stored = await stored_account(app, org_id, account.id)
    assert stored.refresh_token is not None
    await overwrite_column(
        app.ports, "social_accounts", account.id, "access_token", stored.refresh_token
    )
    with pytest.raises(UnreadableSecretError):
        access_of(app, await stored_account(app, org_id, account.id))


async def test_refuses_a_source_api_key_copied_into_an_access_token(app: App) -> None:
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner)
    await add_shop(app, org_id, owner, "shop-api-key")
    [source] = await stored_sources(app, org_id)
    api_key = source.connection_config.secrets()["api_key"]
    await overwrite_column(app.ports, "social_accounts", account.id, "access_token", api_key)

    with pytest.raises(UnreadableSecretError) as error:
        access_of(app, await stored_account(app, org_id, account.id))
    assert error.value.reason == UnreadableSecretError.MOVED
    assert decrypt_secret(app.ports.cipher, source, "api_key") == "shop-api-key"


async def test_tokens_never_reach_logs_reprs_or_errors(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner, access_token="tok-SENSITIVE-1")
    other_org, other_owner = await app.organization("other")
    app.platform.issue_token(SocialPlatform.TWITTER, "tw-1", "tok-SENSITIVE-2")
    command = ConnectAccount(
        platform=SocialPlatform.TWITTER,
        account_id="tw-1",
        account_name="dup",
        access_token="tok-SENSITIVE-2",
    )
    with pytest.raises(ConflictError) as error:
        await app.social_accounts.connect_account(other_owner, other_org, command)
    await app.account_tokens.record_token_refresh(
        org_id,
        account.id,
        RefreshedTokens(access_token="tok-SENSITIVE-3", expected_version=1),
    )
    seen = [caplog.text, repr(account), repr(command), str(error.value)]
    seen.append(repr(await app.social_accounts.list_accounts(owner, org_id)))
    assert not any("SENSITIVE" in text for text in seen)


async def test_the_same_platform_account_cannot_be_connected_twice(app: App) -> None:
    first_org, first_owner = await app.organization("first")
    second_org, second_owner = await app.organization("second")
    await app.account(first_org, first_owner, account_id="tw-9")
    with pytest.raises(ConflictError) as error:
        await app.account(second_org, second_owner, account_id="tw-9")
    assert error.value.field == "account_id"


async def test_a_disconnected_account_can_be_connected_again(app: App) -> None:
    org_id, owner = await app.organization()
    first = await app.account(org_id, owner)
    await app.social_accounts.disconnect_account(owner, org_id, first.id)
    stored = await stored_account(app, org_id, first.id)
    assert (stored.is_active, stored.deleted_at) == (False, app.clock.now())
    again = await app.account(org_id, owner)
    assert [a.id for a in await app.social_accounts.list_accounts(owner, org_id)] == [again.id]


async def test_the_tier_account_limit_holds(app: App) -> None:
    org_id, owner = await app.organization()
    await app.account(org_id, owner, account_id="a1")
    with pytest.raises(LimitExceededError) as error:  # FREE: one account
        await app.account(org_id, owner, account_id="a2")
    assert error.value.limit == 1
    await app.set_tier(org_id, SubscriptionTier.GROWTH)
    await app.account(org_id, owner, account_id="a2")
    await app.account(org_id, owner, account_id="a3")
    with pytest.raises(LimitExceededError):
        await app.account(org_id, owner, account_id="a4")
    assert len(await app.social_accounts.list_accounts(owner, org_id)) == 3


async def test_a_disconnected_account_frees_its_place_under_the_limit(app: App) -> None:
    org_id, owner = await app.organization()
    first = await app.account(org_id, owner, account_id="a1")
    await app.social_accounts.disconnect_account(owner, org_id, first.id)
    await app.account(org_id, owner, account_id="a2")


async def test_a_stale_refresh_loses_and_the_newer_token_survives(app: App) -> None:
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner)
    # Two refreshes both started from version 1; the faster one lands first.
    newer = await app.account_tokens.record_token_refresh(
        org_id, account.id, RefreshedTokens(access_token="newer", expected_version=1)
    )
    with pytest.raises(ConflictError) as error:
        await app.account_tokens.record_token_refresh(
            org_id, account.id, RefreshedTokens(access_token="older", expected_version=1)
        )
    assert error.value.field == "token_version"
    stored = await stored_account(app, org_id, account.id)
    assert stored.token_version == newer.token_version == 2
    assert access_of(app, stored) == "newer"


async def test_a_refresh_stores_the_new_expiry(app: App) -> None:
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner)
    expires = app.clock.now() + timedelta(hours=2)
    await app.account_tokens.record_token_refresh(
        org_id,
        account.id,
        RefreshedTokens(access_token="t2", token_expires_at=expires, expected_version=1),
    )
    assert (await stored_account(app, org_id, account.id)).token_expires_at == expires


async def test_a_definite_refresh_rejection_deactivates_the_account(app: App) -> None:
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner)
    await app.account_tokens.record_refresh_rejected(org_id, account.id)
    stored = await stored_account(app, org_id, account.id)
    assert (stored.is_active, stored.deleted_at) == (False, None)


async def add_shop(app: App, org_id: str, owner: str, api_key: str) -> None:
    """A brand with an external source whose ``api_key`` secret is ``api_key``."""
    brand_id = await app.brand(org_id, owner)
    await app.external_sources.add_external_source(
        owner,
        org_id,
        brand_id,
        AddExternalSource(
            type=ExternalSourceType.SHOPIFY,
            name="Shop",
            connection_config={"api_key": api_key, "api_version": "2025-01"},
        ),
    )


async def stored_sources(app: App, org_id: str) -> list[ExternalSource]:
    async with app.ports.uow() as uow:
        return await uow.external_sources.find(org_id)


async def stored_api_key(app: App, org_id: str) -> str:
    [source] = await stored_sources(app, org_id)
    return source.connection_config.secrets()["api_key"]


async def test_key_rotation_re_encrypts_every_secret_of_every_organization(app: App) -> None:
    org_id, owner = await app.organization()
    other_id, other_owner = await app.organization("globex")
    account = await app.account(org_id, owner, access_token="rotate-me")
    await app.account(other_id, other_owner, account_id="tw-2", access_token="me-too")
    await add_shop(app, org_id, owner, "shop-key")
    await add_shop(app, other_id, other_owner, "other-key")
    rotated = app.with_cipher(cipher(current="k2"))
    before = await stored_account(app, org_id, account.id)
    assert access_of(rotated, before) == "rotate-me"  # old key readable

    report = await rotated.rotation.rotate_token_keys()

    assert (report.accounts, report.sources, report.unreadable) == (2, 2, 0)
    after = await stored_account(app, org_id, account.id)
    assert after.refresh_token is not None
    assert {cipher().key_id_of(t) for t in (after.access_token, after.refresh_token)} == {"k2"}
    assert (access_of(rotated, after), refresh_of(rotated, after)) == (
        "rotate-me",
        "refresh-of-rotate-me",
    )
    for organization, secret in ((org_id, "shop-key"), (other_id, "other-key")):
        [source] = await stored_sources(app, organization)
        assert cipher().key_id_of(source.connection_config.secrets()["api_key"]) == "k2"
        assert decrypt_secret(rotated.ports.cipher, source, "api_key") == secret
    again = await rotated.rotation.rotate_token_keys()
    assert (again.accounts, again.sources) == (0, 0)


async def test_key_rotation_rebinds_each_value_to_its_own_place(app: App) -> None:
    """A rotated value is bound where it lives: copied to another account after the
    rotation, it does not decrypt there either."""
    org_id, owner = await app.organization()
    first = await app.account(org_id, owner, account_id="a1", access_token="first-token")
    await app.set_tier(org_id, SubscriptionTier.GROWTH)
    second = await app.account(org_id, owner, account_id="a2", access_token="second-token")
    rotated = app.with_cipher(cipher(current="k2"))
    assert (await rotated.rotation.rotate_token_keys()).accounts == 2

    first_stored = await stored_account(app, org_id, first.id)
    assert access_of(rotated, first_stored) == "first-token"
    await overwrite_column(
        app.ports, "social_accounts", second.id, "access_token", first_stored.access_token
    )
    with pytest.raises(UnreadableSecretError):
        access_of(rotated, await stored_account(app, org_id, second.id))


async def test_key_rotation_leaves_an_unreadable_value_and_rotates_the_rest(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    org_a, owner_a = await app.organization("alpha")
    org_b, owner_b = await app.organization("beta")
    a = await app.account(org_a, owner_a, account_id="tw-a", access_token="token-of-A")
    b = await app.account(org_b, owner_b, account_id="tw-b", access_token="token-of-B")
    moved = (await stored_account(app, org_b, b.id)).access_token
    await overwrite_column(app.ports, "social_accounts", a.id, "access_token", moved)
    rotated = app.with_cipher(cipher(current="k2"))

    report = await rotated.rotation.rotate_token_keys()

    assert (report.accounts, report.unreadable) == (2, 1)  # A's refresh token, B's tokens
    a_after = await stored_account(app, org_a, a.id)
    assert a_after.access_token == moved  # left as it was
    assert refresh_of(rotated, a_after) == "refresh-of-token-of-A"
    assert access_of(rotated, await stored_account(app, org_b, b.id)) == "token-of-B"
    assert a.id in caplog.text
    assert "token-of" not in caplog.text


async def test_key_rotation_scoped_to_organizations_leaves_other_sources_alone(
    app: App,
) -> None:
    org_id, owner = await app.organization()
    other_id, other_owner = await app.organization("globex")
    await add_shop(app, org_id, owner, "shop-key")
    await add_shop(app, other_id, other_owner, "other-key")
    rotated = app.with_cipher(cipher(current="k2"))

    report = await rotated.rotation.rotate_token_keys([org_id])

    assert report.sources == 1
    assert cipher().key_id_of(await stored_api_key(app, org_id)) == "k2"
    assert cipher().key_id_of(await stored_api_key(app, other_id)) == "k1"


async def test_a_viewer_cannot_connect_an_account(app: App) -> None:
    org_id, owner = await app.organization()
    viewer = await app.member(org_id, owner, MemberRole.VIEWER)
    with pytest.raises(PermissionDeniedError):
        await app.account(org_id, viewer)
    assert await app.social_accounts.list_accounts(owner, org_id) == []


async def test_another_organisations_account_is_not_found(app: App) -> None:
    org_id, owner = await app.organization("first")
    other_org, other_owner = await app.organization("second")
    account = await app.account(other_org, other_owner)
    with pytest.raises(NotFoundError):
        await app.social_accounts.disconnect_account(owner, org_id, account.id)


# --- connecting proves ownership (ADR 0018) ---------------------------------------------------


def connect(account_id: str, token: str) -> ConnectAccount:
    return ConnectAccount(
        platform=SocialPlatform.TWITTER,
        account_id=account_id,
        account_name=f"@{account_id}",
        access_token=token,  # type: ignore[arg-type]
    )


async def test_refuses_a_token_of_another_account(app: App) -> None:
    """A holds a real token, of its own account: it cannot connect B's account with it."""
    org_a, owner_a = await app.organization("alpha")
    own_token = app.platform.issue_token(SocialPlatform.TWITTER, "tw-alpha")
    with pytest.raises(ValidationError) as refused:
        await app.social_accounts.connect_account(owner_a, org_a, connect("tw-bravo", own_token))
    assert refused.value.field == "account_id"
    assert await app.social_accounts.list_accounts(owner_a, org_a) == []


async def test_refuses_a_token_the_platform_does_not_accept(app: App) -> None:
    org_id, owner = await app.organization()
    with pytest.raises(ValidationError) as refused:
        await app.social_accounts.connect_account(owner, org_id, connect("tw-1", "junk-token"))
    assert refused.value.field == "access_token"
    assert "junk" not in str(refused.value)
    assert await app.social_accounts.list_accounts(owner, org_id) == []


async def test_a_platform_that_cannot_be_asked_is_a_typed_retryable_error(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = app.platform.issue_token(SocialPlatform.TWITTER, "tw-1")

    async def unreachable(platform: SocialPlatform, access_token: str) -> str:
        raise PublishUnknownError("timed out")

    monkeypatch.setattr(app.platform, "account_of", unreachable)
    org_id, owner = await app.organization()
    with pytest.raises(PlatformUnavailableError) as refused:
        await app.social_accounts.connect_account(owner, org_id, connect("tw-1", token))
    assert refused.value.code == "platform_unavailable"
    assert token not in str(refused.value)
    assert await app.social_accounts.list_accounts(owner, org_id) == []


async def test_a_squatter_cannot_block_the_owner_of_an_account(app: App) -> None:
    """A connects B's (platform, account_id) with a junk token: refused, and B connects its
    own account afterwards."""
    org_a, owner_a = await app.organization("alpha")
    org_b, owner_b = await app.organization("bravo")
    with pytest.raises(ValidationError):
        await app.social_accounts.connect_account(owner_a, org_a, connect("tw-bravo", "junk"))
    account = await app.account(org_b, owner_b, account_id="tw-bravo")
    assert [a.id for a in await app.social_accounts.list_accounts(owner_b, org_b)] == [account.id]


async def test_the_conflict_for_another_organisations_account_does_not_mention_it(
    app: App,
) -> None:
    """Both organisations hold a valid token of the account (one person in both): the
    second is refused with the same error type as within one organisation, and a message
    that does not say the account is connected elsewhere."""
    org_a, owner_a = await app.organization("alpha")
    org_b, owner_b = await app.organization("bravo")
    await app.account(org_b, owner_b, account_id="tw-shared")
    token = app.platform.issue_token(SocialPlatform.TWITTER, "tw-shared")
    with pytest.raises(ConflictError) as elsewhere:
        await app.social_accounts.connect_account(owner_a, org_a, connect("tw-shared", token))
    with pytest.raises(ConflictError) as here:
        await app.social_accounts.connect_account(owner_b, org_b, connect("tw-shared", token))
    assert elsewhere.value.field == here.value.field == "account_id"
    assert "connected to this organisation" in str(here.value)
    message = str(elsewhere.value).lower()
    for revealing in ("connected", "already", "exists", "another", "other", "bravo", org_b):
        assert revealing.lower() not in message, revealing
    assert elsewhere.value.__cause__ is None
    assert elsewhere.value.__suppress_context__
    assert await app.social_accounts.list_accounts(owner_a, org_a) == []


async def test_only_a_member_who_may_connect_accounts_reaches_the_platform(app: App) -> None:
    """A non-member (or a VIEWER) is refused before the platform is asked, so no one can use
    connecting to test tokens."""
    org_id, owner = await app.organization()
    viewer = await app.member(org_id, owner, MemberRole.VIEWER)
    outsider = await app.user("outsider")
    token = app.platform.issue_token(SocialPlatform.TWITTER, "tw-1")
    before = app.platform.identity_checks
    with pytest.raises(PermissionDeniedError):
        await app.social_accounts.connect_account(viewer, org_id, connect("tw-1", token))
    with pytest.raises(NotFoundError):
        await app.social_accounts.connect_account(outsider, org_id, connect("tw-1", token))
    assert app.platform.identity_checks == before


async def test_the_platform_is_asked_outside_any_unit_of_work(app: App) -> None:
    """ADR 0011: no adapter call while a transaction is open."""
    tracking = TrackingStore(app.ports.uow)
    platform = AskingPlatform(tracking)
    tracked = App(dataclasses.replace(app.ports, uow=tracking, publisher=platform), app.clock)
    org_id, owner = await tracked.organization()
    await tracked.account(org_id, owner, account_id="tw-1")
    assert platform.open_during_calls == [0]


class TrackingStore:
    """A unit-of-work factory that counts the units of work open right now."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self.inner = inner
        self.open = 0

    def __call__(self) -> UnitOfWork:
        return _Tracked(self, self.inner())


class _Tracked:
    def __init__(self, store: TrackingStore, inner: UnitOfWork) -> None:
        self._store, self._inner = store, inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> UnitOfWork:
        await self._inner.__aenter__()
        self._store.open += 1
        return self._inner

    async def __aexit__(self, *exc: Any) -> None:
        self._store.open -= 1
        await self._inner.__aexit__(*exc)


class AskingPlatform(RecordingPublisher):
    def __init__(self, store: TrackingStore) -> None:
        super().__init__()
        self._store = store
        self.open_during_calls: list[int] = []

    async def account_of(self, platform: SocialPlatform, access_token: str) -> str:
        self.open_during_calls.append(self._store.open)
        return await super().account_of(platform, access_token)
