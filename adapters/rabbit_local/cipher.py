"""AES-256-GCM token cipher with key ids, for rotation (behaviour.md, "Brands and social
accounts").

Stored form: ``v1:<key id>:<base64url(nonce || ciphertext+tag)>``. The nonce is 96 random
bits per value; the version and key id are bound as associated data, so a value cannot be
relabelled to another key without failing authentication. Errors name the field ``token``
and never contain the value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rabbit.domain.errors import ValidationError

_VERSION = "v1"
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

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._keys[self._current_key_id].encrypt(
            nonce, plaintext.encode("utf-8"), _associated_data(self._current_key_id)
        )
        payload = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{_VERSION}:{self._current_key_id}:{payload}"

    def decrypt(self, stored: str) -> str:
        key_id, payload = _split(stored)
        cipher = self._keys.get(key_id)
        if cipher is None:
            raise ValidationError("token", f"encrypted with an unknown key {key_id!r}")
        try:
            raw = base64.urlsafe_b64decode(_padded(payload))
        except (binascii.Error, ValueError):
            raise ValidationError("token", "malformed encrypted value") from None
        if len(raw) <= _NONCE_BYTES:
            raise ValidationError("token", "malformed encrypted value")
        try:
            plain = cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _associated_data(key_id))
        except InvalidTag:
            raise ValidationError("token", "the encrypted value failed authentication") from None
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("token", "malformed encrypted value") from None

    def key_id_of(self, stored: str) -> str:
        return _split(stored)[0]

    def fingerprints(self) -> Mapping[str, str]:
        """Key id -> :func:`key_fingerprint` of every key this cipher holds."""
        return dict(self._fingerprints)


def _associated_data(key_id: str) -> bytes:
    return f"{_VERSION}:{key_id}".encode("ascii")


def _split(stored: str) -> tuple[str, str]:
    parts = stored.split(":")
    if len(parts) != 3 or parts[0] != _VERSION or not _KEY_ID.fullmatch(parts[1]) or not parts[2]:
        raise ValidationError("token", "malformed encrypted value")
    return parts[1], parts[2]
