"""Materials: what the agent writes posts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rabbit.domain.enums import ContentAngle, MaterialStatus, MaterialType, Sentiment
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

    def move_to(self, target: MaterialStatus) -> None:
        """Change status as the lifecycle table allows, or raise InvalidTransitionError."""
        check_material_transition(self.id, self.status, target)
        self.status = target

    def mark_used(self, at: datetime) -> None:
        """A post was published from it."""
        if self.status != MaterialStatus.USED:
            self.move_to(MaterialStatus.USED)
        self.usage_count += 1
        self.last_used_at = at

    @property
    def text(self) -> str:
        """The text the generator and the embedder work from."""
        parts = [self.name, self.summary, self.original_content, self.url]
        return "\n".join(part for part in parts if part)
