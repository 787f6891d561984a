"""Upload rules per material type (docs/behaviour.md#material-lifecycle).

- TEXT needs ``original_content`` (not blank).
- URL needs an absolute http(s) url with a host.
- FILE, IMAGE and VIDEO need ``file_key``, ``file_size > 0`` and a mime type matching the
  type: ``image/*`` for IMAGE, ``video/*`` for VIDEO, any well-formed ``type/subtype`` for
  FILE.

What a publication does to a material is :meth:`~rabbit.domain.model.Material.record_use`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rabbit.domain.enums import MaterialType
from rabbit.domain.errors import ValidationError

_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_MIME_PREFIX: dict[MaterialType, str] = {MaterialType.IMAGE: "image/", MaterialType.VIDEO: "video/"}
_FILE_TYPES = frozenset({MaterialType.FILE, MaterialType.IMAGE, MaterialType.VIDEO})


def validate_upload(
    material_type: MaterialType,
    *,
    original_content: str | None,
    url: str | None,
    file_key: str | None,
    file_size: int | None,
    mime_type: str | None,
) -> None:
    """Raise ValidationError naming the first missing or malformed field of the type."""
    if material_type is MaterialType.TEXT:
        if not original_content or not original_content.strip():
            raise ValidationError("original_content", "a TEXT material needs its content")
    elif material_type is MaterialType.URL:
        check_http_url(url, "url")
    elif material_type in _FILE_TYPES:
        if not file_key or not file_key.strip():
            raise ValidationError("file_key", f"a {material_type} material needs a file key")
        if file_size is None or file_size <= 0:
            raise ValidationError("file_size", "must be a positive number of bytes")
        mime = (mime_type or "").strip().lower()
        if not _MIME.fullmatch(mime):
            raise ValidationError("mime_type", "must be a mime type such as image/png")
        prefix = _MIME_PREFIX.get(material_type)
        if prefix is not None and not mime.startswith(prefix):
            raise ValidationError("mime_type", f"a {material_type} material needs {prefix}*")


def check_http_url(url: str | None, field: str) -> str:
    """An absolute http or https url with a host, or ValidationError(field)."""
    if not url or any(ch.isspace() for ch in url):
        raise ValidationError(field, "must be an http(s) url")
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValidationError(field, "must be an http(s) url")
    return url
