"""Pending posts, posts, post metrics and publish attempts."""

from __future__ import annotations

from typing import Any

import pytest

from rabbit.domain.enums import (
    ContentAngle,
    GenerationMode,
    PendingPostStatus,
    SocialPlatform,
)
from rabbit.domain.errors import ConflictError, NotFoundError
from rabbit.domain.model import (
    BrandProfile,
    Material,
    Organization,
    PendingPost,
    SocialAccount,
)

from .builders import (
    a_brand,
    a_material,
    a_pending_post,
    a_post,
    a_post_metric,
    a_publish_attempt,
    a_schedule,
    a_social_account,
    an_organization,
    at,
    sorted_ids,
)
from .conftest import ContractBackend, update

P = PendingPostStatus


# Pending posts -------------------------------------------------------------------------


def brand_and_material(organization: Organization) -> tuple[BrandProfile, Material]:
    """A brand of ``organization`` and a material of that brand (not stored)."""
    brand = a_brand(organization)
    return brand, a_material(organization, brand)


async def test_pending_post_round_trip_preserves_every_field(
    backend: ContractBackend, org: Organization, brand: BrandProfile, material: Material
) -> None:
    schedule = a_schedule(org, brand)
    pending = a_pending_post(
        org,
        brand,
        material,
        schedule_id=schedule.id,
        platforms=(SocialPlatform.TWITTER, SocialPlatform.LINKEDIN),
        content="Spring is here ☕",
        hashtags=("#coffee", "#spring"),
        media_urls=("https://cdn.example/a.png",),
        angle=ContentAngle.STORYTELLING,
        angle_reason="best recent engagement",
        is_exploration=True,
        generation_mode=GenerationMode.MANUAL,
        scheduled_for=at(60),
        expires_at=at(days=1),
        status=P.REJECTED,
        review_notes="off-brand",
        created_at=at(1),
        updated_at=at(2),
    )
    await backend.seed(schedule, pending)

    assert await backend.read(lambda uow: uow.pending_posts.get(org.id, pending.id)) == pending


async def test_pending_posts_are_listed_by_created_at_then_id_with_filters(
    backend: ContractBackend, org: Organization, brand: BrandProfile, material: Material
) -> None:
    other_brand = a_brand(org)
    low, high = sorted_ids(2)
    late = a_pending_post(org, brand, material, status=P.APPROVED, created_at=at(8))
    tie_high = a_pending_post(org, brand, material, id=high, status=P.PENDING)
    tie_low = a_pending_post(org, other_brand, material, id=low, status=P.APPROVED)
    await backend.seed(other_brand, late, tie_high, tie_low)

    everything = await backend.read(lambda uow: uow.pending_posts.find(org.id))
    approved = await backend.read(lambda uow: uow.pending_posts.find(org.id, statuses=[P.APPROVED]))
    approved_of_brand = await backend.read(
        lambda uow: uow.pending_posts.find(org.id, brand_id=brand.id, statuses=[P.APPROVED])
    )

    assert [p.id for p in everything] == [low, high, late.id]
    assert [p.id for p in approved] == [low, late.id]
    assert [p.id for p in approved_of_brand] == [late.id]


async def test_delete_for_brand_removes_its_pending_posts_and_their_attempts_only(
    backend: ContractBackend,
    org: Organization,
    other_org: Organization,
    brand: BrandProfile,
    material: Material,
    account: SocialAccount,
) -> None:
    other_brand = a_brand(org)
    foreign_brand, foreign_material = brand_and_material(other_org)
    doomed = [
        a_pending_post(org, brand, material, status=status)
        for status in (P.PENDING, P.APPROVED, P.PUBLISHED)
    ]
    kept = a_pending_post(org, other_brand, material)
    foreign = a_pending_post(other_org, foreign_brand, foreign_material)
    attempt = a_publish_attempt(org, doomed[2], account)
    kept_attempt = a_publish_attempt(org, kept, account)
    history = a_post(org, brand, account, pending_post_id=doomed[2].id)
    await backend.seed(
        other_brand, foreign_brand, foreign_material, *doomed, kept, foreign,
        attempt, kept_attempt, history,
    )  # fmt: skip

    removed = await backend.write(lambda uow: uow.pending_posts.delete_for_brand(org.id, brand.id))

    assert removed == 3
    assert [p.id for p in await backend.read(lambda uow: uow.pending_posts.find(org.id))] == [
        kept.id
    ]
    assert await backend.read(lambda uow: uow.pending_posts.get(other_org.id, foreign.id))
    platform = account.platform
    assert (
        await backend.read(
            lambda uow: uow.publish_attempts.list_for(org.id, doomed[2].id, platform)
        )
        == []
    )
    assert await backend.read(
        lambda uow: uow.publish_attempts.list_for(org.id, kept.id, platform)
    ) == [kept_attempt]
    post = await backend.read(lambda uow: uow.posts.get(org.id, history.id))
    assert post is not None
    assert post.pending_post_id is None


async def test_delete_for_brand_through_another_organization_removes_nothing(
    backend: ContractBackend,
    org: Organization,
    other_org: Organization,
    brand: BrandProfile,
    material: Material,
) -> None:
    pending_post = a_pending_post(org, brand, material)
    await backend.seed(pending_post)

    removed = await backend.write(
        lambda uow: uow.pending_posts.delete_for_brand(other_org.id, brand.id)
    )

    assert removed == 0
    assert await backend.read(lambda uow: uow.pending_posts.get(org.id, pending_post.id))


async def test_list_due_selects_approved_posts_due_across_organizations_in_order(
    backend: ContractBackend,
    org: Organization,
    other_org: Organization,
    brand: BrandProfile,
    material: Material,
) -> None:
    foreign_brand, foreign_material = brand_and_material(other_org)
    low, high = sorted_ids(2)

    def mine(**fields: Any) -> PendingPost:
        return a_pending_post(org, brand, material, **fields)

    earliest = a_pending_post(
        other_org, foreign_brand, foreign_material, status=P.APPROVED, scheduled_for=at(-20)
    )
    tie_high = mine(id=high, status=P.AUTO_APPROVED, scheduled_for=at(-5))
    tie_low = mine(id=low, status=P.APPROVED, scheduled_for=at(-5))
    exactly_now = mine(status=P.AUTO_APPROVED, scheduled_for=at(0))
    later = mine(status=P.APPROVED, scheduled_for=at(1))
    not_approved = [
        mine(status=status, scheduled_for=at(-60))
        for status in (P.PENDING, P.REJECTED, P.EXPIRED, P.PUBLISHED, P.FAILED)
    ]
    await backend.seed(
        foreign_brand, foreign_material, later, tie_high, exactly_now, *not_approved, tie_low
    )
    await backend.seed(earliest)

    due = await backend.read(lambda uow: uow.pending_posts.list_due(at(0), limit=10))
    first_two = await backend.read(lambda uow: uow.pending_posts.list_due(at(0), limit=2))

    assert [p.id for p in due] == [earliest.id, low, high, exactly_now.id]
    assert [p.id for p in first_two] == [earliest.id, low]


async def test_list_expired_selects_pending_posts_past_their_expiry_in_order(
    backend: ContractBackend, org: Organization, brand: BrandProfile, material: Material
) -> None:
    low, high = sorted_ids(2)
    oldest = a_pending_post(org, brand, material, expires_at=at(-90))
    tie_high = a_pending_post(org, brand, material, id=high, expires_at=at(-30))
    tie_low = a_pending_post(org, brand, material, id=low, expires_at=at(-30))
    exactly_now = a_pending_post(org, brand, material, expires_at=at(0))
    not_yet = a_pending_post(org, brand, material, expires_at=at(1))
    approved = a_pending_post(org, brand, material, status=P.APPROVED, expires_at=at(-99))
    no_expiry = a_pending_post(org, brand, material, expires_at=None)
    await backend.seed(tie_high, not_yet, exactly_now, approved, tie_low, no_expiry, oldest)

    expired = await backend.read(lambda uow: uow.pending_posts.list_expired(at(0), limit=10))
    first = await backend.read(lambda uow: uow.pending_posts.list_expired(at(0), limit=1))

    assert [p.id for p in expired] == [oldest.id, low, high, exactly_now.id]
    assert [p.id for p in first] == [oldest.id]


async def test_list_expired_skips_the_pending_posts_of_a_soft_deleted_organization(
    backend: ContractBackend,
    org: Organization,
    other_org: Organization,
    brand: BrandProfile,
    material: Material,
) -> None:
    """ADR 0014: nothing expires for a deleted organisation."""
    foreign_brand, foreign_material = brand_and_material(other_org)
    gone = a_pending_post(other_org, foreign_brand, foreign_material, expires_at=at(-90))
    live = a_pending_post(org, brand, material, expires_at=at(-30))
    await backend.seed(foreign_brand, foreign_material, gone, live)
    other_org.deleted_at = at(-1)
    await backend.write(lambda uow: update(uow, other_org))

    expired = await backend.read(lambda uow: uow.pending_posts.list_expired(at(0), limit=10))

    assert [p.id for p in expired] == [live.id]


# Posts ---------------------------------------------------------------------------------


async def test_post_round_trip_preserves_every_field(
    backend: ContractBackend,
    org: Organization,
    brand: BrandProfile,
    material: Material,
    account: SocialAccount,
) -> None:
    schedule = a_schedule(org, brand)
    pending = a_pending_post(org, brand, material, schedule_id=schedule.id)
    post = a_post(
        org,
        brand,
        account,
        material_id=material.id,
        schedule_id=schedule.id,
        pending_post_id=pending.id,
        content="Spring is here",
        hashtags=("#coffee",),
        media_urls=("https://cdn.example/a.png", "https://cdn.example/b.png"),
        external_id="li-123",
        external_url="https://linkedin.example/p/123",
        published_at=at(5),
        angle=ContentAngle.SOCIAL_PROOF,
        angle_reason="exploring",
        is_exploration=True,
        likes=10,
        comments=2,
        shares=3,
        impressions=400,
        reach=350,
        clicks=7,
        engagement_rate=0.055,
        metrics_updated_at=at(120),
        created_at=at(5),
        updated_at=at(120),
    )
    await backend.seed(schedule, pending, post)

    found = await backend.read(lambda uow: uow.posts.get(org.id, post.id))

    assert found.engagement_rate == pytest.approx(0.055, rel=1e-6)
    found.engagement_rate = post.engagement_rate
    assert found == post


async def test_a_pending_post_is_published_to_a_platform_at_most_once(
    backend: ContractBackend,
    org: Organization,
    brand: BrandProfile,
    material: Material,
    account: SocialAccount,
) -> None:
    pending = a_pending_post(org, brand, material)
    await backend.seed(pending, a_post(org, brand, account, pending_post_id=pending.id))
    duplicate = a_post(org, brand, account, pending_post_id=pending.id)

    with pytest.raises(ConflictError) as error:
        await backend.write(lambda uow: uow.posts.add(duplicate))

    assert error.value.field == "platform"


async def test_one_pending_post_may_have_posts_on_different_platforms(
    backend: ContractBackend,
    org: Organization,
    brand: BrandProfile,
    material: Material,
    account: SocialAccount,
) -> None:
    twitter = a_social_account(org, platform=SocialPlatform.TWITTER)
    pending = a_pending_post(org, brand, material, platforms=(account.platform, twitter.platform))
    on_linkedin = a_post(org, brand, account, pending_post_id=pending.id)
    on_twitter = a_post(org, brand, twitter, pending_post_id=pending.id)
    await backend.seed(twitter, pending, on_linkedin, on_twitter)

    found = await backend.read(
        lambda uow: uow.posts.get_for_pending(org.id, pending.id, SocialPlatform.TWITTER)
    )
    missing = await backend.read(
        lambda uow: uow.posts.get_for_pending(org.id, pending.id, SocialPlatform.REDDIT)
    )

    assert found == on_twitter
    assert missing is None


async def test_posts_are_listed_newest_first_unpublished_last_ties_by_id(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    low, high = sorted_ids(2)
    newest = a_post(org, brand, account, published_at=at(60))
    tie_high = a_post(org, brand, account, id=high, published_at=at(30))
    tie_low = a_post(org, brand, account, id=low, published_at=at(30))
    oldest = a_post(org, brand, account, published_at=at(-60))
    unpublished = a_post(org, brand, account, published_at=None)
    await backend.seed(unpublished, tie_high, oldest, newest, tie_low)

    posts = await backend.read(lambda uow: uow.posts.find(org.id))

    assert [p.id for p in posts] == [newest.id, low, high, oldest.id, unpublished.id]


async def test_posts_are_filtered_by_brand_and_publication_date(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    other_brand = a_brand(org)
    recent = a_post(org, brand, account, published_at=at(10))
    boundary = a_post(org, brand, account, published_at=at(0))
    old = a_post(org, brand, account, published_at=at(-10))
    other = a_post(org, other_brand, account, published_at=at(10))
    await backend.seed(other_brand, recent, boundary, old, other)

    since = await backend.read(
        lambda uow: uow.posts.find(org.id, brand_id=brand.id, published_since=at(0))
    )

    assert [p.id for p in since] == [recent.id, boundary.id]


async def test_count_published_counts_posts_published_since(
    backend: ContractBackend,
    org: Organization,
    other_org: Organization,
    brand: BrandProfile,
    account: SocialAccount,
) -> None:
    foreign_brand = a_brand(other_org)
    foreign_account = a_social_account(other_org)
    await backend.seed(
        foreign_brand,
        foreign_account,
        a_post(org, brand, account, published_at=at(0)),
        a_post(org, brand, account, published_at=at(5)),
        a_post(org, brand, account, published_at=at(-5)),
        a_post(org, brand, account, published_at=None),
        a_post(other_org, foreign_brand, foreign_account, published_at=at(5)),
    )

    assert await backend.read(lambda uow: uow.posts.count_published(org.id, since=at(0))) == 2


async def test_delete_purged_posts_counts_and_removes_their_metrics(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    old = a_post(org, brand, account, deleted_at=at(days=-40))
    recent = a_post(org, brand, account, deleted_at=at(days=-1))
    live = a_post(org, brand, account)
    await backend.seed(old, recent, live, a_post_metric(org, old))

    removed = await backend.write(lambda uow: uow.posts.delete_purged(org.id, at(days=-30)))

    assert removed == 1
    everything = await backend.read(lambda uow: uow.posts.find(org.id, include_deleted=True))
    assert {p.id for p in everything} == {recent.id, live.id}
    assert await backend.read(lambda uow: uow.post_metrics.list_for_post(org.id, old.id)) == []


# Post metrics --------------------------------------------------------------------------


async def test_post_metrics_are_listed_by_collected_at(
    backend: ContractBackend,
    org: Organization,
    other_org: Organization,
    brand: BrandProfile,
    account: SocialAccount,
) -> None:
    post = a_post(org, brand, account)
    later = a_post_metric(
        org,
        post,
        collected_at=at(60),
        likes=9,
        comments=3,
        shares=1,
        impressions=200,
        reach=150,
        clicks=4,
        engagement_rate=0.085,
    )
    middle = a_post_metric(org, post, collected_at=at(30))
    first = a_post_metric(org, post, collected_at=at(10))
    await backend.seed(post, later, middle, first)

    readings = await backend.read(lambda uow: uow.post_metrics.list_for_post(org.id, post.id))
    foreign = await backend.read(lambda uow: uow.post_metrics.list_for_post(other_org.id, post.id))

    assert [m.id for m in readings] == [first.id, middle.id, later.id]
    assert readings[2].engagement_rate == pytest.approx(0.085, rel=1e-6)
    assert (readings[2].likes, readings[2].reach, readings[2].clicks) == (9, 150, 4)
    assert foreign == []


async def test_a_second_reading_of_a_post_at_the_same_instant_conflicts(
    backend: ContractBackend, org: Organization, brand: BrandProfile, account: SocialAccount
) -> None:
    """One post_metrics row per (post, collected_at): docs/domain.md#post_metrics."""
    post = a_post(org, brand, account)
    await backend.seed(post, a_post_metric(org, post, collected_at=at(30)))

    with pytest.raises(ConflictError) as error:
        await backend.write(
            lambda uow: uow.post_metrics.add(a_post_metric(org, post, collected_at=at(30)))
        )

    assert error.value.field == "collected_at"


# Publish attempts ----------------------------------------------------------------------


@pytest.mark.parametrize("account_stored", [True, False], ids=["its_account", "missing_account"])
async def test_the_same_attempt_number_cannot_start_twice(
    backend: ContractBackend,
    org: Organization,
    brand: BrandProfile,
    material: Material,
    account: SocialAccount,
    account_stored: bool,
) -> None:
    """A conflict also when the second attempt's account was never stored: PostgreSQL
    refuses the unique key first (its index is written with the row; foreign keys are checked
    at the end of the statement), and the memory store answers the same."""
    pending = a_pending_post(org, brand, material)
    await backend.seed(pending, a_publish_attempt(org, pending, account, attempt_number=1))
    again = account if account_stored else a_social_account(org, platform=account.platform)

    with pytest.raises(ConflictError) as error:
        await backend.write(
            lambda uow: uow.publish_attempts.add(
                a_publish_attempt(org, pending, again, attempt_number=1)
            )
        )

    assert error.value.field == "attempt_number"


async def test_publish_attempts_are_listed_by_number_per_platform(
    backend: ContractBackend,
    org: Organization,
    other_org: Organization,
    brand: BrandProfile,
    material: Material,
    account: SocialAccount,
) -> None:
    twitter = a_social_account(org, platform=SocialPlatform.TWITTER)
    pending = a_pending_post(org, brand, material)
    third = a_publish_attempt(org, pending, account, attempt_number=3, started_at=at(1))
    first = a_publish_attempt(org, pending, account, attempt_number=1, started_at=at(3))
    second = a_publish_attempt(org, pending, account, attempt_number=2, started_at=at(2))
    other_platform = a_publish_attempt(org, pending, twitter, attempt_number=1)
    await backend.seed(twitter, pending, third, first, second, other_platform)

    attempts = await backend.read(
        lambda uow: uow.publish_attempts.list_for(org.id, pending.id, account.platform)
    )
    foreign = await backend.read(
        lambda uow: uow.publish_attempts.list_for(other_org.id, pending.id, account.platform)
    )

    assert [a.attempt_number for a in attempts] == [1, 2, 3]
    assert foreign == []


async def test_updating_a_missing_publish_attempt_raises_not_found(
    backend: ContractBackend,
    org: Organization,
    brand: BrandProfile,
    material: Material,
    account: SocialAccount,
) -> None:
    pending = a_pending_post(org, brand, material)
    await backend.seed(pending)

    with pytest.raises(NotFoundError):
        await backend.write(
            lambda uow: uow.publish_attempts.update(a_publish_attempt(org, pending, account))
        )


async def test_list_due_is_fair_across_organizations_skipping_backed_off_and_deleted_ones(
    backend: ContractBackend,
    org: Organization,
    other_org: Organization,
    brand: BrandProfile,
    material: Material,
) -> None:
    foreign_brand, foreign_material = brand_and_material(other_org)
    gone = an_organization(deleted_at=at(-1))
    gone_brand = a_brand(gone)
    gone_material = a_material(gone, gone_brand)

    def mine(minutes: float, **fields: Any) -> PendingPost:
        return a_pending_post(
            org, brand, material, status=P.AUTO_APPROVED, scheduled_for=at(minutes), **fields
        )

    many = [mine(-60 + n) for n in range(3)]
    backed_off = mine(-90, publish_after=at(1), publish_failures=2)
    back_again = mine(-80, publish_after=at(0), publish_failures=1)
    theirs = a_pending_post(
        other_org, foreign_brand, foreign_material, status=P.APPROVED, scheduled_for=at(-1)
    )
    deleted = a_pending_post(
        gone, gone_brand, gone_material, status=P.AUTO_APPROVED, scheduled_for=at(-99)
    )
    await backend.seed(gone, gone_brand, gone_material, foreign_brand, foreign_material)
    await backend.seed(*many, backed_off, back_again, theirs, deleted)

    due = await backend.read(lambda uow: uow.pending_posts.list_due(at(0), limit=10))
    first_two = await backend.read(lambda uow: uow.pending_posts.list_due(at(0), limit=2))

    # each organisation's first, then the next ones: the other organisation's only post is
    # not starved by the older posts of the first
    assert [p.id for p in due] == [back_again.id, theirs.id, *(p.id for p in many)]
    assert [p.id for p in first_two] == [back_again.id, theirs.id]
