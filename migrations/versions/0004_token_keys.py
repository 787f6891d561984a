"""token_keys: the fingerprint of each token key id (ADR 0017).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

One row per key id the token cipher has held: the key id and an HMAC fingerprint of the key
(never the key). The core registers its keys at start and refuses to start when a key id
names another key than the one registered under it, so two workers with different keys
under one id cannot write tokens the other cannot read. The table starts empty: the keys of
an existing deployment are registered by its first start after this migration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "token_keys",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_keys")),
        sa.CheckConstraint("id ~ '^[A-Za-z0-9_-]{1,64}$'", name=op.f("ck_token_keys_id_format")),
        sa.CheckConstraint(
            "fingerprint ~ '^[0-9a-f]{32}$'", name=op.f("ck_token_keys_fingerprint_format")
        ),
    )


def downgrade() -> None:
    op.drop_table("token_keys")
