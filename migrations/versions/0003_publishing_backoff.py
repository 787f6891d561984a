"""Publishing settlement and backoff: three columns of pending_posts (ADR 0015).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

- ``publish_after``: publishing backs off a post that cannot proceed (no credits, errors)
  until then; null means due at once, as every existing row is.
- ``publish_failures``: runs in a row without progress (the backoff doubles with each).
- ``publish_credits``: the PUBLISH credits the post holds, reserved before its first
  platform call and settled when it ends. Existing rows hold none: a post already in flight
  is charged when it completes, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "pending_posts", sa.Column("publish_after", sa.DateTime(timezone=True), nullable=True)
    )
    for name in ("publish_failures", "publish_credits"):
        op.add_column(
            "pending_posts",
            sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0")),
        )
        op.create_check_constraint(
            op.f(f"ck_pending_posts_{name}_not_negative"), "pending_posts", f"{name} >= 0"
        )


def downgrade() -> None:
    for name in ("publish_credits", "publish_failures"):
        op.drop_constraint(op.f(f"ck_pending_posts_{name}_not_negative"), "pending_posts")
        op.drop_column("pending_posts", name)
    op.drop_column("pending_posts", "publish_after")
