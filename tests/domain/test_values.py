"""Every value object round-trips through its JSON form; bad documents name their field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabbit.domain.enums import SocialPlatform
from rabbit.domain.errors import ValidationError
from rabbit.domain.values import (
    SECRET_MASK,
    BrandColors,
    ContentPillar,
    ContentPillars,
    CustomSourceConfig,
    ExamplePost,
    LanguageRules,
    PlatformSetting,
    PlatformSettings,
    ShopifySourceConfig,
    WooCommerceSourceConfig,
)

hex_colours = st.from_regex(r"#[0-9A-F]{6}", fullmatch=True)
# what PostgreSQL can store: no NUL, no lone surrogate (both refused: ADR 0013)
storable = st.characters(codec="utf-8", exclude_characters="\x00")
non_blank = st.text(storable, min_size=1, max_size=30).filter(lambda s: s.strip())
intensities = st.sampled_from(["none", "minimal", "moderate", "heavy"])
word_tuples = st.lists(non_blank, max_size=4).map(tuple)
optional_words = st.none() | word_tuples

brand_colors = st.builds(
    BrandColors,
    primary=hex_colours,
    secondary=hex_colours,
    accent=hex_colours,
    background=hex_colours,
    text=hex_colours,
)
language_rules = st.builds(
    LanguageRules,
    words_to_use=word_tuples,
    words_to_avoid=word_tuples,
    emoji_usage=intensities,
    hashtag_style=intensities,
    cta_style=st.sampled_from(["none", "soft", "direct"]),
)
example_posts = st.builds(ExamplePost, platform=st.sampled_from(SocialPlatform), content=non_blank)
platform_settings = st.builds(
    PlatformSettings,
    platforms=st.dictionaries(
        st.sampled_from(SocialPlatform),
        st.builds(
            PlatformSetting,
            enabled=st.booleans(),
            tone_override=optional_words,
            custom_context_override=st.none() | st.text(storable, max_size=30),
            hashtags_default=optional_words,
        ),
    ),
)
secret = st.none() | st.text(storable, min_size=1, max_size=20)
secret_maps = st.dictionaries(
    st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}", fullmatch=True), st.text(storable, max_size=10)
)
external_configs = st.one_of(
    st.builds(
        lambda api_key, api_secret, store_url, legacy: ShopifySourceConfig.from_json(
            {
                k: v
                for k, v in {
                    "api_key": api_key,
                    "api_secret": api_secret,
                    "store_url": store_url,
                    "legacy": legacy,
                }.items()
                if v is not None
            }
        ),
        api_key=secret,
        api_secret=secret,
        store_url=secret,
        legacy=secret_maps,
    ),
    st.builds(
        lambda consumer_secret: WooCommerceSourceConfig.from_json(
            {"consumer_secret": consumer_secret} if consumer_secret else {}
        ),
        consumer_secret=secret,
    ),
    st.builds(lambda headers: CustomSourceConfig.from_json({"headers": headers}), secret_maps),
)


@st.composite
def content_pillars(draw: st.DrawFn) -> ContentPillars:
    names = draw(st.lists(non_blank, max_size=4, unique_by=str.casefold))
    if not names:
        return ContentPillars()
    cuts = sorted(
        draw(st.lists(st.integers(0, 100), min_size=len(names) - 1, max_size=len(names) - 1))
    )
    bounds = [0, *cuts, 100]
    return ContentPillars(
        pillars=tuple(
            ContentPillar(name=name, percentage=bounds[i + 1] - bounds[i])
            for i, name in enumerate(names)
        )
    )


@settings(max_examples=100, deadline=None)
@given(
    value=st.one_of(
        brand_colors,
        language_rules,
        example_posts,
        platform_settings,
        external_configs,
        st.builds(ContentPillar, name=non_blank, percentage=st.floats(0, 100)),
    )
)
def test_value_objects_round_trip_through_json(value: Any) -> None:
    assert type(value).from_json(value.to_json()) == value


@settings(max_examples=100, deadline=None)
@given(value=content_pillars())
def test_content_pillars_round_trip_through_their_list_form(value: ContentPillars) -> None:
    assert ContentPillars.of(value.to_list()) == value
    assert ContentPillars.from_json(value.to_json()) == value


@settings(max_examples=100, deadline=None)
@given(value=platform_settings)
def test_platform_settings_round_trip_through_their_mapping_form(value: PlatformSettings) -> None:
    assert PlatformSettings.of(value.to_mapping()) == value


def test_defaults_are_the_documented_palette_and_rules() -> None:
    assert BrandColors().to_json() == {
        "primary": "#3B82F6",
        "secondary": "#8B5CF6",
        "accent": "#10B981",
        "background": "#FFFFFF",
        "text": "#1F2937",
    }
    assert LanguageRules().to_json() == {
        "words_to_use": [],
        "words_to_avoid": [],
        "emoji_usage": "minimal",
        "hashtag_style": "moderate",
        "cta_style": "soft",
    }


@pytest.mark.parametrize("colour", ["red", "#FFF", "#GGGGGG", "3B82F6", "#3B82F6 ", "#3B82F6A"])
def test_a_bad_colour_names_its_field(colour: str) -> None:
    with pytest.raises(ValidationError) as error:
        BrandColors.from_json({"accent": colour})
    assert error.value.field == "brand_colors.accent"


@pytest.mark.parametrize(
    "pillars",
    [
        [{"name": "tips", "percentage": 50}],
        [{"name": "tips", "percentage": 60}, {"name": "news", "percentage": 60}],
        [{"name": "tips", "percentage": 50}, {"name": "TIPS", "percentage": 50}],
        [{"name": "tips", "percentage": 150}],
        [{"name": "tips", "percentage": -5}],
        [{"name": " ", "percentage": 100}],
    ],
)
def test_inconsistent_pillars_are_refused_as_content_pillars(pillars: list[Any]) -> None:
    with pytest.raises(ValidationError) as error:
        ContentPillars.of(pillars)
    assert error.value.field.startswith("content_pillars")


def test_an_unknown_platform_key_is_refused_as_platform_settings() -> None:
    with pytest.raises(ValidationError) as error:
        PlatformSettings.of({"MYSPACE": {"enabled": True}})
    assert error.value.field.startswith("platform_settings")
    assert "MYSPACE" in error.value.field


@pytest.mark.parametrize(
    ("model", "document", "field"),
    [
        (LanguageRules, {"emoji_usage": "lots"}, "language_rules.emoji_usage"),
        (LanguageRules, {"words_to_use": ["ok", " "]}, "language_rules.words_to_use"),
        (ExamplePost, {"platform": "TWITTER", "content": ""}, "example_post.content"),
        (ExamplePost, {"platform": "MYSPACE", "content": "hi"}, "example_post.platform"),
        (BrandColors, {"primary": "#000000", "shade": "#111111"}, "brand_colors.shade"),
    ],
)
def test_other_bad_documents_name_their_field(
    model: Any, document: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        model.from_json(document)
    assert error.value.field == field


def test_external_source_secrets_stay_out_of_the_repr() -> None:
    config = ShopifySourceConfig.from_json({"api_key": "sk-live-123", "store_url": "https://s"})

    assert "sk-live-123" not in repr(config)
    assert config.secrets() == {"api_key": "sk-live-123"}


def test_every_secret_is_masked_and_every_plain_field_kept_in_the_read_form() -> None:
    config = CustomSourceConfig.from_json(
        {"headers": {"Authorization": "Bearer x"}, "legacy": {"region": "eu-secret?"}}
    )
    assert config.masked() == {
        "headers": {"Authorization": SECRET_MASK},
        "legacy": {"region": SECRET_MASK},
    }
    assert config.secrets() == {"headers.Authorization": "Bearer x", "legacy.region": "eu-secret?"}
    shop = ShopifySourceConfig.from_json({"api_version": "2025-01", "webhook_secret": "w"})
    assert shop.masked() == {"api_version": "2025-01", "webhook_secret": SECRET_MASK}
