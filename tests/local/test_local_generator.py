"""The template generator honours the brand's language rules and the platforms' limits."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabbit.application.ports import GenerationRequest
from rabbit.domain.enums import ContentAngle, MaterialType, SocialPlatform
from rabbit.domain.model import BrandProfile, Material
from rabbit.domain.values import LanguageRules, PlatformSetting, PlatformSettings
from rabbit_local import TemplateContentGenerator
from rabbit_local.templates import CTAS
from rabbit_local.text_rules import contains_word, count_emoji

T0 = datetime(2026, 1, 1, tzinfo=UTC)
generator = TemplateContentGenerator()


def brand(**rules: object) -> BrandProfile:
    return BrandProfile(
        id="b1",
        organization_id="org1",
        name="Acme",
        target_audience="busy parents",
        language_rules=LanguageRules.model_validate(rules),
        created_at=T0,
        updated_at=T0,
    )


def material(material_id: str = "m1", summary: str | None = None) -> Material:
    return Material(
        id=material_id,
        organization_id="org1",
        type=MaterialType.TEXT,
        name="Acme Lunchbox",
        summary=summary or "A leak-proof lunchbox that keeps food warm for six hours.",
        key_points=("Keeps food warm", "Dishwasher safe", "Fits every school bag"),
        keywords=("lunchbox", "school lunch", "meal prep", "family"),
        created_at=T0,
        updated_at=T0,
    )


def request(
    brand_profile: BrandProfile | None = None,
    material_: Material | None = None,
    angle: ContentAngle = ContentAngle.PRODUCT_FOCUS,
    platforms: tuple[SocialPlatform, ...] = (SocialPlatform.LINKEDIN,),
    avoid: tuple[str, ...] = (),
) -> GenerationRequest:
    return GenerationRequest(
        brand=brand_profile or brand(),
        material=material_ or material(),
        angle=angle,
        platforms=platforms,
        avoid=avoid,
    )


async def test_the_same_request_gives_the_same_post() -> None:
    assert await generator.generate(request()) == await generator.generate(request())


async def test_posts_vary_across_materials_and_angles() -> None:
    by_material = {
        (await generator.generate(request(material_=material(f"m{i}")))).content for i in range(12)
    }
    by_angle = {(await generator.generate(request(angle=a))).content for a in ContentAngle}
    assert len(by_material) >= 3
    assert len(by_angle) == len(ContentAngle)


async def test_the_post_is_about_the_material() -> None:
    result = await generator.generate(request())
    assert "Acme Lunchbox" in result.content
    assert "keeps food warm for six hours" in result.content


async def test_a_recent_text_to_avoid_is_not_repeated() -> None:
    first = await generator.generate(request())
    second = await generator.generate(request(avoid=(first.content,)))
    assert second.content != first.content


async def test_words_to_avoid_are_removed_case_insensitively() -> None:
    rules = {"words_to_avoid": ("LUNCHBOX", "warm")}
    result = await generator.generate(request(brand(**rules)))
    for word in ("lunchbox", "warm"):
        assert not contains_word(result.content, word)
        assert not any(word in tag.casefold() for tag in result.hashtags)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), angle=st.sampled_from(ContentAngle))
async def test_no_word_of_the_generated_text_survives_being_avoided(
    data: st.DataObject, angle: ContentAngle
) -> None:
    plain = await generator.generate(request(angle=angle))
    vocabulary = sorted(set(re.findall(r"[A-Za-z][A-Za-z'-]+", plain.content)))
    avoided = data.draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=6))
    rules = {"words_to_avoid": tuple(w.upper() if len(w) % 2 else w for w in avoided)}

    result = await generator.generate(request(brand(**rules), angle=angle))

    for word in avoided:
        assert not contains_word(result.content, word)
        assert not any(contains_word(tag.lstrip("#"), word) for tag in result.hashtags)


async def test_words_to_use_appear_unless_also_avoided() -> None:
    rules = {"words_to_use": ("sturdy", "honest"), "words_to_avoid": ("honest",)}
    result = await generator.generate(request(brand(**rules)))
    assert contains_word(result.content, "sturdy")
    assert not contains_word(result.content, "honest")


@pytest.mark.parametrize(
    ("usage", "expected"), [("none", 0), ("minimal", 1), ("moderate", 2), ("heavy", 4)]
)
async def test_emoji_count_follows_the_emoji_usage(usage: str, expected: int) -> None:
    for angle in ContentAngle:
        result = await generator.generate(request(brand(emoji_usage=usage), angle=angle))
        assert count_emoji(result.content) == expected


async def test_no_emoji_means_none_even_from_the_material() -> None:
    noisy = dataclasses.replace(material(), summary="Lunch, sorted 🍱🎉 for the whole week.")
    result = await generator.generate(request(brand(emoji_usage="none"), noisy))
    assert count_emoji(result.content) == 0


@pytest.mark.parametrize(("style", "expected"), [("none", 0), ("minimal", 2), ("moderate", 3)])
async def test_hashtag_count_follows_the_hashtag_style(style: str, expected: int) -> None:
    result = await generator.generate(request(brand(hashtag_style=style)))
    assert len(result.hashtags) == expected
    assert all(tag.startswith("#") and " " not in tag for tag in result.hashtags)
    assert "#" not in result.content


async def test_platform_default_hashtags_come_first() -> None:
    settings_ = PlatformSettings(
        platforms={SocialPlatform.LINKEDIN: PlatformSetting(hashtags_default=("AcmeLife",))}
    )
    brand_profile = dataclasses.replace(brand(hashtag_style="minimal"), platform_settings=settings_)
    result = await generator.generate(request(brand_profile))
    assert result.hashtags == ("#AcmeLife", "#lunchbox")


async def test_no_call_to_action_when_the_style_is_none() -> None:
    every_cta = [cta for ctas in CTAS.values() for cta in ctas]
    result = await generator.generate(request(brand(cta_style="none")))
    assert not any(cta in result.content for cta in every_cta)


@pytest.mark.parametrize("style", ["soft", "direct"])
async def test_the_call_to_action_matches_the_style(style: str) -> None:
    result = await generator.generate(request(brand(cta_style=style)))
    assert any(cta in result.content for cta in CTAS[style])


@settings(max_examples=30, deadline=None)
@given(
    summary=st.text(
        alphabet=st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=1500
    ).filter(str.strip),
    style=st.sampled_from(["none", "minimal", "moderate", "heavy"]),
)
async def test_a_tweet_fits_in_280_characters_with_its_hashtags(summary: str, style: str) -> None:
    rules = {"hashtag_style": style, "emoji_usage": style}
    result = await generator.generate(
        request(brand(**rules), material(summary=summary), platforms=(SocialPlatform.TWITTER,))
    )
    total = len(result.content) + sum(len(tag) + 1 for tag in result.hashtags)
    assert len(result.content) > 0
    assert total <= 280


async def test_the_tightest_platform_limit_applies() -> None:
    long_summary = " ".join(["A lunchbox that keeps every meal warm and fresh."] * 30)
    result = await generator.generate(
        request(
            material_=material(summary=long_summary),
            platforms=(SocialPlatform.LINKEDIN, SocialPlatform.TWITTER),
        )
    )
    assert len(result.content) + sum(len(t) + 1 for t in result.hashtags) <= 280
