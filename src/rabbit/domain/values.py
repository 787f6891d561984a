"""The JSON value objects of domain.md: frozen, self-validating, stored as jsonb.

They are pydantic models (see docs/adr/0002-where-pydantic-is-used.md): pydantic validates
input once, at construction, and gives an exact JSON round trip. Keys are stored in
snake_case, exactly as the attribute names (``to_json``/``from_json``).

Validation failures surface as :class:`rabbit.domain.errors.ValidationError` naming the field
through :func:`parse_value`; constructing a model directly raises pydantic's own error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from rabbit.domain.enums import SocialPlatform
from rabbit.domain.errors import ValidationError
from rabbit.domain.limits import (
    MAX_CONFIG_KEYS,
    MAX_PILLARS,
    MAX_POST,
    MAX_SHORT_TEXT,
    MAX_TEXT,
    MAX_URL,
    MAX_WORD,
    MAX_WORDS,
    check_document,
    quote,
    shorten,
)
from rabbit.domain.policies.urls import UnsafeUrlError, public_url_host

_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class ValueObject(BaseModel):
    """Base of every value object: immutable, no unknown keys, exact JSON round trip."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        """No NUL or lone surrogate, no naive datetime, no document too deep or too large
        (:func:`~rabbit.domain.limits.check_document`), before pydantic reads anything."""
        check_document(data)
        return data

    def to_json(self) -> dict[str, Any]:
        """The jsonb form (snake_case keys, secrets as stored)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Self:
        """Parse the jsonb form (the stored one: rules checked only at the door, such as
        :data:`PublicUrl`, are not checked again); a bad document raises a domain
        ValidationError."""
        return parse_value(cls, data or {}, stored=True)


V = TypeVar("V", bound=BaseModel)

#: The validation context of a stored form being read back (see :data:`PublicUrl`).
STORED = "stored"


def parse_value(model: type[V], data: Any, *, field_prefix: str = "", stored: bool = False) -> V:
    """Validate ``data`` as ``model``; turn pydantic's error into one naming the field.
    ``stored``: ``data`` is a stored form read back, not input."""
    try:
        return model.model_validate(data, context={STORED: True} if stored else None)
    except PydanticValidationError as exc:
        raise to_domain_error(exc, field_prefix=field_prefix or _snake(model.__name__)) from None


def to_domain_error(exc: PydanticValidationError, *, field_prefix: str = "") -> ValidationError:
    """The first error of a pydantic failure as a domain error with a dotted field path."""
    first = exc.errors(include_url=False)[0]
    location = ".".join(shorten(str(part)) for part in first["loc"])
    field = ".".join(part for part in (field_prefix, location) if part) or "input"
    return ValidationError(field, first["msg"])


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _public_url(value: str, info: ValidationInfo) -> str:
    """The door check of :data:`PublicUrl` (skipped for a stored form read back: a URL
    stored before the rule stays readable, and is refused again where it is used)."""
    if isinstance(info.context, dict) and info.context.get(STORED):
        return value
    try:
        public_url_host(value)
    except UnsafeUrlError as exc:
        raise PydanticCustomError("public_url", str(exc)) from None
    return value


PublicUrl = Annotated[str, Field(max_length=MAX_URL), AfterValidator(_public_url)]
"""A URL the service or a browser will follow: public http(s) only, no loopback, private,
link-local or metadata address, no local host name (:mod:`rabbit.domain.policies.urls`,
ADR 0022). Every command field that takes such a URL is declared with it, so a bad one is
a ValidationError naming the field."""


class BrandColors(ValueObject):
    """A brand palette; every colour is ``#RRGGBB``."""

    primary: str = "#3B82F6"
    secondary: str = "#8B5CF6"
    accent: str = "#10B981"
    background: str = "#FFFFFF"
    text: str = "#1F2937"

    @field_validator("primary", "secondary", "accent", "background", "text")
    @classmethod
    def _hex_colour(cls, value: str) -> str:
        if not _HEX_COLOUR.fullmatch(value):
            raise ValueError("must be a hex colour #RRGGBB")
        return value.upper()


Word = Annotated[str, Field(max_length=MAX_WORD)]
"""One word, tone, keyword or hashtag (:data:`~rabbit.domain.limits.MAX_WORD`)."""

Intensity = Literal["none", "minimal", "moderate", "heavy"]
CtaStyle = Literal["none", "soft", "direct"]


class LanguageRules(ValueObject):
    """Words the brand uses and avoids, and how much emoji, hashtags and calls to action."""

    words_to_use: tuple[Word, ...] = Field(default=(), max_length=MAX_WORDS)
    words_to_avoid: tuple[Word, ...] = Field(default=(), max_length=MAX_WORDS)
    emoji_usage: Intensity = "minimal"
    hashtag_style: Intensity = "moderate"
    cta_style: CtaStyle = "soft"

    @field_validator("words_to_use", "words_to_avoid")
    @classmethod
    def _non_blank_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        if any(not word.strip() for word in words):
            raise ValueError("words must not be blank")
        return words


class ExamplePost(ValueObject):
    """A post in the brand's voice, for the generator to imitate."""

    platform: SocialPlatform
    content: str = Field(min_length=1, max_length=MAX_POST)

    @field_validator("content")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ContentPillar(ValueObject):
    """A theme the brand posts about and its target share of posts, in percent."""

    name: str = Field(min_length=1, max_length=MAX_WORD)
    percentage: float = Field(ge=0, le=100, allow_inf_nan=False)

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ContentPillars(ValueObject):
    """A brand's pillars: unique names, percentages summing to 100 when any are given."""

    pillars: tuple[ContentPillar, ...] = Field(default=(), max_length=MAX_PILLARS)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [pillar.name.casefold() for pillar in self.pillars]
        if len(set(names)) != len(names):
            raise ValueError("pillar names must be unique within a brand")
        if self.pillars and abs(sum(p.percentage for p in self.pillars) - 100) > 1e-6:
            raise ValueError("pillar percentages must sum to 100")
        return self

    @classmethod
    def of(cls, pillars: Any) -> ContentPillars:
        """Validate a list of pillar documents (the jsonb form is the bare list)."""
        return parse_value(cls, {"pillars": pillars}, field_prefix="content_pillars")

    def to_list(self) -> list[dict[str, Any]]:
        return [pillar.to_json() for pillar in self.pillars]

    def target(self, name: str) -> float | None:
        for pillar in self.pillars:
            if pillar.name == name:
                return pillar.percentage
        return None


class PlatformSetting(ValueObject):
    """Per-platform overrides of a brand's voice."""

    enabled: bool = True
    tone_override: tuple[Word, ...] | None = Field(default=None, max_length=MAX_WORDS)
    custom_context_override: str | None = Field(default=None, max_length=MAX_TEXT)
    hashtags_default: tuple[Word, ...] | None = Field(default=None, max_length=MAX_WORDS)


class PlatformSettings(ValueObject):
    """A map from social platform to its settings; unknown platform keys are rejected."""

    platforms: dict[SocialPlatform, PlatformSetting] = Field(default_factory=dict)

    @classmethod
    def of(cls, mapping: Any) -> PlatformSettings:
        """Validate the jsonb form (a bare mapping keyed by platform)."""
        return parse_value(cls, {"platforms": mapping}, field_prefix="platform_settings")

    def to_mapping(self) -> dict[str, Any]:
        return {str(platform): s.to_json() for platform, s in sorted(self.platforms.items())}

    def is_enabled(self, platform: SocialPlatform) -> bool:
        setting = self.platforms.get(platform)
        return True if setting is None else setting.enabled


class ExternalSourceConfig(ValueObject):
    """Connection settings of an external source (a shop, a feed).

    The secret fields hold ciphertext once stored (the token cipher encrypts them before any
    repository sees them); they are ``SecretStr`` so neither repr nor logs show them. Extra
    keys are allowed, as plain strings.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    api_key: SecretStr | None = None
    api_secret: SecretStr | None = None
    store_url: PublicUrl | None = None
    webhook_secret: SecretStr | None = None
    access_token: SecretStr | None = None

    SECRET_FIELDS: ClassVar[tuple[str, ...]] = (
        "api_key",
        "api_secret",
        "webhook_secret",
        "access_token",
    )

    @model_validator(mode="after")
    def _extra_values_are_strings(self) -> Self:
        extra = self.model_extra or {}
        if len(extra) > MAX_CONFIG_KEYS:
            raise ValueError(f"must have at most {MAX_CONFIG_KEYS} keys")
        for key, value in extra.items():
            if len(key) > MAX_SHORT_TEXT:
                raise ValueError(f"a key must be at most {MAX_SHORT_TEXT} characters")
            if not isinstance(value, str):
                raise ValueError(f"{quote(key)} must be a string")
        return self

    def to_json(self) -> dict[str, Any]:
        """The stored form: secret fields as their (encrypted) values, ``None`` left out."""
        data: dict[str, Any] = {}
        for key, value in self:
            if value is None:
                continue
            data[key] = value.get_secret_value() if isinstance(value, SecretStr) else value
        return data

    def secrets(self) -> dict[str, str]:
        """The secret fields that are set, by name (values as held: plain or encrypted)."""
        result: dict[str, str] = {}
        for name in self.SECRET_FIELDS:
            value = getattr(self, name)
            if value is not None:
                result[name] = value.get_secret_value()
        return result

    def with_secrets(self, secrets: Mapping[str, str]) -> ExternalSourceConfig:
        """A copy whose secret fields are replaced (used to encrypt or decrypt them)."""
        data = self.to_json()
        data.update(secrets)
        return ExternalSourceConfig.from_json(data)
