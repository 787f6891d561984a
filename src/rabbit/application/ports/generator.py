"""The content generator port (an AI model in production, templates locally)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rabbit.domain.enums import ContentAngle, SocialPlatform
from rabbit.domain.model import BrandProfile, Material


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """What to write: a post about ``material`` in ``brand``'s voice, from ``angle``."""

    brand: BrandProfile
    material: Material
    angle: ContentAngle
    platforms: tuple[SocialPlatform, ...]
    avoid: Sequence[str] = ()
    """Recent texts the result must not repeat (a hint; deduplication still checks)."""


@dataclass(frozen=True, slots=True)
class GeneratedContent:
    content: str
    hashtags: tuple[str, ...] = ()
    media_urls: tuple[str, ...] = ()


class ContentGenerator(Protocol):
    async def generate(self, request: GenerationRequest) -> GeneratedContent:
        """A post for the request. It honours the brand's language rules: no word of
        ``words_to_avoid``, hashtags and emoji as ``hashtag_style`` and ``emoji_usage`` say.
        Raises :class:`rabbit.domain.errors.DomainError` subclasses only."""
        ...
