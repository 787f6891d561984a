"""Materials: upload validation per type, the lifecycle through the use cases, selection."""

from __future__ import annotations

import pytest

from rabbit.application.use_cases.brands import UpdateBrand
from rabbit.application.use_cases.materials import RecordAnalysis, UploadMaterial
from rabbit.application.use_cases.metrics import RecordMetrics
from rabbit.application.use_cases.review import ApprovePost
from rabbit.domain.enums import (
    ContentType,
    MaterialStatus,
    MaterialStrategy,
    MaterialType,
    MemberRole,
)
from rabbit.domain.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from rabbit.domain.values import ContentPillar, ContentPillars

from .app import App
from .content_support import TOPICS, World, probe_embedder_for_open_units_of_work, world

T, U, F, IMG, V = (
    MaterialType.TEXT,
    MaterialType.URL,
    MaterialType.FILE,
    MaterialType.IMAGE,
    MaterialType.VIDEO,
)
FILE = {"file_key": "uploads/a", "file_size": 10}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": T}, "original_content"),
        ({"type": T, "original_content": "   "}, "original_content"),
        ({"type": U}, "url"),
        ({"type": U, "url": "ftp://example.com/a"}, "url"),
        ({"type": U, "url": "https://"}, "url"),
        ({"type": F, "file_size": 10, "mime_type": "application/pdf"}, "file_key"),
        ({"type": F, "file_key": "k", "file_size": 0, "mime_type": "text/plain"}, "file_size"),
        ({"type": F, **FILE}, "mime_type"),
        ({"type": IMG, **FILE, "mime_type": "video/mp4"}, "mime_type"),
        ({"type": V, **FILE, "mime_type": "image/png"}, "mime_type"),
        ({"type": IMG, **FILE, "mime_type": "not a mime"}, "mime_type"),
    ],
)
async def test_an_invalid_upload_names_the_field_and_stores_nothing(
    app: App, fields: dict[str, object], field: str
) -> None:
    w = await world(app)
    with pytest.raises(ValidationError) as error:
        await w.content.materials.upload_material(w.owner, w.org, UploadMaterial(**fields))  # type: ignore[arg-type]
    assert error.value.field == field
    assert (await w.content.analytics.dashboard(w.owner, w.org)).ready_materials == 0
    async with app.ports.uow() as uow:
        assert await uow.materials.find(w.org) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"type": T, "original_content": "hello"},
        {"type": U, "url": "https://example.com/post?id=1"},
        {"type": F, **FILE, "mime_type": "application/pdf"},
        {"type": IMG, **FILE, "mime_type": "IMAGE/PNG"},
        {"type": V, **FILE, "mime_type": "video/mp4"},
    ],
)
async def test_a_valid_upload_is_stored_uploaded(app: App, fields: dict[str, object]) -> None:
    w = await world(app)
    material = await w.content.materials.upload_material(w.owner, w.org, UploadMaterial(**fields))  # type: ignore[arg-type]
    assert material.status is MaterialStatus.UPLOADED
    async with app.ports.uow() as uow:
        stored = await uow.materials.get(w.org, material.id)
    assert stored is not None
    assert stored.status is MaterialStatus.UPLOADED


async def test_a_viewer_cannot_upload(app: App) -> None:
    w = await world(app)
    viewer = await app.member(w.org, w.owner, MemberRole.VIEWER)
    with pytest.raises(PermissionDeniedError):
        await w.content.materials.upload_material(
            viewer, w.org, UploadMaterial(type=T, original_content="x")
        )


async def test_the_lifecycle_reaches_ready_with_an_embedding_and_archives(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0], pillar="Product")
    assert material.status is MaterialStatus.READY
    assert material.summary == TOPICS[0]
    assert material.content_pillar == "Product"
    async with app.ports.uow() as uow:
        embedding = await uow.embeddings.get(w.org, ContentType.MATERIAL, material.id)
    assert embedding is not None
    assert material.embedding_id == embedding.id
    materials = w.content.materials
    archived = await materials.archive_material(w.owner, w.org, material.id)
    assert archived.status is MaterialStatus.ARCHIVED
    assert (await materials.unarchive_material(w.owner, w.org, material.id)).status is (
        MaterialStatus.READY
    )


async def test_transitions_out_of_order_are_refused(app: App) -> None:
    w = await world(app)
    materials = w.content.materials
    material = await materials.upload_material(
        w.owner, w.org, UploadMaterial(type=T, original_content="x")
    )
    with pytest.raises(InvalidTransitionError):
        await materials.store_embedding(w.owner, w.org, material.id)
    with pytest.raises(InvalidTransitionError):
        await materials.archive_material(w.owner, w.org, material.id)
    await materials.start_analysis(w.owner, w.org, material.id)
    failed = await materials.fail_analysis(w.owner, w.org, material.id)
    assert failed.status is MaterialStatus.FAILED
    with pytest.raises(InvalidTransitionError):
        await materials.start_analysis(w.owner, w.org, material.id)


async def select(w: World, strategy: MaterialStrategy) -> str | None:
    chosen = await w.content.materials.select_material(w.owner, w.org, w.brand, strategy)
    return chosen.id if chosen else None


async def test_round_robin_prefers_the_least_used_material(app: App) -> None:
    w = await world(app)
    first = await w.ready_material(TOPICS[0])
    second = await w.ready_material(TOPICS[1])
    assert await select(w, MaterialStrategy.ROUND_ROBIN) == first.id
    await w.generate(first)
    await w.content.publishing.publish_due(app.clock.now())
    assert await select(w, MaterialStrategy.ROUND_ROBIN) == second.id


async def test_archived_deleted_and_unready_materials_are_not_candidates(app: App) -> None:
    w = await world(app)
    archived = await w.ready_material(TOPICS[0])
    await w.content.materials.archive_material(w.owner, w.org, archived.id)
    await w.content.materials.upload_material(
        w.owner, w.org, UploadMaterial(type=T, original_content="draft", brand_profile_id=w.brand)
    )
    assert await select(w, MaterialStrategy.RANDOM) is None


async def test_random_draws_among_every_candidate(app: App) -> None:
    w = await world(app)
    ids = {(await w.ready_material(topic)).id for topic in TOPICS[:3]}
    drawn = {await select(w, MaterialStrategy.RANDOM) for _ in range(30)}
    assert drawn == ids


async def test_weighted_favours_the_material_whose_posts_engaged(app: App) -> None:
    w = await world(app)
    hit = await w.ready_material(TOPICS[0])
    miss = await w.ready_material(TOPICS[1])
    for material in (hit, miss):
        await w.generate(material)
        await w.content.publishing.publish_due(app.clock.now())
    async with app.ports.uow() as uow:
        posts = await uow.posts.find(w.org)
    for post in posts:
        likes = 900 if post.material_id == hit.id else 0
        await w.content.metrics.record_metrics(
            w.org, post.id, RecordMetrics(likes=likes, impressions=1000)
        )
    picks = [await select(w, MaterialStrategy.WEIGHTED) for _ in range(40)]
    assert picks.count(hit.id) > 30


async def test_pillar_balanced_picks_from_the_pillar_furthest_below_target(app: App) -> None:
    w = await world(app)
    pillars = ContentPillars(
        pillars=(
            ContentPillar(name="Product", percentage=50),
            ContentPillar(name="Education", percentage=50),
        )
    )
    await app.brands.update_brand(w.owner, w.org, w.brand, UpdateBrand(content_pillars=pillars))
    product = await w.ready_material(TOPICS[0], pillar="Product")
    education = await w.ready_material(TOPICS[6], pillar="Education")
    await w.generate(education)
    await w.content.publishing.publish_due(app.clock.now())
    assert await select(w, MaterialStrategy.PILLAR_BALANCED) == product.id


async def test_a_material_too_similar_to_a_recent_post_is_skipped(app: App) -> None:
    w = await world(app, auto_approve=False)
    source = await w.ready_material(TOPICS[0])
    copy = await w.ready_material(TOPICS[5])
    other = await w.ready_material(TOPICS[3])
    assert await select(w, MaterialStrategy.ROUND_ROBIN) == source.id
    (pending,) = await w.generate(source)
    # the reviewer rewrites the post into the text of ``copy``: a recent post now says it
    await w.content.review.approve(w.owner, w.org, pending.id, ApprovePost(content=copy.text))
    await w.content.materials.archive_material(w.owner, w.org, source.id)
    assert await select(w, MaterialStrategy.ROUND_ROBIN) == other.id


async def test_storing_a_materials_embedding_calls_the_embedder_outside_any_unit_of_work(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As manual generation does (ADR 0011): a use case called from inside the embedder
    would wait forever on the memory store if a unit of work were held around the call."""
    w = await world(app)
    materials = w.content.materials
    material = await materials.upload_material(
        w.owner,
        w.org,
        UploadMaterial(type=MaterialType.TEXT, name="Tea", original_content=TOPICS[3]),
    )
    await materials.start_analysis(w.owner, w.org, material.id)
    await materials.record_analysis(
        w.owner, w.org, material.id, RecordAnalysis(summary=TOPICS[3], key_points=("tea",))
    )
    probed = probe_embedder_for_open_units_of_work(w, monkeypatch)
    stored = await materials.store_embedding(w.owner, w.org, material.id)

    assert stored.status is MaterialStatus.READY
    assert len(probed) == 1
