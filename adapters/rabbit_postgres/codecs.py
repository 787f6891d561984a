"""pgvector's ``vector`` in binary on the wire, for every connection a unit of work uses.

Formatting 768 floats as text (and parsing them back) cost ~0.3 ms per embedding in Python,
more than the statement that carries it. In binary, a vector is a 4-byte header and the
floats in network order: ``array`` packs it in microseconds.

The codec is registered on a connection the first time a unit of work takes it from the
pool (:func:`ensure_vector_codec`, remembered in the pooled connection's ``info``), not in
an engine event, so that it holds for every engine, including ones built before the
``vector`` extension existed. The encoder also takes the text form that SQLAlchemy's own
``VECTOR`` type produces, so a plain SQLAlchemy statement on the same pooled connection
(the studio, a test, a tool) still works; the decoder gives pgvector's ``Vector``, which
SQLAlchemy's type turns into a list as before.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Sequence
from typing import Any

import asyncpg
from pgvector import Vector

_INFO_KEY = "rabbit_vector_codec"
_HEADER = struct.Struct(">HH")
_SWAP = sys.byteorder == "little"


def encode_vector(value: Sequence[float] | str | Vector) -> bytes:
    """``vector``'s binary send format: dimensions, a zero, the floats (big-endian)."""
    if isinstance(value, Vector):
        return value.to_binary()
    if isinstance(value, str):
        value = Vector._from_text(value)
    floats = array("f", value)
    if _SWAP:
        floats.byteswap()
    return _HEADER.pack(len(floats), 0) + floats.tobytes()


def decode_vector(data: bytes) -> Vector:
    return Vector.from_binary(data)


def floats(value: Any) -> tuple[float, ...]:
    """A vector as read (``Vector``, list or text) as a tuple of Python floats."""
    if isinstance(value, Vector):
        return tuple(value.to_list())
    if isinstance(value, str):
        return tuple(Vector._from_text(value))
    return tuple(float(x) for x in value)


async def ensure_vector_codec(info: dict[Any, Any], connection: asyncpg.Connection) -> None:
    """Register the binary ``vector`` codec on ``connection`` unless already done (``info``
    is the pooled connection's, which lives as long as the driver connection).

    Without the extension there is nothing to register (nothing to store vectors in
    either); the next unit of work on this connection tries again."""
    if info.get(_INFO_KEY):
        return
    schema = await connection.fetchval(
        "SELECT n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
        " WHERE t.typname = 'vector' ORDER BY n.oid LIMIT 1"
    )
    if schema is None:
        return
    await connection.set_type_codec(
        "vector", schema=schema, encoder=encode_vector, decoder=decode_vector, format="binary"
    )
    info[_INFO_KEY] = True
