"""The base of every use-case input model.

Commands are frozen pydantic models that refuse unknown keys (ADR 0002). Building one with
bad data raises the domain's :class:`~rabbit.domain.errors.ValidationError` naming the
field, never pydantic's own error, so a caller handles one error vocabulary whether the
command was built by hand or parsed from a request body.

Before pydantic reads anything, the whole input is walked (:func:`~rabbit.domain.limits.
check_document`): a NUL or a lone surrogate in any string (nested ones and keys included), an
integer past ``bigint``, a naive datetime, a document nested too deep or too large are refused
with the field's name, so the memory store refuses what PostgreSQL would, and nothing
downstream (the cipher, the driver, a recursive walk) meets them. Each field then has its own
limit (``Field(max_length=…, le=…)`` with the constants of :mod:`rabbit.domain.limits`), and
after parsing every datetime field (a string parsed as one included) must be aware and in
range.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic import ValidationError as PydanticValidationError

from rabbit.domain.limits import check_document, check_instant
from rabbit.domain.values import to_domain_error


class Command(BaseModel):
    """Frozen, no unknown keys, domain errors on bad input."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="after")
    def _instants_are_aware(self) -> Self:
        for name, value in self:
            if isinstance(value, datetime):
                check_instant(name, value)
        return self

    def __init__(self, /, **data: Any) -> None:
        check_document(data)
        try:
            super().__init__(**data)
        except PydanticValidationError as exc:
            raise to_domain_error(exc) from None

    @classmethod
    def parse(cls, data: Any) -> Self:
        """Validate a mapping (a request body) as this command."""
        check_document(data)
        try:
            return cls.model_validate(data)
        except PydanticValidationError as exc:
            raise to_domain_error(exc) from None
