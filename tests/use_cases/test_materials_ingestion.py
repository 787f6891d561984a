"""Material ingestion as one use case: upload, analysis and embedding, stored READY in one
commit or not at all, the embedder outside any unit of work (ADR 0011). On both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rabbit.application.use_cases.materials import IngestMaterial, RecordAnalysis, UploadMaterial
from rabbit.domain.enums import (
    ContentAngle,
    ContentType,
    MaterialStatus,
    MaterialStrategy,
    MemberRole,
)
from rabbit.domain.enums import MaterialType as T
from rabbit.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from rabbit_local import HashingEmbedder

from .app import App
from .content_support import TOPICS, World, probe_embedder_for_open_units_of_work, world

ANALYSIS = RecordAnalysis(
    summary=TOPICS[0],
    key_points=("solar",),
    keywords=("backpack",),
    suggested_angles=(ContentAngle.EDUCATIONAL,),
    content_pillar="Product",
)


def upload(w: World, **fields: object) -> UploadMaterial:
    given: dict[str, object] = {
        "type": T.TEXT,
        "brand_profile_id": w.brand,
        "name": "Backpack",
        "original_content": TOPICS[0],
    }
    return UploadMaterial(**{**given, **fields})  # type: ignore[arg-type]


async def stored_materials(app: App, w: World) -> list[object]:
    """The organisation's materials and embeddings (the world has none of its own)."""
    (probe,) = await HashingEmbedder().embed([TOPICS[0]])
    since = app.clock.now() - timedelta(days=365)
    async with app.ports.uow() as uow:
        materials = await uow.materials.find(w.org, include_deleted=True)
        embeddings = await uow.embeddings.nearest(w.org, probe, since=since, limit=10)
    return [*materials, *embeddings]


async def test_ingesting_stores_a_ready_material_with_its_analysis_and_embedding(
    app: App,
) -> None:
    w = await world(app)

    material = await w.content.materials.ingest_material(
        w.owner, w.org, IngestMaterial(upload=upload(w), analysis=ANALYSIS)
    )

    assert material.status is MaterialStatus.READY
    assert (material.summary, material.key_points, material.keywords) == (
        TOPICS[0],
        ("solar",),
        ("backpack",),
    )
    assert material.content_pillar == "Product"
    async with app.ports.uow() as uow:
        stored = await uow.materials.get(w.org, material.id)
        embedding = await uow.embeddings.get(w.org, ContentType.MATERIAL, material.id)
    assert stored == material
    assert embedding is not None
    assert material.embedding_id == embedding.id
    (expected,) = await app.ports.embedder.embed([material.text])
    assert embedding.embedding == pytest.approx(expected, abs=1e-6)  # float4 in PostgreSQL
    chosen = await w.content.materials.select_material(
        w.owner, w.org, w.brand, MaterialStrategy.ROUND_ROBIN
    )
    assert chosen is not None  # ready to generate from
    assert chosen.id == material.id


async def test_ingesting_gives_what_the_four_steps_give(app: App) -> None:
    w = await world(app)
    stepwise = await w.ready_material(TOPICS[0], pillar="Product")
    ingested = await w.content.materials.ingest_material(
        w.owner,
        w.org,
        IngestMaterial(
            upload=upload(w, name=stepwise.name),
            analysis=RecordAnalysis(
                summary=TOPICS[0], key_points=(TOPICS[0].split(" ")[0],), content_pillar="Product"
            ),
        ),
    )

    assert ingested.text == stepwise.text
    for field in ("status", "type", "summary", "key_points", "content_pillar", "brand_profile_id"):
        assert getattr(ingested, field) == getattr(stepwise, field), field


async def test_ingesting_calls_the_embedder_outside_any_unit_of_work(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(app)
    probed = probe_embedder_for_open_units_of_work(w, monkeypatch)

    material = await w.content.materials.ingest_material(
        w.owner, w.org, IngestMaterial(upload=upload(w), analysis=ANALYSIS)
    )

    assert material.status is MaterialStatus.READY
    assert len(probed) == 1


async def test_an_embedder_that_fails_leaves_nothing_stored(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(app)

    async def broken(texts: list[str]) -> list[tuple[float, ...]]:
        raise RuntimeError("the model is down")

    monkeypatch.setattr(app.ports.embedder, "embed", broken)
    with pytest.raises(RuntimeError, match="model is down"):
        await w.content.materials.ingest_material(
            w.owner, w.org, IngestMaterial(upload=upload(w), analysis=ANALYSIS)
        )

    assert await stored_materials(app, w) == []


async def test_a_brand_deleted_while_embedding_stores_nothing(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(app)
    original = app.ports.embedder.embed

    async def deleting(texts: list[str]) -> list[tuple[float, ...]]:
        await app.brands.delete_brand(w.owner, w.org, w.brand)
        return await original(texts)

    monkeypatch.setattr(app.ports.embedder, "embed", deleting)
    with pytest.raises(NotFoundError):
        await w.content.materials.ingest_material(
            w.owner, w.org, IngestMaterial(upload=upload(w), analysis=ANALYSIS)
        )

    assert await stored_materials(app, w) == []


async def test_a_refused_ingestion_never_pays_for_the_embedder(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(app)
    viewer = await app.member(w.org, w.owner, MemberRole.VIEWER)
    calls: list[list[str]] = []

    async def counting(texts: list[str]) -> list[tuple[float, ...]]:
        calls.append(texts)
        raise AssertionError("the embedder must not run")

    monkeypatch.setattr(app.ports.embedder, "embed", counting)
    materials = w.content.materials
    with pytest.raises(PermissionDeniedError):
        await materials.ingest_material(
            viewer, w.org, IngestMaterial(upload=upload(w), analysis=ANALYSIS)
        )
    with pytest.raises(NotFoundError):
        await materials.ingest_material(
            w.owner,
            w.org,
            IngestMaterial(upload=upload(w, brand_profile_id="nope"), analysis=ANALYSIS),
        )
    with pytest.raises(ValidationError) as invalid:
        await materials.ingest_material(
            w.owner, w.org, IngestMaterial(upload=upload(w, type=T.URL), analysis=ANALYSIS)
        )

    assert invalid.value.field == "url"
    assert calls == []
    assert await stored_materials(app, w) == []
