"""The base of every use-case input model.

Commands are frozen pydantic models that refuse unknown keys (ADR 0002). Building one with
bad data raises the domain's :class:`~rabbit.domain.errors.ValidationError` naming the
field, never pydantic's own error, so a caller handles one error vocabulary whether the
command was built by hand or parsed from a request body.

A NUL character (``\x00``) is refused in every string of a command, nested ones included:
PostgreSQL's text cannot store it, and the memory store must refuse what the database would.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from rabbit.domain.errors import ValidationError
from rabbit.domain.values import to_domain_error

_NUL = "\x00"


def _refuse_nul(value: Any, path: str) -> None:
    """ValidationError naming the (dotted) field of the first string holding a NUL."""
    if isinstance(value, str):
        if _NUL in value:
            raise ValidationError(path or "input", "must not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key, path)
            _refuse_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            _refuse_nul(item, f"{path}.{index}" if path else str(index))
    elif isinstance(value, BaseModel):
        _refuse_nul(dict(value), path)


class Command(BaseModel):
    """Frozen, no unknown keys, domain errors on bad input."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, /, **data: Any) -> None:
        _refuse_nul(data, "")
        try:
            super().__init__(**data)
        except PydanticValidationError as exc:
            raise to_domain_error(exc) from None

    @classmethod
    def parse(cls, data: Any) -> Self:
        """Validate a mapping (a request body) as this command."""
        _refuse_nul(data, "")
        try:
            return cls.model_validate(data)
        except PydanticValidationError as exc:
            raise to_domain_error(exc) from None
