"""Docs and docstrings cite only what the repository holds.

A reader of the repository has nothing else: the data model is docs/domain.md, the use
cases and their rules docs/behaviour.md, the decisions docs/adr/. So every path-like
reference (``docs/domain.md``, ``use_cases/_arguments.py``) in a markdown file, or in a docstring
or comment of a Python file, must name a file that exists here; a ``#section`` after a
markdown file must name one of its headings; every relative markdown link must lead to a
file or folder that exists; and nothing may lean on a specification kept elsewhere.

How a reference resolves: relative to the citing file's folder, or to the repository root;
a reference to anything but a markdown file may also name the end of a path
(``use_cases/_arguments.py``, ``overlap.py``), as docstrings do. A markdown file must be named by
a path that leads to it, since several share a name. The text of a markdown link is not a
reference (its target is, checked as a link). Nothing is allow-listed: a reference that
cannot resolve is rewritten or removed.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SKIPPED_DIRS = frozenset({"__pycache__", "build", "dist", "var", "node_modules"})
"""Besides hidden folders (``.git``, ``.venv``, caches) and ``*.egg-info``."""

EXTENSIONS = ("md", "py", "toml", "ini", "cfg", "yaml", "yml", "json", "png", "svg", "txt")
"""What a path-like reference ends in. ``.sql`` is left out on purpose: the SQL logger is
named ``rabbit_postgres`` + ``.sql``, a name and not a file."""

PATH_REFERENCE = re.compile(
    r"(?<![\w./@-])"
    r"((?:\.{1,2}/)*(?:[\w.-]+/)*[\w-][\w.-]*\.(?:" + "|".join(EXTENSIONS) + r"))"
    r"(?:#([\w-]+))?"
    r"(?![\w/-])"
)
MARKDOWN_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
LINK_TEXT = re.compile(r"\[([^\]\n]*)\](?=\()")
URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
OUTSIDE_SPECIFICATION = re.compile(r"\b(?:the|a) spec\b|\bspec's\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Passage:
    """A piece of prose: a markdown file, or one docstring or comment of a Python file."""

    path: Path
    line: int
    text: str

    def line_of(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


def repository_files() -> list[Path]:
    """Every file of the working tree, relative to the root (hidden folders skipped)."""
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".")
            and name not in SKIPPED_DIRS
            and not name.endswith(".egg-info")
        )
        base = Path(folder).relative_to(ROOT)
        found.extend(base / name for name in sorted(files))
    return found


@cache
def all_files() -> tuple[str, ...]:
    return tuple(path.as_posix() for path in repository_files())


@cache
def passages() -> tuple[Passage, ...]:
    """Every markdown file, and every docstring and comment of every Python file."""
    found = list(markdown_passages())
    for relative in repository_files():
        if relative.suffix == ".py":
            found.extend(python_passages(relative))
    return tuple(found)


@cache
def markdown_passages() -> tuple[Passage, ...]:
    return tuple(
        Passage(relative, 1, (ROOT / relative).read_text(encoding="utf-8"))
        for relative in repository_files()
        if relative.suffix == ".md"
    )


def python_passages(relative: Path) -> Iterator[Passage]:
    """The docstrings (of modules, classes, functions and attributes) and the comments."""
    source = (ROOT / relative).read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        for statement in body if isinstance(body, list) else ():
            if (
                isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            ):
                yield Passage(relative, statement.lineno, statement.value.value)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield Passage(relative, token.start[0], token.string)


def blank(pattern: re.Pattern[str], text: str) -> str:
    """``text`` with the matches of ``pattern`` blanked out (same length, so offsets and lines
    stay)."""
    return pattern.sub(lambda match: " " * len(match.group()), text)


def prose(passage: Passage) -> str:
    """The text whose path-like words are references: URLs are not, nor a markdown link's
    text (its target is checked as a link)."""
    text = blank(URL, passage.text)
    return blank(LINK_TEXT, text) if passage.path.suffix == ".md" else text


def inside_repository(path: str) -> Path | None:
    normal = Path(os.path.normpath(path))
    return normal if normal.is_relative_to(ROOT) else None


def resolve(citing: Path, reference: str) -> Path | None:
    """The file a path-like reference names, or None (module docstring's rules)."""
    for base in ((ROOT / citing).parent, ROOT):
        candidate = inside_repository(str(base / reference))
        if candidate is not None and candidate.is_file():
            return candidate
    if reference.endswith(".md") or reference.startswith("."):
        return None
    for name in all_files():
        if name == reference or name.endswith("/" + reference):
            return ROOT / name
    return None


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to ``-``."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(markdown: Path) -> frozenset[str]:
    """The heading anchors of a markdown file (headings in fenced code left out; a repeated
    heading gets ``-1``, ``-2``, … as on GitHub)."""
    seen: dict[str, int] = {}
    found = set()
    fenced = False
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match is None:
            continue
        slug = github_slug(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(found)


def anchor_problem(target: Path, anchor: str | None) -> str | None:
    if anchor is None or target.suffix != ".md" or anchor in anchors(target):
        return None
    return f"{target.relative_to(ROOT)} has no section #{anchor}"


def reference_problems(passage: Passage) -> Iterator[str]:
    """Path-like references of a passage that name no file (or no section) of the repository."""
    for match in PATH_REFERENCE.finditer(prose(passage)):
        reference, anchor = match.group(1), match.group(2)
        where = f"{passage.path}:{passage.line_of(match.start())}"
        target = resolve(passage.path, reference)
        if target is None:
            yield f"{where}: {reference} is not a file of the repository"
            continue
        problem = anchor_problem(target, anchor)
        if problem is not None:
            yield f"{where}: {reference}#{anchor}: {problem}"


def link_problems(passage: Passage) -> Iterator[str]:
    """Relative markdown links of a markdown passage that lead nowhere."""
    for match in MARKDOWN_LINK.finditer(passage.text):
        link = match.group(1)
        if SCHEME.match(link):
            continue
        where = f"{passage.path}:{passage.line_of(match.start())}"
        path, _, anchor = link.partition("#")
        if not path:
            target: Path | None = ROOT / passage.path
        else:
            target = inside_repository(str((ROOT / passage.path).parent / path))
        if target is None or not target.exists():
            yield f"{where}: the link {link} leads to nothing in the repository"
            continue
        problem = anchor_problem(target, anchor or None)
        if problem is not None:
            yield f"{where}: the link {link}: {problem}"


def specification_problems(passage: Passage) -> Iterator[str]:
    for match in OUTSIDE_SPECIFICATION.finditer(passage.text):
        yield (
            f"{passage.path}:{passage.line_of(match.start())}: {match.group()!r} leans on a "
            "document outside the repository: cite docs/domain.md or docs/behaviour.md"
        )


def report(problems: list[str]) -> str:
    return f"{len(problems)} reference(s) to fix:\n" + "\n".join(problems)


def test_every_cited_file_exists() -> None:
    problems = [problem for p in passages() for problem in reference_problems(p)]
    assert not problems, report(problems)


def test_every_relative_markdown_link_leads_somewhere() -> None:
    problems = [problem for p in markdown_passages() for problem in link_problems(p)]
    assert not problems, report(problems)


def test_nothing_leans_on_a_specification_outside_the_repository() -> None:
    problems = [problem for p in passages() for problem in specification_problems(p)]
    assert not problems, report(problems)


# The checker itself: it must catch what it is for, and let through what resolves.


def test_a_missing_file_a_missing_section_and_a_path_outside_are_caught() -> None:
    citing = Path("src/rabbit/domain/example.py")
    text = (
        "cites nowhere.md, docs/behaviour.md#no-such-section, ../outside/domain.md, "
        "a bare behaviour.md and gone/module.py"
    )
    problems = list(reference_problems(Passage(citing, 1, text)))
    assert len(problems) == 5, problems


def test_a_path_a_section_and_the_end_of_a_path_resolve() -> None:
    citing = Path("src/rabbit/domain/example.py")
    text = (
        "cites docs/behaviour.md#deduplication, docs/domain.md#post_metrics, "
        "use_cases/_arguments.py, README.md, the logger rabbit_postgres.sql and "
        "https://example.com/page.md"
    )
    assert list(reference_problems(Passage(citing, 1, text))) == []


def test_markdown_links_are_resolved_from_their_file() -> None:
    citing = Path("docs/adr/0001-hexagonal-layout-and-packages.md")
    good = "[b](../behaviour.md#deduplication) [adrs](../adr/) [web](https://example.com/x)"
    bad = "[b](behaviour.md) [s](../behaviour.md#nope) [n](#not-a-heading-here)"
    assert list(link_problems(Passage(citing, 1, good))) == []
    assert len(list(link_problems(Passage(citing, 1, bad)))) == 3


def test_headings_become_github_anchors() -> None:
    assert github_slug("Publishing exactly once, and settlement") == (
        "publishing-exactly-once-and-settlement"
    )
    assert github_slug("Member use cases (`Rabbit`)") == "member-use-cases-rabbit"
    assert github_slug("organization_members") == "organization_members"
