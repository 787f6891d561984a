"""subscriptions (1:1 with an organisation), the append-only credit_transactions ledger and
the billing_events (the payment provider's references already applied, ADR 0019)."""

from __future__ import annotations

import sqlalchemy as sa

from rabbit_postgres.schema._base import (
    billing_event_kind,
    check,
    counter,
    created_at,
    credit_action,
    id_column,
    metadata,
    subscription_status,
    subscription_tier,
    tenant_column,
    tenant_fk,
    tenant_key,
    timestamp,
    updated_at,
)

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("tier", subscription_tier, nullable=False, server_default="FREE"),
    sa.Column("status", subscription_status, nullable=False, server_default="ACTIVE"),
    counter("credits_total"),
    counter("credits_used"),
    timestamp("current_period_start"),
    timestamp("current_period_end"),
    sa.Column("stripe_subscription_id", sa.Text()),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("organization_id"),
    tenant_key(),
    # The last line of defence against an overdraft, whatever the application does.
    check(
        "credits_used >= 0 AND credits_used <= credits_total",
        name="credits_within_total",
        field="credits_used",
    ),
    sa.Index(None, "current_period_end"),
)

credit_transactions = sa.Table(
    "credit_transactions",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("subscription_id", sa.Text(), nullable=False),
    sa.Column("amount", sa.Integer(), nullable=False),
    sa.Column("action", credit_action, nullable=False),
    sa.Column("description", sa.Text()),
    # No foreign key: the ledger is append-only and outlives purged posts.
    sa.Column("related_post_id", sa.Text()),
    created_at(),
    tenant_key(),
    tenant_fk("subscription_id", "subscriptions", ondelete="CASCADE"),
    # The ledger sums are read per organisation and period.
    sa.Index(None, "organization_id", "created_at"),
)

billing_events = sa.Table(
    "billing_events",
    metadata,
    id_column(),
    tenant_column(),
    # The payment provider's event, payment or invoice id: the idempotency key of the change,
    # unique across organisations (a reference is one change of one organisation).
    sa.Column("reference", sa.Text(), nullable=False),
    sa.Column("kind", billing_event_kind, nullable=False),
    created_at(),
    sa.UniqueConstraint("reference", info={"field": "reference"}),
    tenant_key(),
    sa.Index(None, "organization_id", "created_at"),
)
