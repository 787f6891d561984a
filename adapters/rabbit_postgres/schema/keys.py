"""token_keys: the fingerprint of each token key id ever used (global, ADR 0017)."""

from __future__ import annotations

import sqlalchemy as sa

from rabbit_postgres.schema._base import check, created_at, metadata

token_keys = sa.Table(
    "token_keys",
    metadata,
    # the key id itself (as ciphertexts name it), not a cuid2: one row per key id
    sa.Column("id", sa.Text(), primary_key=True),
    sa.Column("fingerprint", sa.Text(), nullable=False),
    created_at(),
    check("id ~ '^[A-Za-z0-9_-]{1,64}$'", name="id_format", field="id"),
    check("fingerprint ~ '^[0-9a-f]{32}$'", name="fingerprint_format", field="fingerprint"),
)
