"""The base of every use-case class: plain arguments are checked at the door.

Commands validate their own fields (``_commands.py``). The other inputs of a use-case method
are ids (``actor_id``, ``organization_id``, ``brand_id`` …, lists of them as ``*_ids``), a
few free strings (``description``, a strategy name), instants (``now``), durations
(``window``) and amounts. Those reach the store, the cipher or date arithmetic as they are: a
NUL or a lone surrogate is something PostgreSQL refuses outright while the memory store
would just find nothing (or store it); a naive ``now`` cannot be compared with the aware
instants the stores hold; ``timedelta.max`` overflows as soon as it is subtracted; an amount
past ``integer`` is a driver error on PostgreSQL only. The two adapters would disagree, and
the caller would get a driver error instead of a domain one. So every public coroutine
method of a :class:`UseCases` subclass refuses, before it runs (before any unit of work
opens), with a :class:`~rabbit.domain.errors.ValidationError` naming the parameter:

- a ``str`` argument holding a NUL or a lone surrogate, or longer than its limit
  (:data:`~rabbit.domain.limits.MAX_ID` for an ``*_id``, ``MAX_TEXT`` for a
  ``description``, ``MAX_NAME`` for any other);
- a payment ``reference`` that is not one (:func:`~rabbit.domain.limits.check_reference`:
  length and characters, ADR 0019);
- an ``*_id`` argument that is neither a string nor None;
- an ``*_ids`` list, tuple or set with more than ``MAX_IDS`` items or holding such a string;
- a naive or out-of-range ``datetime``, a ``timedelta`` outside 0 … ``MAX_WINDOW``, an
  ``int`` past PostgreSQL's ``integer``.

The limits live in :mod:`rabbit.domain.limits` (ADR 0013).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from rabbit.domain import limits
from rabbit.domain.errors import ValidationError


def _checked_parameters(method: Callable[..., Any]) -> list[tuple[int, str]]:
    """``(position, name)`` of the parameters to check (position counts ``self``)."""
    return [
        (position, parameter.name)
        for position, parameter in enumerate(inspect.signature(method).parameters.values())
        if position > 0 and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]


def _text_limit(name: str) -> int:
    if name.endswith("_id"):
        return limits.MAX_ID
    if name == "description":
        return limits.MAX_TEXT
    return limits.MAX_NAME


def check_argument(name: str, value: Any) -> None:
    """ValidationError(name) for an argument no store could take (see the module docstring)."""
    if name == "reference":  # a payment reference is never optional
        limits.check_reference(name, value)
        return
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        limits.check_text(name, value, _text_limit(name))
    elif name.endswith("_id"):
        raise ValidationError(name, f"must be a string, not {type(value).__name__}")
    elif isinstance(value, datetime):
        limits.check_instant(name, value)
    elif isinstance(value, timedelta):
        limits.check_window(name, value)
    elif isinstance(value, int):
        limits.check_int(name, value, limits.INT4_MAX)
    elif name.endswith("_ids") and isinstance(value, list | tuple | set | frozenset):
        # a collection is read as is; any other iterable (a generator) is left unread
        if len(value) > limits.MAX_IDS:
            raise ValidationError(name, f"must have at most {limits.MAX_IDS} items")
        for item in value:
            if isinstance(item, str):
                limits.check_text(name, item, limits.MAX_ID)


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
