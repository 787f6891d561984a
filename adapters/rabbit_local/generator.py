"""A template content generator: the local stand-in for an AI model.

Deterministic (seeded by material id, angle and platforms) but varied across materials and
angles, and faithful to the brand's language rules: never a word of ``words_to_avoid``,
emoji and hashtags in the amounts ``emoji_usage`` and ``hashtag_style`` ask for, a call to
action as ``cta_style`` says, and within the tightest length limit of the target platforms.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from rabbit.application.ports.generator import GeneratedContent, GenerationRequest
from rabbit.domain.model import BrandProfile, Material
from rabbit.domain.values import LanguageRules
from rabbit_local.templates import (
    CTAS,
    EMOJI,
    EMOJI_COUNTS,
    HASHTAG_COUNTS,
    HOOKS,
    POINT_LEADS,
    WORDS_TO_USE_LINES,
)
from rabbit_local.text_rules import (
    contains_word,
    limit_for,
    remove_words,
    strip_emoji,
    tidy,
    truncate_words,
)

_MAX_POINTS = 3
_MAX_VARIANTS = 8
_ENERGETIC_TONES = frozenset({"playful", "energetic", "enthusiastic", "bold", "excited", "fun"})
_TAG_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class _Parts:
    """The pieces of a post, in the order they are dropped when the post is too long."""

    hook: str
    summary: str
    points: tuple[str, ...]
    words_line: str
    cta: str
    emoji: tuple[str, ...]


class TemplateContentGenerator:
    """The ContentGenerator port without a model."""

    async def generate(self, request: GenerationRequest) -> GeneratedContent:
        avoid_texts = {text.strip() for text in request.avoid}
        result = self._variant(request, 0)
        for variant in range(1, _MAX_VARIANTS):
            if result.content.strip() not in avoid_texts:
                break
            result = self._variant(request, variant)
        return result

    def _variant(self, request: GenerationRequest, variant: int) -> GeneratedContent:
        rules = request.brand.language_rules
        rng = random.Random(_seed(request, variant))
        parts = _compose(request, rules, rng)
        hashtags = _hashtags(request, rules)
        content = _fit(parts, hashtags, rules, limit_for(request.platforms))
        fitted_tags = _fit_hashtags(content, hashtags, limit_for(request.platforms))
        return GeneratedContent(content=content, hashtags=fitted_tags)


def _seed(request: GenerationRequest, variant: int) -> int:
    key = "|".join([request.material.id, request.angle, ",".join(request.platforms), str(variant)])
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def _compose(request: GenerationRequest, rules: LanguageRules, rng: random.Random) -> _Parts:
    brand, material, angle = request.brand, request.material, request.angle
    slots = {
        "subject": _subject(brand, material),
        "audience": brand.target_audience or "teams like yours",
        "brand": brand.name,
    }
    hook = rng.choice(HOOKS[angle]).format(**slots)
    if _energetic(request):
        hook = hook[:-1] + "!" if hook.endswith(".") else hook
    # A point that needs a banned word is dropped whole rather than left half a sentence.
    points = tuple(
        strip_emoji(p) for p in material.key_points if p.strip() and not _avoided(p, rules)
    )[:_MAX_POINTS]
    if points:
        points = (rng.choice(POINT_LEADS[angle]), *(f"- {p}" for p in points))
    usable = [w for w in rules.words_to_use if not _avoided(w, rules)]
    words_line = ""
    if usable:
        chosen = usable[:2]
        words_line = rng.choice(WORDS_TO_USE_LINES).format(words=" and ".join(chosen))
    ctas = CTAS[rules.cta_style]
    emoji_pool = EMOJI[angle]
    count = EMOJI_COUNTS[rules.emoji_usage]
    emoji = tuple(rng.sample(emoji_pool, min(count, len(emoji_pool))))
    return _Parts(
        hook=hook,
        summary=strip_emoji(_summary(material)),
        points=points,
        words_line=words_line,
        cta=rng.choice(ctas) if ctas else "",
        emoji=emoji,
    )


def _subject(brand: BrandProfile, material: Material) -> str:
    if material.name and material.name.strip():
        return strip_emoji(material.name.strip().rstrip("."))
    if material.keywords:
        return material.keywords[0]
    return brand.name


def _summary(material: Material) -> str:
    if material.summary and material.summary.strip():
        return material.summary.strip()
    text = (material.original_content or "").strip()
    first_sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0] if text else ""
    return first_sentence[:400]


def _energetic(request: GenerationRequest) -> bool:
    tones = {t.casefold() for t in request.brand.tone}
    for platform in request.platforms:
        setting = request.brand.platform_settings.platforms.get(platform)
        if setting is not None and setting.tone_override is not None:
            tones |= {t.casefold() for t in setting.tone_override}
    return bool(tones & _ENERGETIC_TONES)


def _avoided(text: str, rules: LanguageRules) -> bool:
    return any(contains_word(text, word) for word in rules.words_to_avoid)


def _render(parts: _Parts, *, with_points: bool, with_words: bool) -> str:
    """Hook, summary, key points, the brand's words, the call to action. The first emoji
    opens the hook, the others close the sentences after it (or the last line)."""
    emoji = list(parts.emoji)
    blocks = [f"{emoji.pop(0)} {parts.hook}" if emoji else parts.hook]
    for sentence, is_point_block in (
        (parts.summary, False),
        ("\n".join(parts.points) if with_points else "", True),
        (parts.words_line if with_words else "", False),
        (parts.cta, False),
    ):
        if not sentence:
            continue
        if emoji and not is_point_block:
            sentence = f"{sentence} {emoji.pop(0)}"
        blocks.append(sentence)
    if emoji:
        blocks[-1] = f"{blocks[-1]} {' '.join(emoji)}"
    return "\n\n".join(blocks)


def _clean(text: str, rules: LanguageRules) -> str:
    return tidy(remove_words(text, rules.words_to_avoid))


def _fit(parts: _Parts, hashtags: tuple[str, ...], rules: LanguageRules, limit: int) -> str:
    """The fullest rendering that fits with at least the first hashtags; otherwise the
    shortest one cut at a word boundary."""
    minimal_tags = hashtags[:1]
    budget = limit - (len(" ".join(minimal_tags)) + 1 if minimal_tags else 0)
    candidate = ""
    for with_points, with_words in ((True, True), (False, True), (False, False)):
        candidate = _clean(_render(parts, with_points=with_points, with_words=with_words), rules)
        if len(candidate) <= budget:
            return candidate
    return _clean(truncate_words(candidate, budget), rules)


def _fit_hashtags(content: str, hashtags: tuple[str, ...], limit: int) -> tuple[str, ...]:
    kept: list[str] = []
    length = len(content)
    for tag in hashtags:
        extra = len(tag) + 1
        if length + extra > limit:
            break
        kept.append(tag)
        length += extra
    return tuple(kept)


def _hashtags(request: GenerationRequest, rules: LanguageRules) -> tuple[str, ...]:
    """Up to the style's count: the platforms' default hashtags first (the brand's own
    choice), then the material's keywords; none that contains a banned word."""
    wanted = HASHTAG_COUNTS[rules.hashtag_style]
    if wanted == 0:
        return ()
    sources: list[str] = []
    for platform in request.platforms:
        setting = request.brand.platform_settings.platforms.get(platform)
        if setting is not None and setting.hashtags_default:
            sources.extend(setting.hashtags_default)
    sources.extend(request.material.keywords)
    sources.extend((request.material.suggested_angles and ()) or ())
    tags: list[str] = []
    for source in sources:
        tag = _as_hashtag(source)
        if (
            tag
            and tag.casefold() not in {t.casefold() for t in tags}
            and not _tag_avoided(tag, rules)
        ):
            tags.append(tag)
        if len(tags) == wanted:
            break
    return tuple(tags)


def _as_hashtag(text: str) -> str:
    words = _TAG_WORD.findall(strip_emoji(text.lstrip("#")))
    if not words:
        return ""
    if len(words) == 1:
        return f"#{words[0]}"
    return "#" + "".join(word[:1].upper() + word[1:] for word in words)


def _tag_avoided(tag: str, rules: LanguageRules) -> bool:
    """Stricter than whole words: a tag that merely contains a banned word is dropped."""
    body = tag.lstrip("#").casefold()
    return any(
        word.casefold().replace(" ", "") in body or contains_word(tag, word)
        for word in rules.words_to_avoid
    )
