"""Text rules the template generator applies: banned words, emoji, length limits.

Kept apart from the templates so that each rule is one small, testable function.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rabbit.domain.enums import SocialPlatform

PLATFORM_LIMITS: dict[SocialPlatform, int] = {
    SocialPlatform.TWITTER: 280,
    SocialPlatform.THREADS: 500,
    SocialPlatform.INSTAGRAM: 2200,
    SocialPlatform.TIKTOK: 2200,
    SocialPlatform.LINKEDIN: 3000,
    SocialPlatform.YOUTUBE: 5000,
    SocialPlatform.REDDIT: 40000,
    SocialPlatform.FACEBOOK: 63206,
}
"""Maximum characters of a post (content, a space and the hashtags) per platform."""

_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\u2b00-\u2bff\ufe0f\u200d]"
)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?…])")
_REPEATED_PUNCTUATION = re.compile(r"([,;:])\s*(?=[,.;:!?])")
_BLANKS = re.compile(r"[ \t]+")


def limit_for(platforms: Iterable[SocialPlatform]) -> int:
    """The tightest limit among the platforms a post goes to."""
    return min(
        (PLATFORM_LIMITS[p] for p in platforms), default=PLATFORM_LIMITS[SocialPlatform.TWITTER]
    )


def count_emoji(text: str) -> int:
    return sum(1 for ch in text if _EMOJI.fullmatch(ch) and ch not in "\ufe0f\u200d")


def strip_emoji(text: str) -> str:
    return tidy(_EMOJI.sub("", text))


def _word_pattern(word: str) -> re.Pattern[str]:
    """A case-insensitive whole-word (or whole-phrase) match: no word character may touch
    either end, which also works for words that start or end with punctuation."""
    phrase = r"\s+".join(re.escape(part) for part in word.split())
    return re.compile(rf"(?<!\w){phrase}(?!\w)", re.IGNORECASE)


def contains_word(text: str, word: str) -> bool:
    return bool(word.strip()) and _word_pattern(word).search(text) is not None


def remove_words(text: str, words: Iterable[str]) -> str:
    """``text`` without any whole-word occurrence of ``words``, case-insensitively.

    Repeats until nothing matches: removing a phrase can join its neighbours into a new
    occurrence ("big big sale sale" without "big sale").
    """
    patterns = [_word_pattern(word) for word in words if word.strip()]
    while True:
        cleaned = text
        for pattern in patterns:
            cleaned = pattern.sub(" ", cleaned)
        cleaned = tidy(cleaned)
        if cleaned == text:
            return cleaned
        text = cleaned


def tidy(text: str) -> str:
    """Single spaces, no space before punctuation, no dangling separators, per line."""
    lines = []
    for line in text.splitlines():
        line = _BLANKS.sub(" ", line).strip()
        line = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", line)
        line = _REPEATED_PUNCTUATION.sub("", line)
        line = line.lstrip(",;:.!? ").strip()
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def truncate_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (an ellipsis marks the
    cut). Never splits a word, so no new word appears."""
    if len(text) <= limit:
        return text
    if limit <= len(ellipsis):
        return ""
    cut = text[: limit - len(ellipsis) + 1]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    head = cut[:boundary] if boundary > 0 else ""
    return (head.rstrip(" ,;:-\n") + ellipsis) if head else ""
