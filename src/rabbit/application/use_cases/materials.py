"""Materials: upload, analysis, embedding, archive, and selection for a brand.

Lifecycle (through these use cases): upload → UPLOADED; start_analysis → PROCESSING;
record_analysis → ANALYZED (or fail_analysis → FAILED); store_embedding → READY; archive /
unarchive between READY or USED and ARCHIVED. :meth:`Materials.ingest_material` does the
first four at once when the analysis is at hand: the material is stored READY with its
embedding, or not at all. Publishing marks a material USED
(:meth:`~rabbit.domain.model.Material.record_use`). Everything needs CREATE_CONTENT.

Selection (:func:`rank_materials`, used by the autopilot tick and by
:meth:`Materials.select_material`) loads the rows its rules need
(``rabbit.domain.policies.selection``: which materials are candidates, their mean
engagement, the order of each strategy): the brand's live posts, and for
``pillar_balanced`` the brand's posts of the analytics window and their materials' pillars.
:meth:`Materials.select_material` skips candidates whose own embedding is too similar to a
post or pending post of the dedup window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field

from rabbit.application.authorization import authorize
from rabbit.application.pagination import (
    Page,
    decode_cursor,
    filter_value,
    page_of,
    page_size,
)
from rabbit.application.ports import (
    Clock,
    Embedder,
    IdGenerator,
    RandomSource,
    UnitOfWork,
    UnitOfWorkFactory,
)
from rabbit.application.ports.repositories import Keyset
from rabbit.application.read_models import MaterialSummary, view_of
from rabbit.application.use_cases._arguments import UseCases
from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases._lookups import existing_brand, existing_material
from rabbit.application.use_cases.deduplication import RECENT_CONTENT, check_duplicate
from rabbit.application.use_cases.embeddings import embed_one, store_embedding
from rabbit.domain import limits
from rabbit.domain.enums import (
    SELECTABLE_MATERIAL_STATUSES,
    ContentAngle,
    ContentType,
    MaterialStatus,
    MaterialStrategy,
    MaterialType,
    Sentiment,
)
from rabbit.domain.errors import ConflictError
from rabbit.domain.model import BrandProfile, Material
from rabbit.domain.policies.materials import validate_upload
from rabbit.domain.policies.permissions import Permission
from rabbit.domain.policies.selection import (
    candidates,
    is_candidate,
    pillar_counts,
    rank,
)
from rabbit.domain.policies.similarity import Verdict
from rabbit.domain.values import PublicUrl, Word


class UploadMaterial(Command):
    type: MaterialType
    brand_profile_id: str | None = Field(default=None, max_length=limits.MAX_ID)
    name: str | None = Field(default=None, max_length=limits.MAX_MATERIAL_NAME)
    original_content: str | None = Field(default=None, max_length=limits.MAX_MATERIAL_TEXT)
    file_key: str | None = Field(default=None, max_length=limits.MAX_URL)
    file_size: int | None = Field(default=None, le=limits.INT8_MAX)
    mime_type: str | None = Field(default=None, max_length=limits.MAX_SHORT_TEXT)
    url: PublicUrl | None = Field(default=None, max_length=limits.MAX_URL)


class RecordAnalysis(Command):
    summary: str = Field(min_length=1, max_length=limits.MAX_TEXT)
    key_points: tuple[Annotated[str, Field(max_length=limits.MAX_TEXT)], ...] = Field(
        default=(), max_length=limits.MAX_WORDS
    )
    keywords: tuple[Word, ...] = Field(default=(), max_length=limits.MAX_WORDS)
    suggested_angles: tuple[ContentAngle, ...] = Field(default=(), max_length=limits.MAX_WORDS)
    sentiment: Sentiment | None = None
    content_pillar: str | None = Field(default=None, max_length=limits.MAX_WORD)


class IngestMaterial(Command):
    """An upload and what its analysis found, stored as one READY material."""

    upload: UploadMaterial
    analysis: RecordAnalysis


_MATERIALS = "materials"
"""The cursor tag of :meth:`Materials.list_materials`."""


class Materials(UseCases):
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        random: RandomSource,
        embedder: Embedder,
        analytics_window: timedelta,
        dedup_window: timedelta,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._random = random
        self._embedder = embedder
        self._analytics_window = analytics_window
        self._dedup_window = dedup_window

    async def upload_material(
        self, actor_id: str, organization_id: str, command: UploadMaterial
    ) -> Material:
        _validate(command)
        now = self._clock.now()
        async with self._uow() as uow:
            await self._check_upload(uow, actor_id, organization_id, command)
            material = Material.uploaded(
                id=self._ids.new_id(),
                organization_id=organization_id,
                now=now,
                **command.model_dump(),
            )
            await uow.materials.add(material)
            await uow.commit()
        return material

    async def ingest_material(
        self, actor_id: str, organization_id: str, command: IngestMaterial
    ) -> Material:
        """Upload, analysis and embedding as one use case: the material is stored READY
        with what the analysis found and its embedding, in one commit, or nothing is stored.

        A short unit of work authorises the actor (and finds the brand) before the embedder
        is paid for; the embedder runs outside any unit of work (ADR 0011); the write
        authorises again and finds the brand again (either may have changed meanwhile)."""
        upload, analysis = command.upload, command.analysis
        _validate(upload)
        now = self._clock.now()
        async with self._uow() as uow:
            await self._check_upload(uow, actor_id, organization_id, upload)
        material = Material.uploaded(
            id=self._ids.new_id(), organization_id=organization_id, now=now, **upload.model_dump()
        )
        material.move_to(MaterialStatus.PROCESSING, now)
        material.record_analysis(now, **analysis.model_dump())
        vector = await embed_one(self._embedder, material.text)
        async with self._uow() as uow:
            await self._check_upload(uow, actor_id, organization_id, upload)
            await self._record_embedding(uow, material, vector)
            await uow.materials.add(material)
            await uow.commit()
        return material

    async def _record_embedding(
        self, uow: UnitOfWork, material: Material, vector: Sequence[float]
    ) -> None:
        """Upsert the embedding of the material's text and mark the material READY with it
        (the caller stores the material)."""
        stored = await store_embedding(
            self._ids,
            self._clock,
            uow,
            material.organization_id,
            ContentType.MATERIAL,
            material.id,
            material.text,
            vector,
        )
        material.record_embedding(stored.id, self._clock.now())

    async def _check_upload(
        self, uow: UnitOfWork, actor_id: str, organization_id: str, upload: UploadMaterial
    ) -> None:
        """The actor may create content, and the brand the upload names exists."""
        await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
        if upload.brand_profile_id is not None:
            await existing_brand(uow, organization_id, upload.brand_profile_id)

    async def start_analysis(
        self, actor_id: str, organization_id: str, material_id: str
    ) -> Material:
        return await self._move(actor_id, organization_id, material_id, MaterialStatus.PROCESSING)

    async def fail_analysis(
        self, actor_id: str, organization_id: str, material_id: str
    ) -> Material:
        return await self._move(actor_id, organization_id, material_id, MaterialStatus.FAILED)

    async def archive_material(
        self, actor_id: str, organization_id: str, material_id: str
    ) -> Material:
        return await self._move(actor_id, organization_id, material_id, MaterialStatus.ARCHIVED)

    async def unarchive_material(
        self, actor_id: str, organization_id: str, material_id: str
    ) -> Material:
        return await self._move(actor_id, organization_id, material_id, MaterialStatus.READY)

    async def record_analysis(
        self, actor_id: str, organization_id: str, material_id: str, command: RecordAnalysis
    ) -> Material:
        """PROCESSING → ANALYZED with what the analysis found."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            material = await existing_material(uow, organization_id, material_id, for_update=True)
            material.record_analysis(self._clock.now(), **command.model_dump())
            await uow.materials.update(material)
            await uow.commit()
        return material

    async def store_embedding(
        self, actor_id: str, organization_id: str, material_id: str
    ) -> Material:
        """Embed the material's text, upsert its embedding, ANALYZED → READY.

        The embedder runs between two short units of work (no model call inside a
        transaction, ADR 0011); the second locks the material and checks that its text is
        still the one embedded (ConflictError on ``text`` otherwise)."""
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            read = await existing_material(uow, organization_id, material_id)
            read.check_move(MaterialStatus.READY)  # refuses early what the write would refuse
        text = read.text
        vector = await embed_one(self._embedder, text)
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            material = await existing_material(uow, organization_id, material_id, for_update=True)
            material.check_move(MaterialStatus.READY)
            if material.text != text:
                raise ConflictError("material", "text", "changed while it was embedded: retry")
            await self._record_embedding(uow, material, vector)
            await uow.materials.update(material)
            await uow.commit()
        return material

    async def select_material(
        self,
        actor_id: str,
        organization_id: str,
        brand_id: str,
        strategy: MaterialStrategy | str,
    ) -> Material | None:
        """The strategy's first candidate not too similar to recent posts, or None."""
        now = self._clock.now()
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            brand = await existing_brand(uow, organization_id, brand_id)
            for material in await rank_materials(
                uow,
                brand,
                strategy,
                now,
                random=self._random,
                analytics_window=self._analytics_window,
            ):
                if not await too_similar_to_recent(
                    uow, material, now, dedup_window=self._dedup_window
                ):
                    return material
        return None

    async def list_materials(
        self,
        actor_id: str,
        organization_id: str,
        *,
        brand_id: str | None = None,
        status: MaterialStatus | None = None,
        search: str | None = None,
        cursor: str | None = None,
        limit: int = limits.DEFAULT_PAGE,
    ) -> Page[MaterialSummary]:
        """Live materials newest first, a page at a time (ADR 0028): of a brand, in a
        status, whose name holds ``search`` (ASCII letters in any case) when given."""
        size = page_size(limit)
        after = decode_cursor(_MATERIALS, cursor)
        wanted = filter_value("status", MaterialStatus, status)
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.VIEW_ANALYTICS)
            rows = await uow.materials.page(
                organization_id,
                after=after,
                limit=size + 1,
                brand_id=brand_id,
                statuses=None if wanted is None else [wanted],
                name_contains=search,
            )
        return page_of(
            _MATERIALS,
            rows,
            size,
            lambda m: Keyset(m.created_at, m.id),
            lambda m: view_of(MaterialSummary, m),
        )

    async def _move(
        self, actor_id: str, organization_id: str, material_id: str, target: MaterialStatus
    ) -> Material:
        async with self._uow() as uow:
            await authorize(uow, actor_id, organization_id, Permission.CREATE_CONTENT)
            material = await existing_material(uow, organization_id, material_id, for_update=True)
            material.move_to(target, self._clock.now())
            await uow.materials.update(material)
            await uow.commit()
        return material


def _validate(upload: UploadMaterial) -> None:
    """ValidationError naming the field when the upload breaks its type's rules."""
    validate_upload(
        upload.type,
        original_content=upload.original_content,
        url=upload.url,
        file_key=upload.file_key,
        file_size=upload.file_size,
        mime_type=upload.mime_type,
    )


async def rank_materials(
    uow: UnitOfWork,
    brand: BrandProfile,
    strategy: MaterialStrategy | str,
    now: datetime,
    *,
    random: RandomSource,
    analytics_window: timedelta,
) -> list[Material]:
    """The brand's candidate materials in the strategy's order of preference (the rules:
    ``rabbit.domain.policies.selection``)."""
    org = brand.organization_id
    found = await uow.materials.find(org, statuses=SELECTABLE_MATERIAL_STATUSES)
    materials = [m for m in found if is_candidate(m, brand.id)]
    if not materials:
        return []
    posts = await uow.posts.find(org, brand_id=brand.id)
    order = rank(
        strategy,
        candidates(materials, posts),
        random,
        pillars=brand.content_pillars,
        recent_pillar_counts=await _recent_pillar_counts(uow, brand, now, analytics_window),
    )
    by_id = {m.id: m for m in materials}
    return [by_id[c.id] for c in order]


async def too_similar_to_recent(
    uow: UnitOfWork, material: Material, now: datetime, *, dedup_window: timedelta
) -> bool:
    """Whether the material's own embedding is TOO_SIMILAR to a recent post or pending post
    (a material without an embedding is not checked here; generation checks its post)."""
    own = await uow.embeddings.get(material.organization_id, ContentType.MATERIAL, material.id)
    if own is None:
        return False
    check = await check_duplicate(
        uow,
        material.organization_id,
        material.text,
        own.embedding,
        now,
        window=dedup_window,
        exclude=[(ContentType.MATERIAL, material.id)],
        kinds=RECENT_CONTENT,
    )
    return check.verdict is Verdict.TOO_SIMILAR


async def _recent_pillar_counts(
    uow: UnitOfWork, brand: BrandProfile, now: datetime, analytics_window: timedelta
) -> Counter[str]:
    """The brand's posts of the analytics window per pillar of their material."""
    if not brand.content_pillars.pillars:
        return Counter()
    since = now - analytics_window
    posts = await uow.posts.find(brand.organization_id, brand_id=brand.id, published_since=since)
    used = {post.material_id for post in posts if post.material_id is not None}
    if not used:
        return Counter()
    # one query for every material of the recent posts (never one per post)
    pillar_of = {
        material.id: material.content_pillar
        for material in await uow.materials.find(
            brand.organization_id, ids=used, include_deleted=True
        )
    }
    return pillar_counts(posts, pillar_of)
