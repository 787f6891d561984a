"""materials.file_size becomes a bigint: a 2 GiB video must be storable.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

``integer`` stops at 2^31-1 bytes (2 GiB minus one byte), so the upload of a 2 GiB video was
accepted by the memory store and refused by PostgreSQL with a driver error. ``bigint`` holds
any size the core accepts (at most 2^63-1, checked at the door: ADR 0013). Widening rewrites
the table under an ACCESS EXCLUSIVE lock; materials is small beside posts and embeddings.

The downgrade narrows the column again; it refuses, with the number of rows that would not
fit, when a material is larger than ``integer`` can hold, instead of losing their size.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("materials", "file_size", type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    op.execute(
        """
        DO $$
        DECLARE too_large bigint;
        BEGIN
            SELECT count(*) INTO too_large FROM materials WHERE file_size > 2147483647;
            IF too_large > 0 THEN
                RAISE EXCEPTION
                    '% material(s) over 2147483647 bytes: file_size cannot be an integer',
                    too_large;
            END IF;
        END $$
        """
    )
    op.alter_column("materials", "file_size", type_=sa.Integer(), existing_type=sa.BigInteger())
