"""The hand-written row mapping covers every column of every table (ADR 0003)."""

from __future__ import annotations

from rabbit_postgres.mapping import check_mappings


def test_every_table_column_has_an_entity_field_and_back() -> None:
    assert check_mappings() == []
