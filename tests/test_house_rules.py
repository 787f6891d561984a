"""House rules the code must keep, checked on its source (no import, no store).

A function of the application layer fits on a screen: at most ``MAX_LINES`` lines from its
``def`` (or first decorator) to its last line, docstring included. A use case that grows
past it mixes rules with orchestration: the rules go to ``rabbit.domain`` (a policy or the
entity that owns them), the steps to helpers named for what they do.

No code of the application layer assigns ``updated_at``, nor passes ``created_at`` or
``updated_at`` to a constructor: an entity is built by its named factory and changes its own
state, stamping it with the ``now`` it is given (docs/architecture.md#where-each-rule-lives).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

APPLICATION = Path(__file__).resolve().parents[1] / "src" / "rabbit" / "application"
MAX_LINES = 50

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, Function]]:
    """``(qualified name, node)`` of every function and method, nested ones included."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")
        elif isinstance(child, Function):
            yield f"{prefix}{child.name}", child
            yield from _functions(child, f"{prefix}{child.name}.")
        else:
            yield from _functions(child, prefix)


def _length(function: Function) -> int:
    first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
    assert function.end_lineno is not None
    return function.end_lineno - first + 1


def _long_functions() -> dict[str, int]:
    """``path::qualified name`` → length of every application function past the limit."""
    found = {}
    for path in sorted(APPLICATION.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, function in _functions(tree):
            if (length := _length(function)) > MAX_LINES:
                found[f"{path.relative_to(APPLICATION).as_posix()}::{name}"] = length
    return found


def test_every_application_function_fits_on_a_screen() -> None:
    too_long = _long_functions()
    listed = ", ".join(f"{name} ({n} lines)" for name, n in sorted(too_long.items()))
    assert not too_long, f"longer than {MAX_LINES} lines: {listed}"


def test_the_walk_measures_methods_and_nested_functions() -> None:
    body = "\n".join(f"            x = {i}" for i in range(MAX_LINES))
    source = f"class C:\n    @staticmethod\n    def m():\n        def inner():\n{body}\n"
    lengths = {name: _length(f) for name, f in _functions(ast.parse(source))}
    assert lengths == {"C.m": MAX_LINES + 3, "C.m.inner": MAX_LINES + 1}  # from the decorator


def _stamps(tree: ast.AST) -> Iterator[int]:
    """Line of every assignment to an attribute named ``updated_at`` (plain, augmented,
    annotated, chained or unpacked)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and part.attr == "updated_at":
                    yield node.lineno


def test_no_application_code_stamps_updated_at() -> None:
    found = [
        f"{path.relative_to(APPLICATION).as_posix()}:{line}"
        for path in sorted(APPLICATION.rglob("*.py"))
        for line in _stamps(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    ]
    assert not found, f"updated_at set by hand (use an entity method): {', '.join(found)}"


def test_the_walk_finds_every_form_of_stamp() -> None:
    source = (
        "a.deleted_at = a.updated_at = now\n"
        "b.updated_at += step\n"
        "c.updated_at: object = now\n"
        "d.x, d.updated_at = 1, now\n"
        "e = Row(updated_at=now)\n"
    )
    assert list(_stamps(ast.parse(source))) == [1, 2, 3, 4]


TIMESTAMPS = frozenset({"created_at", "updated_at"})


def _timestamp_arguments(tree: ast.AST) -> Iterator[int]:
    """Line of every call that passes ``created_at=`` or ``updated_at=``: a row built field
    by field instead of by its entity's factory."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in TIMESTAMPS:
                    yield node.lineno


def test_no_application_code_builds_a_row_field_by_field() -> None:
    found = [
        f"{path.relative_to(APPLICATION).as_posix()}:{line}"
        for path in sorted(APPLICATION.rglob("*.py"))
        for line in _timestamp_arguments(
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        )
    ]
    assert not found, f"timestamps passed by hand (use the entity's factory): {', '.join(found)}"


def test_the_walk_finds_timestamps_passed_to_a_call() -> None:
    source = (
        "a = Row(id=1, created_at=now)\n"
        "b = f(\n    updated_at=now,\n)\n"
        "c = Row.created(id=1, now=now)\n"
        "d = dict(created=now)\n"
    )
    assert list(_timestamp_arguments(ast.parse(source))) == [1, 2]
