"""Content embeddings: upsert, exact-hash lookup and exact nearest-neighbour search.

Vectors are compared approximately: the store may keep single (``vector``) or half
(``halfvec``) precision floats.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest

from rabbit.domain.enums import ContentType
from rabbit.domain.model import EMBEDDING_DIMENSIONS, ContentEmbedding, Organization

from .builders import an_embedding, at, at_similarity, basis, cosine_similarity, new_id
from .conftest import ContractBackend

TOLERANCE = 2e-3


def random_unit_vector(rng: random.Random) -> tuple[float, ...]:
    values = [rng.gauss(0.0, 1.0) for _ in range(EMBEDDING_DIMENSIONS)]
    norm = math.sqrt(sum(v * v for v in values))
    return tuple(v / norm for v in values)


def assert_same_embedding(found: ContentEmbedding | None, expected: ContentEmbedding) -> None:
    assert found is not None
    assert found.embedding == pytest.approx(expected.embedding, abs=TOLERANCE)
    assert replace(found, embedding=()) == replace(expected, embedding=())


async def test_embedding_round_trip_preserves_every_field(
    backend: ContractBackend, org: Organization
) -> None:
    vector = random_unit_vector(random.Random(7))
    embedding = an_embedding(
        org,
        vector=vector,
        content_type=ContentType.PENDING_POST,
        content_hash="fedcba9876543210",
        created_at=at(3),
    )

    returned = await backend.write(lambda uow: uow.embeddings.upsert(embedding))
    found = await backend.read(
        lambda uow: uow.embeddings.get(org.id, ContentType.PENDING_POST, embedding.content_id)
    )

    assert_same_embedding(returned, embedding)
    assert_same_embedding(found, embedding)


async def test_get_embedding_returns_none_for_another_organization_or_content(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    embedding = an_embedding(org)
    await backend.seed(embedding)

    async def get(organization_id: str, content_type: ContentType, content_id: str) -> object:
        return await backend.read(
            lambda uow: uow.embeddings.get(organization_id, content_type, content_id)
        )

    assert await get(other_org.id, ContentType.MATERIAL, embedding.content_id) is None
    assert await get(org.id, ContentType.POST, embedding.content_id) is None
    assert await get(org.id, ContentType.MATERIAL, "no-such-content") is None


async def test_upsert_keeps_one_row_per_content_with_the_first_id(
    backend: ContractBackend, org: Organization
) -> None:
    first = an_embedding(org, vector=basis(1), content_hash="1111111111111111")
    await backend.seed(first)
    second = an_embedding(
        org, content_id=first.content_id, vector=basis(2), content_hash="2222222222222222"
    )

    returned = await backend.write(lambda uow: uow.embeddings.upsert(second))

    assert returned.id == first.id
    found = await backend.read(
        lambda uow: uow.embeddings.get(org.id, ContentType.MATERIAL, first.content_id)
    )
    assert found.id == first.id
    assert found.content_hash == "2222222222222222"
    assert found.embedding == pytest.approx(basis(2), abs=TOLERANCE)
    hits = await backend.read(
        lambda uow: uow.embeddings.nearest(org.id, basis(2), since=at(-60), limit=10)
    )
    assert [h.content_id for h in hits] == [first.content_id]


async def test_upsert_distinguishes_content_types_with_the_same_id(
    backend: ContractBackend, org: Organization
) -> None:
    content_id = new_id()
    await backend.seed(
        an_embedding(org, content_type=ContentType.PENDING_POST, content_id=content_id),
        an_embedding(org, content_type=ContentType.POST, content_id=content_id),
    )

    hits = await backend.read(
        lambda uow: uow.embeddings.nearest(org.id, basis(0), since=at(-60), limit=10)
    )

    assert sorted(h.content_type for h in hits) == [ContentType.PENDING_POST, ContentType.POST]


async def test_upsert_moves_the_row_to_the_new_organization(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    first = an_embedding(org)
    await backend.seed(first)
    moved = an_embedding(other_org, content_id=first.content_id)

    await backend.write(lambda uow: uow.embeddings.upsert(moved))

    async def get(organization_id: str) -> ContentEmbedding | None:
        return await backend.read(  # type: ignore[no-any-return]
            lambda uow: uow.embeddings.get(organization_id, ContentType.MATERIAL, first.content_id)
        )

    found = await get(other_org.id)
    assert await get(org.id) is None
    assert found is not None
    assert found.id == first.id


async def test_find_by_hash_matches_within_the_organization_and_window_in_order(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    digest = "abcdefabcdefabcd"
    low, high = sorted(new_id() for _ in range(2))
    latest = an_embedding(org, content_hash=digest, created_at=at(10))
    tie_high = an_embedding(org, content_id=high, content_hash=digest, created_at=at(5))
    tie_low = an_embedding(
        org,
        content_type=ContentType.POST,
        content_id=low,
        content_hash=digest,
        created_at=at(5),
    )
    boundary = an_embedding(org, content_hash=digest, created_at=at(0))
    too_old = an_embedding(org, content_hash=digest, created_at=at(-1))
    other_hash = an_embedding(org, content_hash="0000000000000000", created_at=at(5))
    foreign = an_embedding(other_org, content_hash=digest, created_at=at(5))
    await backend.seed(latest, tie_high, tie_low, boundary, too_old, other_hash, foreign)

    hits = await backend.read(lambda uow: uow.embeddings.find_by_hash(org.id, digest, since=at(0)))

    assert [h.content_id for h in hits] == [boundary.content_id, low, high, latest.content_id]
    assert {h.similarity for h in hits} == {1.0}
    assert hits[1].content_type == ContentType.POST
    assert (hits[3].content_hash, hits[3].created_at) == (digest, at(10))


async def test_nearest_orders_by_similarity_as_a_brute_force_scan_does(
    backend: ContractBackend, org: Organization
) -> None:
    rng = random.Random(20260302)
    stored = [an_embedding(org, vector=random_unit_vector(rng)) for _ in range(40)]
    await backend.seed(*stored)
    query = random_unit_vector(rng)
    expected = sorted(
        ((cosine_similarity(query, e.embedding), e.content_id) for e in stored), reverse=True
    )
    by_id = {content_id: similarity for similarity, content_id in expected}

    hits = await backend.read(
        lambda uow: uow.embeddings.nearest(org.id, query, since=at(-60), limit=10)
    )

    assert len(hits) == 10
    assert [h.similarity for h in hits] == pytest.approx(
        [s for s, _ in expected[:10]], abs=TOLERANCE
    )
    for hit in hits:
        assert hit.similarity == pytest.approx(by_id[hit.content_id], abs=TOLERANCE)
    assert hits == sorted(hits, key=lambda h: -h.similarity)


async def test_nearest_returns_exact_similarities_most_similar_first(
    backend: ContractBackend, org: Organization
) -> None:
    levels = [0.95, 0.86, 0.7, 0.5, 0.1, -0.3]
    stored = [
        an_embedding(org, vector=at_similarity(level, axis=i + 1)) for i, level in enumerate(levels)
    ]
    await backend.seed(*reversed(stored))

    hits = await backend.read(
        lambda uow: uow.embeddings.nearest(org.id, basis(0), since=at(-60), limit=10)
    )

    assert [h.content_id for h in hits] == [e.content_id for e in stored]
    assert [h.similarity for h in hits] == pytest.approx(levels, abs=TOLERANCE)


async def test_nearest_breaks_ties_by_content_id(
    backend: ContractBackend, org: Organization
) -> None:
    low, high = sorted(new_id() for _ in range(2))
    await backend.seed(
        an_embedding(org, content_id=high, vector=basis(3)),
        an_embedding(org, content_id=low, vector=basis(3)),
        an_embedding(org, vector=basis(4)),
    )

    hits = await backend.read(
        lambda uow: uow.embeddings.nearest(org.id, basis(3), since=at(-60), limit=2)
    )

    assert [h.content_id for h in hits] == [low, high]


async def test_nearest_honours_window_exclusions_and_limit(
    backend: ContractBackend, org: Organization
) -> None:
    closest = an_embedding(org, vector=at_similarity(0.99, 1), created_at=at(0))
    excluded = an_embedding(
        org, content_type=ContentType.POST, vector=at_similarity(0.98, 2), created_at=at(5)
    )
    too_old = an_embedding(org, vector=at_similarity(0.97, 3), created_at=at(-1))
    second = an_embedding(org, vector=at_similarity(0.9, 4), created_at=at(5))
    third = an_embedding(org, vector=at_similarity(0.8, 5), created_at=at(5))
    await backend.seed(closest, excluded, too_old, second, third)

    hits = await backend.read(
        lambda uow: uow.embeddings.nearest(
            org.id,
            basis(0),
            since=at(0),
            limit=2,
            exclude=[(ContentType.POST, excluded.content_id)],
        )
    )

    assert [h.content_id for h in hits] == [closest.content_id, second.content_id]
    assert (hits[0].content_type, hits[0].content_hash, hits[0].created_at) == (
        ContentType.MATERIAL,
        closest.content_hash,
        at(0),
    )


async def test_exclusion_matches_content_type_and_id_together(
    backend: ContractBackend, org: Organization
) -> None:
    kept = an_embedding(org, content_type=ContentType.MATERIAL)
    await backend.seed(kept)

    hits = await backend.read(
        lambda uow: uow.embeddings.nearest(
            org.id,
            basis(0),
            since=at(-60),
            limit=5,
            exclude=[(ContentType.POST, kept.content_id)],
        )
    )

    assert [h.content_id for h in hits] == [kept.content_id]


async def test_nearest_finds_every_row_of_the_organization_however_close_others_are(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    rng = random.Random(11)
    crowd = [an_embedding(other_org, vector=at_similarity(0.99, axis)) for axis in range(1, 201)]
    mine = [an_embedding(org, vector=random_unit_vector(rng)) for _ in range(5)]
    await backend.seed(*crowd, *mine)

    hits = await backend.read(
        lambda uow: uow.embeddings.nearest(org.id, basis(0), since=at(-60), limit=5)
    )

    assert {h.content_id for h in hits} == {e.content_id for e in mine}


async def test_delete_for_removes_only_that_organizations_embedding(
    backend: ContractBackend, org: Organization, other_org: Organization
) -> None:
    embedding = an_embedding(org)
    await backend.seed(embedding)

    await backend.write(
        lambda uow: uow.embeddings.delete_for(
            other_org.id, ContentType.MATERIAL, embedding.content_id
        )
    )
    still_there = await backend.read(
        lambda uow: uow.embeddings.get(org.id, ContentType.MATERIAL, embedding.content_id)
    )
    await backend.write(
        lambda uow: uow.embeddings.delete_for(org.id, ContentType.MATERIAL, embedding.content_id)
    )
    gone = await backend.read(
        lambda uow: uow.embeddings.get(org.id, ContentType.MATERIAL, embedding.content_id)
    )

    assert still_there is not None
    assert gone is None
