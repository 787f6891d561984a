"""The memory store's hand copy of the schema (rabbit_memory.schema) holds exactly the rules
of rabbit_postgres.schema: tables, foreign keys with their on-delete action, unique
constraints and partial unique indexes, and check constraints, rule by rule.

rabbit_memory may not import rabbit_postgres (the import-linter contracts in
pyproject.toml), so the copy stays by hand and this test keeps it true, as
tests/postgres/test_mapping.py does for the row mappings. Each side is reduced to the same
plain tuples; a rule on one side only is named in the failure.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from rabbit_memory import schema as memory
from rabbit_postgres.errors import constraint_targets, entity_name
from rabbit_postgres.schema import TENANT_COLUMN, metadata

Rule = tuple[object, ...]


def _differences(memory_rules: Iterable[Rule], postgres_rules: Iterable[Rule]) -> dict[str, Rule]:
    """What one side holds and the other lacks (empty when they agree)."""
    mine, theirs = set(memory_rules), set(postgres_rules)
    return {
        "only in rabbit_memory": tuple(sorted(mine - theirs, key=repr)),
        "only in rabbit_postgres": tuple(sorted(theirs - mine, key=repr)),
    }


NO_DIFFERENCE = {"only in rabbit_memory": (), "only in rabbit_postgres": ()}


# PostgreSQL's rules, read from the SQLAlchemy metadata --------------------------------


def _on_delete(constraint: sa.ForeignKeyConstraint, column: str) -> str:
    """``CASCADE`` → ``cascade``; ``SET NULL`` of the reference alone → ``set null`` (what the
    memory session can do); anything else is kept as written, and so differs."""
    rule = constraint.ondelete or "NO ACTION"
    if rule == "CASCADE":
        return memory.OnDelete.CASCADE.value
    if rule in ("SET NULL", f"SET NULL ({column})"):
        return memory.OnDelete.SET_NULL.value
    return rule


def postgres_foreign_keys() -> set[Rule]:
    """(child, column, parent, on delete, further matched columns, bound to the tenant)."""
    rules: set[Rule] = set()
    for table in metadata.tables.values():
        for constraint in table.foreign_key_constraints:
            pairs = [(element.parent.name, element.column.name) for element in constraint.elements]
            (column,) = [local for local, remote in pairs if remote == "id"]
            tenant_bound = (TENANT_COLUMN, TENANT_COLUMN) in pairs
            match = tuple(
                local if local == remote else f"{local}->{remote}"
                for local, remote in pairs
                if remote not in ("id", TENANT_COLUMN)
            )
            parent = constraint.referred_table.name
            on_delete = _on_delete(constraint, column)
            rules.add((table.name, column, parent, on_delete, match, tenant_bound))
    return rules


def postgres_uniques() -> set[Rule]:
    """(table, columns, field the conflict names, partial predicate), but for the targets of
    the tenant foreign keys (``(organization_id, id, …)``), which the primary key makes
    unique."""
    field = {name: target.field for name, target in constraint_targets().items()}
    rules: set[Rule] = set()
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint):
                columns = tuple(column.name for column in constraint.columns)
                if "id" not in columns:
                    rules.add((table.name, columns, field[str(constraint.name)], None))
        for index in table.indexes:
            if index.unique:
                columns = tuple(column.name for column in index.columns)
                where = index.dialect_options["postgresql"]["where"]
                predicate = None if where is None else str(where)
                rules.add((table.name, columns, field[str(index.name)], predicate))
    return rules


def postgres_checks() -> set[Rule]:
    """(table, constraint name, field the validation error names)."""
    field = {name: target.field for name, target in constraint_targets().items()}
    return {
        (table.name, str(constraint.name), field[str(constraint.name)])
        for table in metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint)
    }


# The memory store's rules, reduced to the same tuples --------------------------------


def memory_foreign_keys() -> set[Rule]:
    return {
        (
            fk.child,
            fk.column,
            fk.parent,
            fk.on_delete.value,
            fk.match,
            # the session's _same_tenant: a tenant parent must share the organisation
            fk.parent not in memory.GLOBAL_TABLES,
        )
        for fk in memory.FOREIGN_KEYS
    }


def memory_uniques() -> set[Rule]:
    return {(u.table, u.columns, u.field, u.where) for u in memory.UNIQUES}


def memory_checks() -> set[Rule]:
    return {(c.table, f"ck_{c.table}_{c.name}", c.field) for c in memory.CHECKS}


# The comparisons -----------------------------------------------------------------------


def test_the_same_tables_with_the_same_entity_names() -> None:
    assert (
        _differences(
            memory.ENTITY_NAMES.items(),
            ((name, entity_name(name)) for name in metadata.tables),
        )
        == NO_DIFFERENCE
    )


def test_the_same_tables_belong_to_no_organisation() -> None:
    tables_of_no_organisation = {
        table.name for table in metadata.tables.values() if TENANT_COLUMN not in table.c
    }
    assert tables_of_no_organisation == memory.GLOBAL_TABLES


def test_every_foreign_key_with_its_on_delete_on_both_sides() -> None:
    assert _differences(memory_foreign_keys(), postgres_foreign_keys()) == NO_DIFFERENCE


def test_every_unique_constraint_and_partial_unique_index_on_both_sides() -> None:
    assert _differences(memory_uniques(), postgres_uniques()) == NO_DIFFERENCE


def test_every_check_constraint_on_both_sides() -> None:
    assert _differences(memory_checks(), postgres_checks()) == NO_DIFFERENCE


def test_the_comparison_sees_a_rule_on_one_side_only() -> None:
    """The reductions are not vacuous: dropping any one rule from a side shows up."""
    for rules in (postgres_foreign_keys(), postgres_uniques(), postgres_checks()):
        assert rules
        for rule in rules:
            assert _differences(rules - {rule}, rules)["only in rabbit_postgres"] == (rule,)
