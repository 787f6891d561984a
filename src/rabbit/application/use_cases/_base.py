"""The base of every use-case class: plain string arguments are checked at the door.

Commands validate their own fields (``_commands.py``). The other inputs of a use-case method
are ids (``actor_id``, ``organization_id``, ``brand_id`` …, lists of them as ``*_ids``) and a
few free strings (``description``). Those reach the store as they are, and a NUL character
(``\\x00``) is something PostgreSQL's text refuses outright while the memory store would just
find nothing: the two adapters would disagree, and the caller would get a driver error
instead of a domain one. So every public coroutine method of a :class:`UseCases` subclass
refuses, before it runs:

- a NUL in any ``str`` argument, or in any string of a ``*_ids`` list, tuple or set;
- an ``*_id`` argument that is neither a string nor None,

with a :class:`~rabbit.domain.errors.ValidationError` naming the parameter.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from rabbit.domain.errors import ValidationError

_NUL = "\x00"


def _checked_parameters(method: Callable[..., Any]) -> list[tuple[int, str]]:
    """``(position, name)`` of the parameters to check (position counts ``self``)."""
    checked = []
    for position, parameter in enumerate(inspect.signature(method).parameters.values()):
        annotation = str(parameter.annotation)
        if (
            parameter.name.endswith(("_id", "_ids"))
            or annotation.startswith("str")
            or annotation == "str | None"
        ):
            checked.append((position, parameter.name))
    return checked


def check_argument(name: str, value: Any) -> None:
    """ValidationError(name) for a NUL in ``value`` (or, for an id, a value of another type)."""
    if value is None:
        return
    if isinstance(value, str):
        if _NUL in value:
            raise ValidationError(name, "must not contain NUL characters")
        return
    if name.endswith("_id"):
        raise ValidationError(name, f"must be a string, not {type(value).__name__}")
    if name.endswith("_ids") and isinstance(value, list | tuple | set | frozenset):
        # a collection is read as is; any other iterable (a generator) is left unread
        for item in value:
            if isinstance(item, str) and _NUL in item:
                raise ValidationError(name, "must not contain NUL characters")


def _guarded(
    method: Callable[..., Coroutine[Any, Any, Any]],
) -> Callable[..., Coroutine[Any, Any, Any]]:
    checked = _checked_parameters(method)
    if not checked:
        return method

    @functools.wraps(method)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        for position, name in checked:
            if name in kwargs:
                check_argument(name, kwargs[name])
            elif position < len(args):
                check_argument(name, args[position])
        return await method(*args, **kwargs)

    return guarded


class UseCases:
    """Base of the use-case classes (see the module docstring)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in list(vars(cls).items()):
            if not name.startswith("_") and inspect.iscoroutinefunction(member):
                setattr(cls, name, _guarded(member))
