"""URLs that reach inside are refused at the door, on both stores (ADR 0022): the brand's
webhook, an external source's store URL (its own and its config's), an account's profile
and avatar URLs. Each refusal names the field and stores nothing; a public URL is kept."""

from __future__ import annotations

from typing import Any

import pytest

from rabbit.application.use_cases.brands import CreateBrand, UpdateBrand
from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.social_accounts import ConnectAccount
from rabbit.domain.enums import ExternalSourceType, SocialPlatform
from rabbit.domain.errors import ValidationError

from .app import App

#: The addresses of the issue, in the encodings browsers and getaddrinfo accept, and the
#: names and schemes that reach inside.
HOSTILE = [
    "http://169.254.169.254/latest/meta-data/iam/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://10.0.0.5:9200/",
    "http://192.168.0.1/admin",
    "javascript:alert(document.cookie)",
    "http://localhost:8080/",
    "http://api.localhost/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://nas.local/",
    "http://intranet/",
    "https://user:secret@example.com/",
]

PUBLIC = "https://hooks.example.com/rabbit"


async def refused(call: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        await call()
    return caught.value


async def test_refuses_a_brand_webhook_that_reaches_inside(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    for url in HOSTILE:
        error = await refused(
            lambda url=url: app.brands.update_brand(
                owner, org, brand, UpdateBrand.parse({"notify_webhook": url})
            )
        )
        assert error.field == "notify_webhook", url
        error = await refused(
            lambda url=url: app.brands.create_brand(
                owner, org, CreateBrand.parse({"name": "Other", "notify_webhook": url})
            )
        )
        assert error.field == "notify_webhook", url
    assert (await app.brands.get_brand(owner, org, brand)).notify_webhook is None
    assert len(await app.brands.list_brands(owner, org)) == 1

    await app.brands.update_brand(owner, org, brand, UpdateBrand(notify_webhook=PUBLIC))
    assert (await app.brands.get_brand(owner, org, brand)).notify_webhook == PUBLIC


async def test_refuses_a_store_url_that_reaches_inside(app: App) -> None:
    org, owner = await app.organization()
    brand = await app.brand(org, owner)
    for url in HOSTILE:
        error = await refused(
            lambda url=url: app.external_sources.add_external_source(
                owner,
                org,
                brand,
                AddExternalSource.parse({"type": "shopify", "name": "Shop", "store_url": url}),
            )
        )
        assert error.field == "store_url", url
        error = await refused(
            lambda url=url: app.external_sources.add_external_source(
                owner,
                org,
                brand,
                AddExternalSource.parse(
                    {"type": "shopify", "name": "Shop", "connection_config": {"store_url": url}}
                ),
            )
        )
        assert error.field == "connection_config.store_url", url
    assert await app.external_sources.list_external_sources(owner, org) == []

    source = await app.external_sources.add_external_source(
        owner,
        org,
        brand,
        AddExternalSource(
            type=ExternalSourceType.SHOPIFY,
            name="Shop",
            store_url=PUBLIC,
            connection_config={"store_url": PUBLIC},
        ),
    )
    [stored] = await app.external_sources.list_external_sources(owner, org)
    assert stored.id == source.id
    assert (stored.store_url, stored.connection_config["store_url"]) == (PUBLIC, PUBLIC)


async def test_refuses_profile_and_avatar_urls_that_reach_inside(app: App) -> None:
    org, owner = await app.organization()
    for field in ("profile_url", "avatar_url"):
        for url in HOSTILE:
            error = await refused(
                lambda url=url, field=field: app.social_accounts.connect_account(
                    owner,
                    org,
                    ConnectAccount.parse(
                        {
                            "platform": "TWITTER",
                            "account_id": "tw-1",
                            "account_name": "@acme",
                            "access_token": "token",
                            field: url,
                        }
                    ),
                )
            )
            assert error.field == field, url
    assert await app.social_accounts.list_accounts(owner, org) == []

    app.platform.issue_token(SocialPlatform.TWITTER, "tw-1", "token")  # the account's own
    account = await app.social_accounts.connect_account(
        owner,
        org,
        ConnectAccount(
            platform=SocialPlatform.TWITTER,
            account_id="tw-1",
            account_name="@acme",
            access_token="token",
            profile_url="https://x.com/acme",
            avatar_url="https://pbs.twimg.com/profile_images/1/acme.png",
        ),
    )
    [stored] = await app.social_accounts.list_accounts(owner, org)
    assert stored.id == account.id
    assert stored.profile_url == "https://x.com/acme"
