"""Smoke tests of the in-memory unit of work: isolation, copies, constraints, cascades.

The full repository contract lives in tests/contract; these pin the memory-specific
machinery (staging, the lock, the schema rules) that the contract relies on.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from memory_builders import T0, account, brand, material, organization, pending_post, user

from rabbit.domain.enums import ContentType, MemberRole, SocialPlatform
from rabbit.domain.errors import ConflictError, NotFoundError, ValidationError
from rabbit.domain.model import BrandProfileAccount, ContentEmbedding, OrganizationMember
from rabbit.domain.values import LanguageRules, PlatformSetting, PlatformSettings
from rabbit_memory import MemoryDatabase, MemoryUnitOfWork, MemoryUnitOfWorkFactory


@pytest.fixture
def uow_factory() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory(MemoryDatabase())


async def seed(factory: MemoryUnitOfWorkFactory) -> None:
    async with factory() as uow:
        await uow.organizations.add(organization("org1"))
        await uow.organizations.add(organization("org2"))
        await uow.brands.add(brand("b1", "org1"))
        await uow.materials.add(material("m1", "org1", "b1"))
        await uow.commit()


def a_link(platform: SocialPlatform, **fields: Any) -> BrandProfileAccount:
    """A link of the seeded brand ``b1`` to account ``a1`` of ``org1``."""
    return BrandProfileAccount(
        id="l1",
        organization_id="org1",
        brand_profile_id="b1",
        social_account_id="a1",
        platform=platform,
        created_at=T0,
        **fields,
    )


async def soft_delete_brand_b1(uow: MemoryUnitOfWork) -> None:
    await uow.brands.get("org1", "b1", for_update=True)
    deleted = brand("b1")
    deleted.deleted_at = T0
    await uow.brands.update(deleted)


async def test_writes_without_commit_are_discarded(uow_factory: MemoryUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.organizations.add(organization())

    async with uow_factory() as uow:
        assert await uow.organizations.get("org1", for_update=True) is None


async def test_an_exception_rolls_back(uow_factory: MemoryUnitOfWorkFactory) -> None:
    async def failing_use_case() -> None:
        async with uow_factory() as uow:
            await uow.organizations.add(organization())
            raise LookupError

    with pytest.raises(LookupError):
        await failing_use_case()

    async with uow_factory() as uow:
        assert await uow.organizations.get("org1", for_update=True) is None


async def test_committed_writes_are_visible_to_later_units(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.organizations.add(organization())
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.organizations.get("org1", for_update=True)
    assert stored == organization()


async def test_a_finished_unit_of_work_cannot_be_used_again(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    uow = uow_factory()
    async with uow:
        await uow.commit()
        with pytest.raises(RuntimeError):
            await uow.organizations.get("org1", for_update=True)
        with pytest.raises(RuntimeError):
            await uow.commit()
    with pytest.raises(RuntimeError):
        async with uow:
            pass


async def test_units_of_work_are_serialised(uow_factory: MemoryUnitOfWorkFactory) -> None:
    entered: list[str] = []

    async def second() -> None:
        async with uow_factory():
            entered.append("second")

    async with uow_factory():
        task = asyncio.create_task(second())
        await asyncio.sleep(0)  # let the second unit of work try to enter
        assert entered == []
    await task
    assert entered == ["second"]


async def test_loaded_entities_are_copies(uow_factory: MemoryUnitOfWorkFactory) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        loaded = await uow.brands.get("org1", "b1", for_update=True)
        assert loaded is not None
        loaded.name = "changed without update"
        again = await uow.brands.get("org1", "b1", for_update=True)
    assert again is not None
    assert again.name == "Brand"


async def test_saved_entities_are_copies(uow_factory: MemoryUnitOfWorkFactory) -> None:
    settings = PlatformSettings(platforms={SocialPlatform.TWITTER: PlatformSetting()})
    saved = dataclasses.replace(brand("b2"), platform_settings=settings)
    await seed(uow_factory)
    async with uow_factory() as uow:
        await uow.brands.add(saved)
        await uow.commit()
    saved.platform_settings.platforms.clear()  # a frozen model can still hide a dict
    saved.language_rules = LanguageRules(emoji_usage="heavy")

    async with uow_factory() as uow:
        stored = await uow.brands.get("org1", "b2", for_update=True)
    assert stored is not None
    assert SocialPlatform.TWITTER in stored.platform_settings.platforms
    assert stored.language_rules == LanguageRules()


async def test_emails_are_unique_case_insensitively(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.users.add(user("u1", "ada@example.com"))
        with pytest.raises(ConflictError) as caught:
            await uow.users.add(user("u2", "ADA@Example.com"))
        found = await uow.users.get_by_email("Ada@EXAMPLE.com")
    assert (caught.value.entity, caught.value.field) == ("user", "email")
    assert found is not None
    assert found.id == "u1"


async def test_duplicate_slug_and_membership_conflict(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    member = OrganizationMember(
        id="mem1", organization_id="org1", user_id="u1", role=MemberRole.OWNER, created_at=T0
    )
    async with uow_factory() as uow:
        with pytest.raises(ConflictError) as slug:
            await uow.organizations.add(organization("org3", slug="org1"))
        await uow.users.add(user())
        await uow.members.add(member)
        with pytest.raises(ConflictError) as membership:
            await uow.members.add(dataclasses.replace(member, id="mem2"))
    assert slug.value.field == "slug"
    assert membership.value.field == "user_id"


async def test_a_platform_account_is_unique_only_among_live_rows(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        await uow.social_accounts.add(account("a1", "org1", "tw-1", deleted_at=T0))
        await uow.social_accounts.add(account("a2", "org2", "tw-1"))
        with pytest.raises(ConflictError) as caught:
            await uow.social_accounts.add(account("a3", "org1", "tw-1"))
        live = await uow.social_accounts.count_live("org1")
    assert caught.value.field == "account_id"
    assert live == 0


async def test_one_default_link_per_brand_and_platform(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    link = a_link(SocialPlatform.TWITTER, is_default=True)
    async with uow_factory() as uow:
        await uow.social_accounts.add(account("a1", "org1", "tw-1"))
        await uow.social_accounts.add(account("a2", "org1", "tw-2"))
        await uow.brand_accounts.add(link)
        with pytest.raises(ConflictError) as second_default:
            await uow.brand_accounts.add(dataclasses.replace(link, id="l2", social_account_id="a2"))
        with pytest.raises(ConflictError) as same_pair:
            await uow.brand_accounts.add(dataclasses.replace(link, id="l3", is_default=False))
    assert second_default.value.field == "is_default"
    assert same_pair.value.field == "social_account_id"


async def test_a_reference_to_a_missing_or_foreign_parent_is_not_found(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        with pytest.raises(NotFoundError) as missing_org:
            await uow.brands.add(brand("b9", "nope"))
        with pytest.raises(NotFoundError) as foreign_brand:
            await uow.materials.add(material("m9", "org2", "b1"))
    assert (missing_org.value.entity, missing_org.value.entity_id) == ("organization", "nope")
    assert (foreign_brand.value.entity, foreign_brand.value.entity_id) == ("brand_profile", "b1")


async def test_updating_a_missing_or_foreign_row_is_not_found(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        with pytest.raises(NotFoundError):
            await uow.brands.update(brand("b-missing"))
        with pytest.raises(NotFoundError):
            await uow.brands.update(brand("b1", "org2"))


async def test_deleting_an_organisation_cascades_to_its_rows_only(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        await uow.brands.add(brand("b2", "org2"))
        await uow.pending_posts.add(pending_post())
        await uow.organizations.delete("org1")
        await uow.commit()

    database = uow_factory.database
    assert database.count("materials") == 0
    assert database.count("pending_posts") == 0
    assert set(database.tables["brand_profiles"]) == {"b2"}


async def test_purging_a_brand_cascades_and_nulls_material_references(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        await soft_delete_brand_b1(uow)
        removed = await uow.brands.delete_purged("org1", T0 + timedelta(days=1))
        kept = await uow.materials.get("org1", "m1", for_update=True)
    assert removed == 1
    assert kept is not None
    assert kept.brand_profile_id is None


async def test_purging_a_brand_cascades_to_its_content_and_nulls_optional_references(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        await uow.pending_posts.add(pending_post())
        await uow.materials.add(material("m2", "org1", brand_id=None))
        await uow.pending_posts.add(pending_post("p2", brand_id="b1", material_id="m2"))
        await soft_delete_brand_b1(uow)
        await uow.brands.delete_purged("org1", T0 + timedelta(days=1))
        await uow.commit()

    database = uow_factory.database
    assert database.count("pending_posts") == 0
    assert set(database.tables["materials"]) == {"m1", "m2"}


async def test_a_check_constraint_is_a_validation_error_naming_the_field(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        with pytest.raises(ValidationError) as caught:
            await uow.pending_posts.add(dataclasses.replace(pending_post(), platforms=()))
    assert caught.value.field == "platforms"


async def test_a_link_must_carry_its_accounts_platform(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    link = a_link(SocialPlatform.LINKEDIN)
    async with uow_factory() as uow:
        await uow.social_accounts.add(account("a1", "org1", "tw-1"))
        with pytest.raises(NotFoundError) as caught:
            await uow.brand_accounts.add(link)
    assert caught.value.entity == "social_account"


def _embedding(
    content_id: str, vector: tuple[float, ...], org_id: str = "org1"
) -> ContentEmbedding:
    return ContentEmbedding(
        id=f"e-{content_id}",
        organization_id=org_id,
        content_type=ContentType.MATERIAL,
        content_id=content_id,
        embedding=vector,
        content_hash="0123456789abcdef",
        created_at=T0,
    )


async def test_nearest_is_an_exact_cosine_ranking_within_the_organisation(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        await uow.embeddings.upsert(_embedding("far", (0.0, 1.0)))
        await uow.embeddings.upsert(_embedding("near", (1.0, 0.1)))
        await uow.embeddings.upsert(_embedding("same", (2.0, 0.0)))
        await uow.embeddings.upsert(_embedding("other-org", (1.0, 0.0), org_id="org2"))
        hits = await uow.embeddings.nearest("org1", (1.0, 0.0), since=T0, limit=10)
    assert [hit.content_id for hit in hits] == ["same", "near", "far"]
    assert hits[0].similarity == pytest.approx(1.0)
    assert hits[2].similarity == pytest.approx(0.0)


async def test_upsert_keeps_the_first_id_and_replaces_the_vector(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        await uow.embeddings.upsert(_embedding("m1", (1.0, 0.0)))
        replacement = dataclasses.replace(_embedding("m1", (0.0, 1.0)), id="e-new")
        stored = await uow.embeddings.upsert(replacement)
    assert stored.id == "e-m1"
    assert stored.embedding == (0.0, 1.0)


async def test_re_embedding_keeps_the_materials_reference(
    uow_factory: MemoryUnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        first = await uow.embeddings.upsert(_embedding("m1", (1.0, 0.0)))
        linked = await uow.materials.get("org1", "m1", for_update=True)
        assert linked is not None
        linked.embedding_id = first.id
        await uow.materials.update(linked)
        await uow.embeddings.upsert(_embedding("m1", (0.0, 1.0)))
        reloaded = await uow.materials.get("org1", "m1", for_update=True)
    assert reloaded is not None
    assert reloaded.embedding_id == first.id


def test_the_factory_builds_fresh_units_over_one_database() -> None:
    factory = MemoryUnitOfWorkFactory()
    first, second = factory(), factory()
    assert isinstance(first, MemoryUnitOfWork)
    assert first is not second
