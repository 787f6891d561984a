"""AES-256-GCM token cipher with key ids, for rotation (docs/behaviour.md#security), binding
each value to its place (docs/adr/0016-secrets-bound-to-their-place.md).

Stored form: ``v2:<key id>:<base64url(nonce || ciphertext+tag)>``. The nonce is 96 random
bits per value. The associated data is the version, the key id and the value's
:class:`~rabbit.application.ports.SecretContext` (table, field, organisation, row) as a JSON
array, so a value relabelled to another key, or copied to another row, column, config field
or organisation, fails authentication: :class:`~rabbit.domain.errors.UnreadableSecretError`
naming the place, never the value.

The first form, ``v1:<key id>:<payload>`` (associated data ``v1:<key id>`` only), is refused
at run time; :meth:`AesGcmTokenCipher.open_v1` and :meth:`AesGcmTokenCipher.seal_v1` exist
for the 0004 migration alone, which rewrites every v1 value as v2 (and back on downgrade).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rabbit.application.ports.cipher import SecretContext
from rabbit.domain.errors import UnreadableSecretError, ValidationError

_VERSION = "v2"
_V1 = "v1"
_NONCE_BYTES = 12
_KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def generate_key() -> bytes:
    """A fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=256)


def encode_key(key: bytes) -> str:
    """The configuration form of a key (base64url)."""
    return base64.urlsafe_b64encode(key).decode("ascii")


def parse_keys(config: str) -> dict[str, bytes]:
    """Parse ``"k1=<base64>,k2=<base64>"`` into key id -> 32-byte key.

    Raises ValidationError (field ``keys``) naming the bad key id, never the key material.
    """
    keys: dict[str, bytes] = {}
    for entry in (part.strip() for part in config.split(",")):
        if not entry:
            continue
        key_id, sep, encoded = entry.partition("=")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.fullmatch(key_id):
            raise ValidationError("keys", "each entry must be <key id>=<base64 key>")
        if key_id in keys:
            raise ValidationError("keys", f"key id {key_id!r} is given twice")
        keys[key_id] = _decode_key(key_id, encoded.strip())
    if not keys:
        raise ValidationError("keys", "at least one key is required")
    return keys


#: The fixed label a key fingerprint is the HMAC of (versioned: a new scheme, a new label).
FINGERPRINT_LABEL = b"rabbit token key fingerprint v1"
FINGERPRINT_HEX_DIGITS = 32


def key_fingerprint(key: bytes) -> str:
    """A fingerprint that tells two keys apart without revealing either (ADR 0017).

    HMAC-SHA256 keyed with the key over :data:`FINGERPRINT_LABEL`, truncated to 128 bits
    (32 lowercase hex digits). HMAC is a pseudo-random function of its key: the output says
    nothing about the key, and checking a guess against it needs the whole 256-bit key, so
    the fingerprint may be stored in the database and shown in logs.
    """
    digest = hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()
    return digest[:FINGERPRINT_HEX_DIGITS]


def _decode_key(key_id: str, encoded: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(_padded(encoded.replace("+", "-").replace("/", "_")))
    except (binascii.Error, ValueError):
        raise ValidationError("keys", f"key {key_id!r} is not valid base64") from None
    if len(key) != _KEY_BYTES:
        raise ValidationError("keys", f"key {key_id!r} must be {_KEY_BYTES} bytes")
    return key


def _padded(text: str) -> str:
    return text + "=" * (-len(text) % 4)


class AesGcmTokenCipher:
    """The TokenCipher port. Holds every readable key; encrypts with the current one."""

    def __init__(self, keys: Mapping[str, bytes], current_key_id: str) -> None:
        for key_id, key in keys.items():
            if not _KEY_ID.fullmatch(key_id):
                raise ValidationError("keys", "key ids are 1-64 letters, digits, - or _")
            if len(key) != _KEY_BYTES:
                raise ValidationError("keys", f"key {key_id!r} must be {_KEY_BYTES} bytes")
        if current_key_id not in keys:
            raise ValidationError("current_key_id", f"no key with id {current_key_id!r}")
        self._keys = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current_key_id = current_key_id
        self._fingerprints = {key_id: key_fingerprint(key) for key_id, key in keys.items()}

    @classmethod
    def from_config(cls, keys: str, current_key_id: str) -> AesGcmTokenCipher:
        return cls(parse_keys(keys), current_key_id)

    def __repr__(self) -> str:
        return f"AesGcmTokenCipher(key_ids={sorted(self._keys)}, current={self._current_key_id!r})"

    @property
    def current_key_id(self) -> str:
        return self._current_key_id

    def encrypt(self, plaintext: str, context: SecretContext) -> str:
        return self._seal(_VERSION, plaintext, _associated_data(self._current_key_id, context))

    def decrypt(self, stored: str, context: SecretContext) -> str:
        def refuse(reason: str, detail: str = "") -> UnreadableSecretError:
            return UnreadableSecretError(context.place, context.row_id, reason, detail)

        parts = stored.split(":")
        if len(parts) == 3 and parts[0] == _V1:
            raise refuse(UnreadableSecretError.LEGACY)
        if len(parts) != 3 or parts[0] != _VERSION or not _KEY_ID.fullmatch(parts[1]):
            raise refuse(UnreadableSecretError.MALFORMED)
        key_id = parts[1]
        if key_id not in self._keys:
            raise refuse(UnreadableSecretError.UNKNOWN_KEY, f"key {key_id!r}")
        try:
            plain = self._open(key_id, parts[2], _associated_data(key_id, context))
        except _MalformedError:
            raise refuse(UnreadableSecretError.MALFORMED) from None
        if plain is None:
            raise refuse(UnreadableSecretError.MOVED)
        return plain

    def key_id_of(self, stored: str) -> str:
        parts = stored.split(":")
        if (
            len(parts) != 3
            or parts[0] not in (_VERSION, _V1)
            or not _KEY_ID.fullmatch(parts[1])
            or not parts[2]
        ):
            raise ValidationError("token", "malformed encrypted value")
        return parts[1]

    # -- the first stored form, for the 0004 migration only --------------------------------

    def open_v1(self, stored: str) -> str:
        """The plaintext of a ``v1:`` value (bound to its key id only). ValidationError
        (field ``token``) when it is not one, names an unknown key or fails authentication;
        the message never holds the value."""
        parts = stored.split(":")
        if len(parts) != 3 or parts[0] != _V1 or not _KEY_ID.fullmatch(parts[1]):
            raise ValidationError("token", "not a v1 encrypted value")
        if parts[1] not in self._keys:
            raise ValidationError("token", f"encrypted with an unknown key {parts[1]!r}")
        try:
            plain = self._open(parts[1], parts[2], f"{_V1}:{parts[1]}".encode("ascii"))
        except _MalformedError:
            plain = None
        if plain is None:
            raise ValidationError("token", "the v1 encrypted value failed authentication")
        return plain

    def seal_v1(self, plaintext: str) -> str:
        """``plaintext`` in the v1 form under the current key (the 0004 downgrade)."""
        associated = f"{_V1}:{self._current_key_id}".encode("ascii")
        return self._seal(_V1, plaintext, associated)

    def _seal(self, version: str, plaintext: str, associated: bytes) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._keys[self._current_key_id].encrypt(
            nonce, plaintext.encode("utf-8"), associated
        )
        payload = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{version}:{self._current_key_id}:{payload}"

    def _open(self, key_id: str, payload: str, associated: bytes) -> str | None:
        """The plaintext; None when authentication fails; _MalformedError when the payload
        is not one."""
        try:
            raw = base64.urlsafe_b64decode(_padded(payload))
        except (binascii.Error, ValueError):
            raise _MalformedError from None
        if len(raw) <= _NONCE_BYTES:
            raise _MalformedError
        try:
            plain = self._keys[key_id].decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], associated)
        except InvalidTag:
            return None
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            raise _MalformedError from None

    def fingerprints(self) -> Mapping[str, str]:
        """Key id -> :func:`key_fingerprint` of every key this cipher holds."""
        return dict(self._fingerprints)


class _MalformedError(Exception):
    """A payload that is no base64 of a nonce and a sealed value."""


def _associated_data(key_id: str, context: SecretContext) -> bytes:
    """The version, key id and place of a v2 value, unambiguously (a JSON array)."""
    place = [_VERSION, key_id, context.table, context.field, context.organization_id]
    return json.dumps([*place, context.row_id], separators=(",", ":")).encode("utf-8")
