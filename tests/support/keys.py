"""The token keys tests configure where a ``DATABASE_URL`` server is used.

A fixed key under a fixed id: every test on the shared test database registers the same
fingerprint (ADR 0017), so tests never refuse each other's start. A test about two
different keys under one id uses an id of its own.
"""

from __future__ import annotations

from rabbit_local.cipher import encode_key

TEST_KEY_ID = "test"
TEST_TOKEN_KEYS = f"{TEST_KEY_ID}={encode_key(bytes(range(32)))}"
