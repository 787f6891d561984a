"""The JSON value objects (docs/domain.md#value-objects-jsonb): frozen, self-validating, stored as
jsonb.

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

from rabbit.domain.enums import ExternalSourceType, SocialPlatform
from rabbit.domain.errors import ValidationError
from rabbit.domain.limits import (
    MAX_CONFIG_KEYS,
    MAX_PILLARS,
    MAX_POST,
    MAX_SECRET,
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


SECRET_MASK = "********"
"""What a listing shows for a secret that is set (never anything of the value)."""

_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$")
"""An HTTP field name (RFC 9110 token), at most 64 characters."""

ConfigKey = Annotated[str, Field(min_length=1, max_length=MAX_SHORT_TEXT)]
PlainSetting = Annotated[str, Field(max_length=MAX_SHORT_TEXT)]


class ExternalSourceConfig(ValueObject):
    """Connection settings of an external source; one subclass per
    :class:`~rabbit.domain.enums.ExternalSourceType` declares its fields
    (docs/adr/0016-secrets-bound-to-their-place.md). A field is secret or not: secret
    values are ``SecretStr`` (no repr or log shows them) and hold ciphertext once stored
    (the token cipher encrypts them, bound to their place, before a repository sees them).

    ``legacy`` holds the values of keys a row had before fields were declared (the 0005
    migration moved and encrypted them): secret, read-only, refused as input.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    SOURCE_TYPE: ClassVar[ExternalSourceType]
    PLAIN_FIELDS: ClassVar[tuple[str, ...]] = ()
    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ()
    SECRET_MAPS: ClassVar[tuple[str, ...]] = ()
    """Fields that map names to secret values (a custom source's ``headers``)."""

    legacy: dict[ConfigKey, SecretStr] = Field(default_factory=dict)

    @classmethod
    def declared(cls) -> tuple[str, ...]:
        """The fields a caller may set."""
        return (*cls.PLAIN_FIELDS, *cls.SECRET_FIELDS, *cls.SECRET_MAPS)

    def _leaves(self) -> dict[str, str | SecretStr]:
        """Every value that is set, by path (``api_key``, ``headers.Authorization``)."""
        leaves: dict[str, str | SecretStr] = {}
        for name in self.PLAIN_FIELDS + self.SECRET_FIELDS:
            value = getattr(self, name)
            if value is not None:
                leaves[name] = value
        for name in (*self.SECRET_MAPS, "legacy"):
            for key, secret in getattr(self, name).items():
                leaves[f"{name}.{key}"] = secret
        return leaves

    def to_json(self) -> dict[str, Any]:
        """The stored form: secret values as held (encrypted), unset fields left out."""
        data: dict[str, Any] = {}
        for path, value in self._leaves().items():
            plain = value.get_secret_value() if isinstance(value, SecretStr) else value
            name, _, key = path.partition(".")
            if key:
                data.setdefault(name, {})[key] = plain
            else:
                data[name] = plain
        return data

    def secrets(self) -> dict[str, str]:
        """Every secret value that is set, by path (as held: plain or encrypted)."""
        return {
            path: value.get_secret_value()
            for path, value in self._leaves().items()
            if isinstance(value, SecretStr)
        }

    def with_secrets(self, secrets: Mapping[str, str]) -> Self:
        """A copy whose secret values (by path) are replaced: to encrypt or decrypt them."""
        data = self.to_json()
        for path, value in secrets.items():
            name, _, key = path.partition(".")
            if key:
                data.setdefault(name, {})[key] = value
            else:
                data[name] = value
        return parse_value(type(self), data, field_prefix="connection_config", stored=True)

    def masked(self) -> dict[str, Any]:
        """The read form: plain values as they are, each secret that is set as
        :data:`SECRET_MASK` (so a reader learns that it is set, and nothing of it)."""
        masked = self.with_secrets(dict.fromkeys(self.secrets(), SECRET_MASK))
        return masked.to_json()


class ShopifySourceConfig(ExternalSourceConfig):
    """A Shopify store: the Admin API credentials and the webhook signing secret."""

    SOURCE_TYPE = ExternalSourceType.SHOPIFY
    PLAIN_FIELDS = ("store_url", "api_version")
    SECRET_FIELDS = ("api_key", "api_secret", "access_token", "webhook_secret")

    store_url: PublicUrl | None = None
    api_version: PlainSetting | None = None
    api_key: SecretStr | None = None
    api_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None


class WooCommerceSourceConfig(ExternalSourceConfig):
    """A WooCommerce store: the REST API key pair and the webhook signing secret."""

    SOURCE_TYPE = ExternalSourceType.WOOCOMMERCE
    PLAIN_FIELDS = ("store_url", "api_version")
    SECRET_FIELDS = ("consumer_key", "consumer_secret", "webhook_secret")

    store_url: PublicUrl | None = None
    api_version: PlainSetting | None = None
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    webhook_secret: SecretStr | None = None


class CustomSourceConfig(ExternalSourceConfig):
    """A custom feed, read at the source's ``store_url`` with the named HTTP ``headers``
    (``Authorization``, ``X-Api-Key`` …): every header value is secret, the names are not."""

    SOURCE_TYPE = ExternalSourceType.CUSTOM
    SECRET_MAPS = ("headers",)

    headers: dict[ConfigKey, SecretStr] = Field(default_factory=dict)

    @field_validator("headers")
    @classmethod
    def _header_names(cls, headers: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for name in headers:
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(f"{quote(name)} is not an HTTP header name")
        return headers


SOURCE_CONFIGS: dict[ExternalSourceType, type[ExternalSourceConfig]] = {
    config.SOURCE_TYPE: config
    for config in (ShopifySourceConfig, WooCommerceSourceConfig, CustomSourceConfig)
}


def stored_source_config(
    source_type: ExternalSourceType, data: Mapping[str, Any] | None
) -> ExternalSourceConfig:
    """The stored (jsonb) config of a source of ``source_type``."""
    return parse_value(
        SOURCE_CONFIGS[source_type], data or {}, field_prefix="connection_config", stored=True
    )


def source_config_input(source_type: ExternalSourceType, data: Any) -> ExternalSourceConfig:
    """A caller's config for a new source of ``source_type``: at most
    :data:`MAX_CONFIG_KEYS` values, only the type's declared fields (an undeclared key is a
    ValidationError naming ``connection_config.<key>``), no secret longer than
    :data:`MAX_SECRET`. The secrets are still plain: the caller encrypts them."""
    config_type = SOURCE_CONFIGS[source_type]
    if not isinstance(data, Mapping):
        raise ValidationError("connection_config", "must be an object")
    values = sum(len(v) if isinstance(v, Mapping) else 1 for v in data.values())
    if len(data) > MAX_CONFIG_KEYS or values > MAX_CONFIG_KEYS:
        raise ValidationError("connection_config", f"must have at most {MAX_CONFIG_KEYS} values")
    declared = config_type.declared()
    for key in data:
        if key not in declared:
            fields = ", ".join(declared) or "none"
            raise ValidationError(
                f"connection_config.{shorten(str(key))}",
                f"is not a field of a {source_type} source (its fields: {fields})",
            )
    config = parse_value(config_type, data, field_prefix="connection_config")
    for path, secret in config.secrets().items():
        if len(secret) > MAX_SECRET:
            raise ValidationError(
                f"connection_config.{shorten(path)}", f"must be at most {MAX_SECRET} characters"
            )
    return config
