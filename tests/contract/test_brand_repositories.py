"""Brand profiles, social accounts, brand-account links and external sources."""

from __future__ import annotations

import pytest

from rabbit.application.ports.unit_of_work import UnitOfWork
from rabbit.domain.enums import SocialPlatform
from rabbit.domain.errors import ConflictError, NotFoundError
from rabbit.domain.model import BrandProfile, Organization, SocialAccount
from rabbit.domain.values import WooCommerceSourceConfig

from .builders import (
    a_brand,
    a_link,
    a_material,
    a_rich_brand,
    a_rich_external_source,
    a_rich_social_account,
    a_schedule,
    a_social_account,
    an_external_source,
    at,
    sorted_ids,
)
from .conftest import ContractBackend, update

# Brands --------------------------------------------------------------------------------


async def test_brand_round_trip_preserves_every_field_and_value_object(
    backend: ContractBackend, org: Organization
) -> None:
    brand = a_rich_brand(org)
    await backend.seed(brand)

    found = await backend.read(lambda uow: uow.brands.get(org.id, brand.id))

    assert found == brand
    assert found.content_pillars.target("Origins") == 60
    assert found.platform_settings.is_enabled(SocialPlatform.TIKTOK) is False


async def test_brand_round_trip_preserves_defaults(
    backend: ContractBackend, org: Organization
) -> None:
    brand = a_brand(org)
    await backend.seed(brand)

    assert await backend.read(lambda uow: uow.brands.get(org.id, brand.id)) == brand


async def test_get_brand_returns_none_for_an_unknown_id(
    backend: ContractBackend, org: Organization
) -> None:
    assert await backend.read(lambda uow: uow.brands.get(org.id, "no-such-brand")) is None


async def test_brands_are_listed_by_created_at_then_id(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    low, high = sorted_ids(2)
    late = a_brand(org, created_at=at(9))
    tie_high, tie_low = a_brand(org, id=high), a_brand(org, id=low)
    await backend.seed(late, tie_high, tie_low, a_brand(other_org))

    brands = await backend.read(lambda uow: uow.brands.find(org.id))

    assert [b.id for b in brands] == [low, high, late.id]


async def test_updating_a_brand_through_another_organization_raises_not_found(
    backend: ContractBackend, brand: BrandProfile, other_org: Organization
) -> None:
    hijacked = a_brand(other_org, id=brand.id, name="Hijacked")

    with pytest.raises(NotFoundError):
        await backend.write(lambda uow: update(uow, hijacked))
    assert (await backend.read(lambda uow: uow.brands.get(brand.organization_id, brand.id))) == (
        brand
    )


async def test_delete_purged_brands_counts_and_keeps_recent_and_foreign_rows(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    old = a_brand(org, deleted_at=at(days=-40))
    recent = a_brand(org, deleted_at=at(days=-2))
    live = a_brand(org)
    foreign_old = a_brand(other_org, deleted_at=at(days=-40))
    await backend.seed(old, recent, live, foreign_old)

    removed = await backend.write(lambda uow: uow.brands.delete_purged(org.id, at(days=-30)))

    assert removed == 1
    remaining = await backend.read(lambda uow: uow.brands.find(org.id, include_deleted=True))
    assert {b.id for b in remaining} == {recent.id, live.id}
    assert await backend.read(
        lambda uow: uow.brands.get(other_org.id, foreign_old.id, include_deleted=True)
    )


async def test_purging_a_brand_cascades_to_schedules_and_unlinks_materials(
    backend: ContractBackend, org: Organization
) -> None:
    brand = a_brand(org, deleted_at=at(days=-40))
    schedule = a_schedule(org, brand)
    material = a_material(org, brand)
    await backend.seed(brand, schedule, material)

    await backend.write(lambda uow: uow.brands.delete_purged(org.id, at(days=-30)))

    assert await backend.read(lambda uow: uow.schedules.get(org.id, schedule.id)) is None
    kept = await backend.read(lambda uow: uow.materials.get(org.id, material.id))
    assert kept is not None
    assert kept.brand_profile_id is None


# Social accounts -----------------------------------------------------------------------


async def test_social_account_round_trip_preserves_every_field(
    backend: ContractBackend, org: Organization
) -> None:
    account = a_rich_social_account(org)
    await backend.seed(account)

    assert await backend.read(lambda uow: uow.social_accounts.get(org.id, account.id)) == account


async def test_the_same_platform_account_cannot_be_connected_twice_anywhere(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    await backend.seed(a_social_account(org, platform=SocialPlatform.TWITTER, account_id="42"))
    again = a_social_account(other_org, platform=SocialPlatform.TWITTER, account_id="42")

    with pytest.raises(ConflictError) as error:
        await backend.write(lambda uow: uow.social_accounts.add(again))

    assert error.value.field == "account_id"


async def test_the_same_account_id_on_another_platform_is_allowed(
    backend: ContractBackend, org: Organization
) -> None:
    twitter = a_social_account(org, platform=SocialPlatform.TWITTER, account_id="42")
    reddit = a_social_account(org, platform=SocialPlatform.REDDIT, account_id="42")
    await backend.seed(twitter, reddit)

    assert await backend.read(lambda uow: uow.social_accounts.count_live(org.id)) == 2


async def test_a_disconnected_account_can_be_connected_again(
    backend: ContractBackend, org: Organization
) -> None:
    old = a_social_account(org, platform=SocialPlatform.TWITTER, account_id="42", deleted_at=at(-5))
    await backend.seed(old)
    again = a_social_account(org, platform=SocialPlatform.TWITTER, account_id="42")

    await backend.write(lambda uow: uow.social_accounts.add(again))

    assert await backend.read(lambda uow: uow.social_accounts.get(org.id, again.id)) == again


async def test_restoring_a_disconnected_account_conflicts_with_its_reconnection(
    backend: ContractBackend, org: Organization
) -> None:
    old = a_social_account(org, platform=SocialPlatform.TWITTER, account_id="42", deleted_at=at(-5))
    again = a_social_account(org, platform=SocialPlatform.TWITTER, account_id="42")
    await backend.seed(old, again)
    old.deleted_at = None

    with pytest.raises(ConflictError) as error:
        await backend.write(lambda uow: update(uow, old))

    assert error.value.field == "account_id"


async def test_count_live_counts_only_undeleted_accounts_of_the_organization(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    await backend.seed(
        a_social_account(org),
        a_social_account(org, is_active=False),
        a_social_account(org, deleted_at=at(1)),
        a_social_account(other_org),
    )

    assert await backend.read(lambda uow: uow.social_accounts.count_live(org.id)) == 2


async def test_social_accounts_are_listed_by_created_at_then_id(
    backend: ContractBackend, org: Organization
) -> None:
    low, high = sorted_ids(2)
    first = a_social_account(org, created_at=at(-1))
    tie_high, tie_low = a_social_account(org, id=high), a_social_account(org, id=low)
    await backend.seed(tie_high, first, tie_low)

    accounts = await backend.read(lambda uow: uow.social_accounts.find(org.id))

    assert [a.id for a in accounts] == [first.id, low, high]


async def test_list_all_returns_every_organizations_accounts_by_id(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    ids = sorted_ids(3)
    mine = a_social_account(org, id=ids[2])
    theirs = a_social_account(other_org, id=ids[0])
    deleted = a_social_account(org, id=ids[1], deleted_at=at(1))
    await backend.seed(mine, theirs, deleted)

    live = await backend.read(lambda uow: uow.social_accounts.list_all())
    everything = await backend.read(lambda uow: uow.social_accounts.list_all(include_deleted=True))

    assert [a.id for a in live] == [ids[0], ids[2]]
    assert [a.id for a in everything] == ids


async def test_update_tokens_if_version_is_a_compare_and_set(
    backend: ContractBackend, org: Organization
) -> None:
    account = a_social_account(org, token_version=1)
    await backend.seed(account)
    fresh = a_social_account(
        org,
        id=account.id,
        platform=account.platform,
        account_id=account.account_id,
        access_token="v2:key1:new-access",
        refresh_token="v2:key1:new-refresh",
        token_expires_at=at(days=90),
        token_version=2,
    )
    stale = a_social_account(
        org,
        id=account.id,
        platform=account.platform,
        account_id=account.account_id,
        access_token="v2:key1:stale-access",
        token_version=2,
    )

    first = await backend.write(lambda uow: uow.social_accounts.update_tokens_if_version(fresh, 1))
    second = await backend.write(lambda uow: uow.social_accounts.update_tokens_if_version(stale, 1))

    assert (first, second) == (True, False)
    stored = await backend.read(lambda uow: uow.social_accounts.get(org.id, account.id))
    assert (stored.access_token, stored.refresh_token, stored.token_version) == (
        "v2:key1:new-access",
        "v2:key1:new-refresh",
        2,
    )
    assert stored.token_expires_at == at(days=90)


async def test_update_tokens_if_version_changes_no_other_field(
    backend: ContractBackend, org: Organization
) -> None:
    account = a_social_account(org, account_name="Original", token_version=1)
    await backend.seed(account)
    account.account_name = "Renamed"
    account.access_token = "v2:key1:rotated"
    account.token_version = 2

    await backend.write(lambda uow: uow.social_accounts.update_tokens_if_version(account, 1))

    stored = await backend.read(lambda uow: uow.social_accounts.get(org.id, account.id))
    assert (stored.account_name, stored.access_token) == ("Original", "v2:key1:rotated")


async def test_update_tokens_of_another_organizations_account_changes_nothing(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    account = a_social_account(org, token_version=1)
    await backend.seed(account)
    forged = a_social_account(
        other_org, id=account.id, access_token="v2:key1:forged", token_version=2
    )

    changed = await backend.write(
        lambda uow: uow.social_accounts.update_tokens_if_version(forged, 1)
    )

    assert changed is False
    stored = await backend.read(lambda uow: uow.social_accounts.get(org.id, account.id))
    assert stored.access_token == account.access_token


async def test_delete_purged_social_accounts_counts_only_old_deleted_rows(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    old = a_social_account(org, deleted_at=at(days=-31))
    recent = a_social_account(org, deleted_at=at(days=-29))
    foreign = a_social_account(other_org, deleted_at=at(days=-60))
    await backend.seed(old, recent, foreign, a_social_account(org))

    removed = await backend.write(
        lambda uow: uow.social_accounts.delete_purged(org.id, at(days=-30))
    )

    assert removed == 1
    everything = await backend.read(
        lambda uow: uow.social_accounts.find(org.id, include_deleted=True)
    )
    assert old.id not in {a.id for a in everything}
    assert len(everything) == 2
    assert await backend.read(
        lambda uow: uow.social_accounts.get(other_org.id, foreign.id, include_deleted=True)
    )


# Brand-account links -------------------------------------------------------------------


async def test_link_round_trip_preserves_every_field(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    link = a_link(org, brand, account, is_default=True, created_at=at(3))
    await backend.seed(link)

    assert await backend.read(lambda uow: uow.brand_accounts.get(org.id, brand.id, account.id)) == (
        link
    )


async def test_a_second_link_of_the_same_brand_and_account_conflicts(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    await backend.seed(a_link(org, brand, account))

    with pytest.raises(ConflictError) as error:
        await backend.write(lambda uow: uow.brand_accounts.add(a_link(org, brand, account)))

    assert error.value.field == "social_account_id"


async def test_a_second_default_for_the_same_brand_and_platform_conflicts(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    second = a_social_account(org, platform=account.platform)
    await backend.seed(second, a_link(org, brand, account, is_default=True))

    with pytest.raises(ConflictError) as error:
        await backend.write(
            lambda uow: uow.brand_accounts.add(a_link(org, brand, second, is_default=True))
        )

    assert error.value.field == "is_default"


async def test_defaults_on_different_platforms_and_non_defaults_coexist(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    same_platform = a_social_account(org, platform=account.platform)
    other_platform = a_social_account(org, platform=SocialPlatform.TWITTER)
    await backend.seed(same_platform, other_platform)

    await backend.seed(
        a_link(org, brand, account, is_default=True),
        a_link(org, brand, same_platform, is_default=False),
        a_link(org, brand, other_platform, is_default=True),
    )

    links = await backend.read(lambda uow: uow.brand_accounts.list_for_brand(org.id, brand.id))
    assert len(links) == 3


async def test_moving_the_default_works_when_the_old_one_is_cleared_first(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    second = a_social_account(org, platform=account.platform)
    old_default = a_link(org, brand, account, is_default=True)
    new_link = a_link(org, brand, second, is_default=False)
    await backend.seed(second, old_default, new_link)
    old_default.is_default = False
    new_link.is_default = True

    async def move(uow: UnitOfWork) -> None:
        await update(uow, old_default)
        await update(uow, new_link)

    await backend.write(move)

    stored = await backend.read(lambda uow: uow.brand_accounts.get(org.id, brand.id, second.id))
    assert stored.is_default is True


async def test_remove_link_reports_whether_there_was_one(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    await backend.seed(a_link(org, brand, account))

    first = await backend.write(lambda uow: uow.brand_accounts.remove(org.id, brand.id, account.id))
    second = await backend.write(
        lambda uow: uow.brand_accounts.remove(org.id, brand.id, account.id)
    )

    assert (first, second) == (True, False)
    assert await backend.read(lambda uow: uow.social_accounts.get(org.id, account.id)) == account


async def test_remove_link_through_another_organization_removes_nothing(
    backend: ContractBackend,
    org: Organization,
    other_org: Organization,
    brand: BrandProfile,
    account: SocialAccount,
) -> None:
    await backend.seed(a_link(org, brand, account))

    removed = await backend.write(
        lambda uow: uow.brand_accounts.remove(other_org.id, brand.id, account.id)
    )

    assert removed is False
    assert await backend.read(lambda uow: uow.brand_accounts.get(org.id, brand.id, account.id))


async def test_links_are_listed_by_created_at_then_id_for_brand_and_account(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    other_brand = a_brand(org)
    other_account = a_social_account(org, platform=SocialPlatform.TWITTER)
    low, high = sorted_ids(2)
    late = a_link(org, brand, account, created_at=at(9))
    tie_high = a_link(org, brand, other_account, id=high, created_at=at(1))
    tie_low = a_link(org, other_brand, account, id=low, created_at=at(1))
    await backend.seed(other_brand, other_account, late, tie_high, tie_low)

    for_brand = await backend.read(lambda uow: uow.brand_accounts.list_for_brand(org.id, brand.id))
    for_account = await backend.read(
        lambda uow: uow.brand_accounts.list_for_account(org.id, account.id)
    )

    assert [link.id for link in for_brand] == [high, late.id]
    assert [link.id for link in for_account] == [low, late.id]


async def test_external_source_round_trip_preserves_every_field_and_secrets(
    backend: ContractBackend, org: Organization, brand: BrandProfile
) -> None:
    source = a_rich_external_source(org, brand)
    await backend.seed(source)

    found = await backend.read(lambda uow: uow.external_sources.get(org.id, source.id))

    assert found == source
    assert type(found.connection_config) is WooCommerceSourceConfig
    assert found.connection_config.secrets() == {
        "consumer_key": "v2:key1:enc-consumer-key",
        "consumer_secret": "v2:key1:enc-consumer-secret",
        "legacy.region": "v2:key1:enc-region",
    }
    assert found.connection_config.to_json()["api_version"] == "wc/v3"


async def test_list_all_external_sources_spans_organizations_by_id(
    backend: ContractBackend, org: Organization, other_org: Organization, brand: BrandProfile
) -> None:
    foreign_brand = a_brand(other_org)
    low, mid, high = sorted_ids(3)
    sources = [
        an_external_source(other_org, foreign_brand, id=mid, created_at=at(-5)),
        a_rich_external_source(org, brand, id=high, created_at=at(-9)),
        an_external_source(org, brand, id=low, created_at=at(3)),
    ]
    await backend.seed(foreign_brand, *sources)

    listed = await backend.read(lambda uow: uow.external_sources.list_all())

    assert [s.id for s in listed] == [low, mid, high]
    assert listed == sorted(sources, key=lambda s: s.id)
