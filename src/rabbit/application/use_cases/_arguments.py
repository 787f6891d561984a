"""``UseCases``, the base of every use-case class: it checks plain arguments at the door.

Every public coroutine method of a subclass refuses, before it runs (so before any unit of
work opens), an argument no store, cipher or date arithmetic could take, with a
:class:`~rabbit.domain.errors.ValidationError` naming the parameter: ids (``*_id``,
``*_ids``), free strings, payment ``reference``s, instants, windows and integers, each by
its name and type (:func:`check_argument`). Both stores then answer alike. Commands check
their own fields (``_commands.py``); the limits live in :mod:`rabbit.domain.limits` (ADR 0013).
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
    """ValidationError(name) for an argument no store could take: a NUL, a lone surrogate or
    too long a ``str`` (``MAX_ID`` for an ``*_id``, ``MAX_TEXT`` for a ``description``,
    ``MAX_NAME`` otherwise), a bad payment ``reference`` (ADR 0019), an ``*_id`` that is not
    a string, too many or bad ``*_ids``, a naive or out-of-range ``datetime``, a
    ``timedelta`` outside 0 … ``MAX_WINDOW``, an ``int`` past PostgreSQL's ``integer``."""
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
