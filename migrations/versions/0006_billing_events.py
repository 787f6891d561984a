"""Billing events: the payment provider's references of the billing changes applied (ADR 0019).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Every billing change reported by the payment provider (renewal, top-up, tier change, payment
failed, payment recovered, cancellation) is applied once per reference: ``reference`` is
unique across organisations, so a webhook delivered twice changes nothing the second time.
The table is new and empty; the ``billing_event_kind`` type is created with it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "RENEWAL",
    "TOP_UP",
    "TIER_CHANGE",
    "PAYMENT_FAILED",
    "PAYMENT_RECOVERED",
    "CANCELLATION",
)


def upgrade() -> None:
    labels = ", ".join(f"'{kind}'" for kind in KINDS)
    op.execute(f"CREATE TYPE billing_event_kind AS ENUM ({labels})")
    op.create_table(
        "billing_events",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column(
            "kind", pg.ENUM(*KINDS, name="billing_event_kind", create_type=False), nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_billing_events"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_billing_events_organization_id",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("reference", name="uq_billing_events_reference"),
        sa.UniqueConstraint("organization_id", "id", name="uq_billing_events_organization_id_id"),
    )
    op.create_index(
        "ix_billing_events_organization_id_created_at",
        "billing_events",
        ["organization_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_billing_events_organization_id_created_at", table_name="billing_events")
    op.drop_table("billing_events")
    op.execute("DROP TYPE billing_event_kind")
