"""Validation of the 5-field cron expressions that set an external source's crawl frequency.

Grammar (Vixie cron): ``minute hour day-of-month month day-of-week``, separated by spaces.
Each field is a comma-separated list of items; an item is ``*``, a number, a range ``a-b``
(a <= b), or ``*/n`` / ``a-b/n`` with a step 1 <= n <= 999 (a step of thousands of digits
would not even parse as an int; no field spans more than 60 values). Months accept JAN–DEC
and weekdays SUN–SAT (case-insensitive, also inside ranges); weekday 7 is Sunday as well as
0. The macros @yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly are
accepted too. Nothing is evaluated: crawls are triggered elsewhere, the domain only refuses
expressions that no cron would accept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rabbit.domain.errors import ValidationError
from rabbit.domain.limits import quote

MACROS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]


_FIELDS = (
    _Field("minute", 0, 59, {}),
    _Field("hour", 0, 23, {}),
    _Field("day of month", 1, 31, {}),
    _Field("month", 1, 12, {name: i + 1 for i, name in enumerate(_MONTHS)}),
    _Field("day of week", 0, 7, {name: i for i, name in enumerate(_DAYS)}),
)

_DIGITS = 3
"""No value or step has more digits (the largest value is 59); longer ones are refused before
``int`` reads them."""

_ITEM = re.compile(r"(?P<base>\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:/(?P<step>[0-9]+))?")


def validate_cron(expression: str, field: str = "crawl_frequency") -> str:
    """Return the expression with its whitespace normalised, or raise ValidationError(field)."""
    if not isinstance(expression, str):
        raise ValidationError(field, "must be a cron expression")
    parts = expression.split()
    if len(parts) == 1 and parts[0].lower() in MACROS:
        return parts[0].lower()
    if len(parts) != len(_FIELDS):
        raise ValidationError(field, f"{quote(expression)} needs 5 fields: min hour dom month dow")
    for part, spec in zip(parts, _FIELDS, strict=True):
        problem = _field_problem(part, spec)
        if problem is not None:
            raise ValidationError(field, f"{spec.name} {quote(part)}: {problem}")
    return " ".join(parts)


def is_valid_cron(expression: str) -> bool:
    """Whether ``validate_cron`` accepts the expression."""
    try:
        validate_cron(expression)
    except ValidationError:
        return False
    return True


def _field_problem(part: str, spec: _Field) -> str | None:
    for item in part.split(","):
        match = _ITEM.fullmatch(item)
        if match is None:
            return f"{quote(item)} is not *, a value, a range or a step"
        base, step = match.group("base"), match.group("step")
        if step is not None and not (len(step) <= _DIGITS and int(step) >= 1):
            return f"a step must be between 1 and {10**_DIGITS - 1}"
        if base == "*":
            continue
        bounds = base.split("-")
        if step is not None and len(bounds) != 2:
            return "a step needs * or a range before it"
        values: list[int] = []
        for bound in bounds:
            value = _value(bound, spec)
            if value is None:
                return f"{quote(bound)} is not between {spec.low} and {spec.high}"
            values.append(value)
        if len(values) == 2 and values[0] > values[1]:
            return "a range must not run backwards"
    return None


def _value(token: str, spec: _Field) -> int | None:
    if token.isdigit():
        if len(token) > _DIGITS:
            return None
        number = int(token)
    elif token.upper() in spec.names:
        number = spec.names[token.upper()]
    else:
        return None
    return number if spec.low <= number <= spec.high else None
