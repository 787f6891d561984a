"""Rules for users' emails and organisations' slugs (docs/domain.md#identity)."""

from __future__ import annotations

import re

from rabbit.domain.errors import ValidationError

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG_MAX_LENGTH = 63


def normalise_email(email: str) -> str:
    """The stored form of an email: trimmed and lower-cased, so uniqueness ignores case.

    Raises ValidationError("email") when it does not look like an address.
    """
    normalised = email.strip().lower()
    if not _EMAIL.fullmatch(normalised):
        raise ValidationError("email", "must be an email address")
    return normalised


def check_slug(slug: str) -> str:
    """A slug is lower-case letters, digits and single inner hyphens, at most 63 characters.

    Returned unchanged when valid; ValidationError("slug") otherwise (no silent rewriting,
    since the slug is part of the organisation's URLs).
    """
    if len(slug) > SLUG_MAX_LENGTH or not _SLUG.fullmatch(slug):
        raise ValidationError(
            "slug", "must be lower-case letters, digits and hyphens (at most 63 characters)"
        )
    return slug
