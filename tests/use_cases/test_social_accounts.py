"""Connecting accounts, token secrecy, refresh compare-and-set, key rotation, limits."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from rabbit.application.use_cases.billing import ChangeTier
from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.social_accounts import ConnectAccount, RefreshedTokens
from rabbit.domain.enums import ExternalSourceType, MemberRole, SocialPlatform, SubscriptionTier
from rabbit.domain.errors import (
    ConflictError,
    LimitExceededError,
    NotFoundError,
    PermissionDeniedError,
)
from rabbit.domain.model import SocialAccount

from .app import App
from .conftest import cipher


async def stored_account(app: App, organization_id: str, account_id: str) -> SocialAccount:
    async with app.ports.uow() as uow:
        account = await uow.social_accounts.get(organization_id, account_id, include_deleted=True)
    assert account is not None
    return account


async def test_tokens_are_stored_encrypted_and_decrypt_to_the_plain_ones(app: App) -> None:
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner, access_token="secret-access")
    stored = await stored_account(app, org_id, account.id)
    assert "secret-access" not in stored.access_token
    assert stored.refresh_token is not None
    assert "secret-access" not in stored.refresh_token
    assert app.ports.cipher.decrypt(stored.access_token) == "secret-access"
    assert app.ports.cipher.decrypt(stored.refresh_token) == "refresh-of-secret-access"


async def test_tokens_never_reach_logs_reprs_or_errors(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner, access_token="tok-SENSITIVE-1")
    other_org, other_owner = await app.organization("other")
    command = ConnectAccount(
        platform=SocialPlatform.TWITTER,
        account_id="tw-1",
        account_name="dup",
        access_token="tok-SENSITIVE-2",
    )
    with pytest.raises(ConflictError) as error:
        await app.accounts.connect_account(other_owner, other_org, command)
    await app.tokens.record_token_refresh(
        org_id,
        account.id,
        RefreshedTokens(access_token="tok-SENSITIVE-3", expected_version=1),
    )
    seen = [caplog.text, repr(account), repr(command), str(error.value)]
    seen.append(repr(await app.accounts.list_accounts(owner, org_id)))
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
    await app.accounts.disconnect_account(owner, org_id, first.id)
    stored = await stored_account(app, org_id, first.id)
    assert (stored.is_active, stored.deleted_at) == (False, app.clock.now())
    again = await app.account(org_id, owner)
    assert [a.id for a in await app.accounts.list_accounts(owner, org_id)] == [again.id]


async def test_the_tier_account_limit_holds(app: App) -> None:
    org_id, owner = await app.organization()
    await app.account(org_id, owner, account_id="a1")
    with pytest.raises(LimitExceededError) as error:  # FREE: one account
        await app.account(org_id, owner, account_id="a2")
    assert error.value.limit == 1
    await app.billing.change_tier(owner, org_id, ChangeTier(tier=SubscriptionTier.GROWTH))
    await app.account(org_id, owner, account_id="a2")
    await app.account(org_id, owner, account_id="a3")
    with pytest.raises(LimitExceededError):
        await app.account(org_id, owner, account_id="a4")
    assert len(await app.accounts.list_accounts(owner, org_id)) == 3


async def test_a_disconnected_account_frees_its_place_under_the_limit(app: App) -> None:
    org_id, owner = await app.organization()
    first = await app.account(org_id, owner, account_id="a1")
    await app.accounts.disconnect_account(owner, org_id, first.id)
    await app.account(org_id, owner, account_id="a2")


async def test_a_stale_refresh_loses_and_the_newer_token_survives(app: App) -> None:
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner)
    # Two refreshes both started from version 1; the faster one lands first.
    newer = await app.tokens.record_token_refresh(
        org_id, account.id, RefreshedTokens(access_token="newer", expected_version=1)
    )
    with pytest.raises(ConflictError) as error:
        await app.tokens.record_token_refresh(
            org_id, account.id, RefreshedTokens(access_token="older", expected_version=1)
        )
    assert error.value.field == "token_version"
    stored = await stored_account(app, org_id, account.id)
    assert stored.token_version == newer.token_version == 2
    assert app.ports.cipher.decrypt(stored.access_token) == "newer"


async def test_a_refresh_stores_the_new_expiry(app: App) -> None:
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner)
    expires = app.clock.now() + timedelta(hours=2)
    await app.tokens.record_token_refresh(
        org_id,
        account.id,
        RefreshedTokens(access_token="t2", token_expires_at=expires, expected_version=1),
    )
    assert (await stored_account(app, org_id, account.id)).token_expires_at == expires


async def test_a_definite_refresh_rejection_deactivates_the_account(app: App) -> None:
    org_id, owner = await app.organization()
    account = await app.account(org_id, owner)
    await app.tokens.record_refresh_rejected(org_id, account.id)
    stored = await stored_account(app, org_id, account.id)
    assert (stored.is_active, stored.deleted_at) == (False, None)


async def add_shop(app: App, org_id: str, owner: str, api_key: str) -> None:
    """A brand with an external source whose ``api_key`` secret is ``api_key``."""
    brand_id = await app.brand(org_id, owner)
    await app.sources.add_external_source(
        owner,
        org_id,
        brand_id,
        AddExternalSource(
            type=ExternalSourceType.SHOPIFY,
            name="Shop",
            connection_config={"api_key": api_key, "region": "eu"},
        ),
    )


async def stored_api_key(app: App, org_id: str, owner: str) -> str:
    [source] = await app.sources.list_external_sources(owner, org_id)
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
    assert rotated.ports.cipher.decrypt(before.access_token) == "rotate-me"  # old key readable

    report = await rotated.rotation.rotate_token_keys()

    assert (report.accounts, report.sources) == (2, 2)
    after = await stored_account(app, org_id, account.id)
    assert after.refresh_token is not None
    assert {cipher().key_id_of(t) for t in (after.access_token, after.refresh_token)} == {"k2"}
    assert rotated.ports.cipher.decrypt(after.access_token) == "rotate-me"
    for organization, member, secret in (
        (org_id, owner, "shop-key"),
        (other_id, other_owner, "other-key"),
    ):
        stored_key = await stored_api_key(app, organization, member)
        assert cipher().key_id_of(stored_key) == "k2"
        assert rotated.ports.cipher.decrypt(stored_key) == secret
    again = await rotated.rotation.rotate_token_keys()
    assert (again.accounts, again.sources) == (0, 0)


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
    assert cipher().key_id_of(await stored_api_key(app, org_id, owner)) == "k2"
    assert cipher().key_id_of(await stored_api_key(app, other_id, other_owner)) == "k1"


async def test_a_viewer_cannot_connect_an_account(app: App) -> None:
    org_id, owner = await app.organization()
    viewer = await app.member(org_id, owner, MemberRole.VIEWER)
    with pytest.raises(PermissionDeniedError):
        await app.account(org_id, viewer)
    assert await app.accounts.list_accounts(owner, org_id) == []


async def test_another_organisations_account_is_not_found(app: App) -> None:
    org_id, owner = await app.organization("first")
    other_org, other_owner = await app.organization("second")
    account = await app.account(other_org, other_owner)
    with pytest.raises(NotFoundError):
        await app.accounts.disconnect_account(owner, org_id, account.id)
