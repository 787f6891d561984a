"""Materials: what the agent writes posts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rabbit.domain.enums import (
    SELECTABLE_MATERIAL_STATUSES,
    ContentAngle,
    MaterialStatus,
    MaterialType,
    Sentiment,
)
from rabbit.domain.policies.transitions import check_material_transition


@dataclass(kw_only=True, slots=True)
class Material:
    """An uploaded text, link, file, image or video, and what analysis found in it."""

    id: str
    organization_id: str
    brand_profile_id: str | None = None
    type: MaterialType
    name: str | None = None
    original_content: str | None = None
    file_key: str | None = None
    file_size: int | None = None
    mime_type: str | None = None
    url: str | None = None
    summary: str | None = None
    key_points: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    suggested_angles: tuple[ContentAngle, ...] = ()
    sentiment: Sentiment | None = None
    content_pillar: str | None = None
    status: MaterialStatus = MaterialStatus.UPLOADED
    usage_count: int = 0
    last_used_at: datetime | None = None
    embedding_id: str | None = None
    deleted_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def uploaded(
        cls,
        *,
        id: str,
        organization_id: str,
        type: MaterialType,
        brand_profile_id: str | None,
        name: str | None,
        original_content: str | None,
        file_key: str | None,
        file_size: int | None,
        mime_type: str | None,
        url: str | None,
        now: datetime,
    ) -> Material:
        """A new UPLOADED material; its MIME type is kept trimmed and lower-cased."""
        return cls(
            id=id,
            organization_id=organization_id,
            type=type,
            brand_profile_id=brand_profile_id,
            name=name,
            original_content=original_content,
            file_key=file_key,
            file_size=file_size,
            mime_type=mime_type.strip().lower() if mime_type is not None else None,
            url=url,
            created_at=now,
            updated_at=now,
        )

    def check_move(self, target: MaterialStatus) -> None:
        """Raise InvalidTransitionError unless the lifecycle table allows ``target`` now."""
        check_material_transition(self.id, self.status, target)

    def move_to(self, target: MaterialStatus, now: datetime) -> None:
        """Change status as the lifecycle table allows, or raise InvalidTransitionError."""
        self.check_move(target)
        self.status = target
        self.updated_at = now

    def record_analysis(
        self,
        now: datetime,
        *,
        summary: str,
        key_points: tuple[str, ...],
        keywords: tuple[str, ...],
        suggested_angles: tuple[ContentAngle, ...],
        sentiment: Sentiment | None,
        content_pillar: str | None,
    ) -> None:
        """PROCESSING → ANALYZED with what the analysis found."""
        self.move_to(MaterialStatus.ANALYZED, now)
        self.summary = summary
        self.key_points = key_points
        self.keywords = keywords
        self.suggested_angles = suggested_angles
        self.sentiment = sentiment
        self.content_pillar = content_pillar

    def record_embedding(self, embedding_id: str, now: datetime) -> None:
        """ANALYZED → READY, with the embedding of its text."""
        self.move_to(MaterialStatus.READY, now)
        self.embedding_id = embedding_id

    @property
    def is_selectable(self) -> bool:
        """Whether posts may be generated from it (READY or USED)."""
        return self.status in SELECTABLE_MATERIAL_STATUSES

    def record_use(self, at: datetime) -> None:
        """A post was published from it: usage_count + 1, last_used_at, and USED.

        A material archived (or otherwise moved) since the post was generated keeps its
        status; its use is still counted, because the post did go out.
        """
        if self.status is MaterialStatus.READY:
            self.move_to(MaterialStatus.USED, at)
        self.usage_count += 1
        self.last_used_at = at
        self.updated_at = at

    @property
    def text(self) -> str:
        """The text the generator and the embedder work from."""
        parts = [self.name, self.summary, self.original_content, self.url]
        return "\n".join(part for part in parts if part)
