"""schedules: when a brand posts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rabbit_postgres.schema._base import (
    array,
    check,
    created_at,
    flag,
    id_column,
    metadata,
    social_platform,
    tenant_column,
    tenant_fk,
    tenant_key,
    text_array,
    text_default,
    timestamp,
    updated_at,
)

schedules = sa.Table(
    "schedules",
    metadata,
    id_column(),
    tenant_column(),
    sa.Column("brand_profile_id", sa.Text(), nullable=False),
    sa.Column("name", sa.Text()),
    array("platforms", pg.ARRAY(social_platform)),
    text_default("frequency", "1_per_day"),
    text_array("times"),
    text_default("timezone", "UTC"),
    array("days_of_week", pg.ARRAY(sa.Integer()), (1, 2, 3, 4, 5)),
    text_default("material_strategy", "round_robin"),
    flag("auto_approve", True),
    flag("unique_per_platform", False),
    flag("is_active", True),
    timestamp("next_run_at"),
    created_at(),
    updated_at(),
    tenant_key(),
    tenant_fk("brand_profile_id", "brand_profiles", ondelete="CASCADE"),
    # 0 = Sunday … 6 = Saturday; "contained by" also accepts the empty array.
    check(
        "days_of_week <@ ARRAY[0, 1, 2, 3, 4, 5, 6]",
        name="days_of_week_range",
        field="days_of_week",
    ),
    # claim_due: active schedules by next_run_at.
    sa.Index(None, "next_run_at", postgresql_where=sa.text("is_active")),
)
