"""Every input limit of the core, in one place (ADR 0013).

Input is checked at the door of every use case, before any unit of work opens
(``use_cases/_commands.py`` for commands, ``use_cases/_arguments.py`` for plain arguments, the
value objects of ``values.py`` for themselves), so the memory store and PostgreSQL answer
the same :class:`~rabbit.domain.errors.ValidationError` naming the field, and nothing is
half written.

What every input is held to, whatever its field:

- text (ids and secrets included) holds no NUL and no lone surrogate (U+D800–U+DFFF, what
  JSON ``"\\ud800"`` decodes to): PostgreSQL cannot store either, UTF-8 cannot encode the
  second;
- a datetime is aware and lies between :data:`MIN_INSTANT` and :data:`MAX_INSTANT` (a naive
  one cannot be compared with the aware ones the core keeps; one near ``datetime.max``
  overflows as soon as a window is added);
- a timedelta lies between 0 and :data:`MAX_WINDOW`;
- an integer fits PostgreSQL's ``bigint`` (an ``integer`` column's field is held to
  :data:`INT4_MAX` by its own bound);
- a JSON-ish document nests at most :data:`MAX_DEPTH` levels, and no string or list of it is
  longer than :data:`MAX_ANY_TEXT` / :data:`MAX_ANY_ITEMS` (each field has its own, smaller,
  limit below).

The limits of a field (generous: each is far above any real use, and far below what would
hurt the store, the embedder or a model's prompt):

=========================  ==========  ===================================================
constant                   value       fields
=========================  ==========  ===================================================
``MAX_ID``                 64          ids passed to a use case (cuid2 ids are 24)
``MAX_IDS``                10,000      items of an ``*_ids`` argument
``MAX_NAME``               200         names: user, organisation, brand, schedule,
                                       source, account (id and display name)
``MAX_MATERIAL_NAME``      500         a material's name (a file name or a page title)
``MAX_SLUG``               63          an organisation's slug (a DNS label)
``MAX_EMAIL``              320         e-mail addresses (RFC 5321)
``MAX_URL``                2,048       URLs and file keys (what browsers and CDNs accept)
``MAX_SHORT_TEXT``         255         mime types, timezones, a cron expression's
                                       ``crawl_frequency``, a config key
``MAX_WORD``               100         one word, tone, keyword or hashtag; a content
                                       pillar's name (a brand's and a material's)
``MAX_WORDS``              100         items of a list: keywords, key points, suggested
                                       angles, tone, hashtags, words to use/avoid
``MAX_POST``               10,000      a post's content, an example post (above every
                                       platform's limit but Facebook's 63,206)
``MAX_TEXT``               10,000      free prose: personality, custom context, target
                                       audience, a summary, one key point, review notes,
                                       a ``description``
``MAX_MATERIAL_TEXT``      200,000     a material's original text (a long article or a
                                       short book chapter; the analyser reads the start)
``MAX_SECRET``             8,192       an access/refresh token, a config value (JWTs run
                                       to a few KB)
``MAX_REFERENCE``          255         a payment provider's reference (an event, payment
                                       or invoice id): ASCII letters, digits and
                                       ``_ - . : /``, starting with a letter or digit
                                       (:func:`check_reference`, ADR 0019)
``MAX_EXAMPLE_POSTS``      20          a brand's example posts
``MAX_PILLARS``            20          a brand's content pillars
``MAX_CONFIG_KEYS``        50          values of a source's ``connection_config`` (headers counted)
``MAX_TIMES``              48          a schedule's times (every half hour; 7 weekdays)
``MAX_PLATFORMS``          16          a list of platforms (there are 8)
``INT4_MAX``               2^31-1      counters, amounts, versions (``integer`` columns)
``INT8_MAX``               2^63-1      a material's ``file_size`` (``bigint``)
``MAX_WINDOW``             3,650 days  analytics windows
``MAX_DEPTH``              16          nesting of a JSON-ish document
``MAX_PAGE``               100         rows of one page of a listing (``limit``; the
                                       default is ``DEFAULT_PAGE``, 50; ADR 0028)
=========================  ==========  ===================================================

Error messages quote at most :data:`QUOTE_CHARS` characters of an offending input
(:func:`quote`), so a 10 MB string never travels into a log line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, SecretStr

from rabbit.domain.errors import ValidationError

MAX_ID = 64
MAX_IDS = 10_000
MAX_NAME = 200
MAX_MATERIAL_NAME = 500
MAX_SLUG = 63
MAX_EMAIL = 320
MAX_URL = 2_048
MAX_SHORT_TEXT = 255
MAX_WORD = 100
MAX_WORDS = 100
MAX_POST = 10_000
MAX_TEXT = 10_000
MAX_MATERIAL_TEXT = 200_000
MAX_SECRET = 8_192
MAX_REFERENCE = 255
MAX_EXAMPLE_POSTS = 20
MAX_PILLARS = 20
MAX_CONFIG_KEYS = 50
MAX_TIMES = 48
MAX_PLATFORMS = 16

INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1

MAX_WINDOW = timedelta(days=3_650)
MIN_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
MAX_INSTANT = datetime(9000, 1, 1, tzinfo=UTC)

MAX_DEPTH = 16
MAX_PAGE = 100
DEFAULT_PAGE = 50
MAX_ANY_TEXT = MAX_MATERIAL_TEXT
"""No string anywhere in an input is longer (the longest field's limit)."""
MAX_ANY_ITEMS = MAX_IDS
"""No list or mapping anywhere in an input has more items (the longest field's limit)."""

QUOTE_CHARS = 24
"""At most this many characters of an input appear in an error message (the longest field
name, ``custom_context_override``, fits, so field paths keep their names)."""


def quote(value: object) -> str:
    """A short, safe rendering of an input for an error message: its repr, cut to
    :data:`QUOTE_CHARS` characters of the value followed by ``…``; a huge integer by its size
    (rendering it could exceed Python's int-to-str digit limit)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a {value.bit_length()}-bit integer"
    if isinstance(value, str):
        return repr(shorten(value))
    return shorten(repr(value))


def shorten(text: str) -> str:
    """``text`` cut to :data:`QUOTE_CHARS` characters plus ``…`` when longer."""
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


def encodable_problem(text: str) -> str | None:
    """Why PostgreSQL could not store ``text`` (NUL, lone surrogate), or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain lone surrogates (U+D800-U+DFFF)"
    return None


def check_text(field: str, text: str, maximum: int) -> None:
    """ValidationError(field) for a text PostgreSQL cannot store or longer than ``maximum``."""
    if len(text) > maximum:
        raise ValidationError(field, f"must be at most {maximum} characters, not {len(text)}")
    problem = encodable_problem(text)
    if problem is not None:
        raise ValidationError(field, problem)


_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]*")


def check_reference(field: str, value: object) -> None:
    """ValidationError(field) unless ``value`` is a payment reference: 1 to
    :data:`MAX_REFERENCE` characters, ASCII letters, digits and ``_ - . : /``, starting with a
    letter or digit (what payment providers' ids are made of; nothing a log line, a URL or
    the store would need to escape)."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, not {type(value).__name__}")
    if len(value) > MAX_REFERENCE:
        raise ValidationError(
            field, f"must be at most {MAX_REFERENCE} characters, not {len(value)}"
        )
    if not _REFERENCE.fullmatch(value):
        raise ValidationError(
            field, "must be letters, digits and _ - . : / (starting with a letter or digit)"
        )


def check_int(field: str, value: int, maximum: int = INT8_MAX) -> None:
    """ValidationError(field) for an integer outside ``[-maximum - 1, maximum]``."""
    if not -maximum - 1 <= value <= maximum:
        raise ValidationError(field, f"must be between {-maximum - 1} and {maximum}")


def check_instant(field: str, value: datetime) -> None:
    """ValidationError(field) for a naive datetime or one outside the supported years."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, "must be timezone-aware (naive datetimes are refused)")
    if not MIN_INSTANT <= value < MAX_INSTANT:
        raise ValidationError(
            field, f"must lie between {MIN_INSTANT.year} and {MAX_INSTANT.year - 1}"
        )


def check_window(field: str, value: timedelta) -> None:
    """ValidationError(field) for a duration below zero or above :data:`MAX_WINDOW`."""
    if not timedelta(0) <= value <= MAX_WINDOW:
        raise ValidationError(field, f"must lie between 0 and {MAX_WINDOW.days} days")


def check_document(value: Any, field: str = "") -> None:
    """Walk an input (a request body, a JSON-ish document) and raise ValidationError naming
    the dotted field of the first thing no field of the core accepts: a string PostgreSQL
    cannot store or longer than :data:`MAX_ANY_TEXT`, an integer past ``bigint``, a naive or
    out-of-range datetime, a duration past :data:`MAX_WINDOW`, a list or mapping with more
    than :data:`MAX_ANY_ITEMS` items, nesting deeper than :data:`MAX_DEPTH`.

    Iterative (a hostile document cannot exhaust the stack); keys of mappings are checked
    too and quoted short in the path.
    """
    stack: list[tuple[Any, str, int]] = [(value, field, 0)]
    while stack:
        item, path, depth = stack.pop()
        name = path or "input"
        if isinstance(item, str):
            check_text(name, item, MAX_ANY_TEXT)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            check_int(name, item)
        elif isinstance(item, datetime):
            check_instant(name, item)
        elif isinstance(item, timedelta):
            check_window(name, item)
        elif isinstance(item, SecretStr):
            check_text(name, item.get_secret_value(), MAX_ANY_TEXT)
        elif isinstance(item, BaseModel):
            stack.append((dict(item), path, depth))
        elif isinstance(item, Mapping | list | tuple | set | frozenset):
            if depth >= MAX_DEPTH:
                raise ValidationError(name, f"must not nest deeper than {MAX_DEPTH} levels")
            if len(item) > MAX_ANY_ITEMS:
                raise ValidationError(name, f"must have at most {MAX_ANY_ITEMS} items")
            if isinstance(item, Mapping):
                for key, child in item.items():
                    key_text = key if isinstance(key, str) else quote(key)
                    if isinstance(key, str):
                        check_text(name, key, MAX_SHORT_TEXT)
                    child_path = shorten(key_text)
                    stack.append((child, f"{path}.{child_path}" if path else child_path, depth + 1))
            else:
                for index, child in enumerate(item):
                    stack.append((child, f"{path}.{index}" if path else str(index), depth + 1))
