"""The base of every use-case input model.

Commands are frozen pydantic models that refuse unknown keys (ADR 0002). Building one with
bad data raises the domain's :class:`~rabbit.domain.errors.ValidationError` naming the
field, never pydantic's own error, so a caller handles one error vocabulary whether the
command was built by hand or parsed from a request body.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from rabbit.domain.values import to_domain_error


class Command(BaseModel):
    """Frozen, no unknown keys, domain errors on bad input."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except PydanticValidationError as exc:
            raise to_domain_error(exc) from None

    @classmethod
    def parse(cls, data: Any) -> Self:
        """Validate a mapping (a request body) as this command."""
        try:
            return cls.model_validate(data)
        except PydanticValidationError as exc:
            raise to_domain_error(exc) from None
