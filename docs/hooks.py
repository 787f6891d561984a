"""mkdocs hooks (``mkdocs.yml``): the pages that are made from files outside ``docs/``.

- The home page is the repository's README.md and the changelog page its CHANGELOG.md:
  their links into ``docs/`` are rewritten to lead to the same page of the site, a link to
  the changelog to its page, and a link to any other file of the repository (which the site
  does not hold) becomes its plain text.
- The decisions' index page (``adr/index``) lists every decision of ``docs/adr/`` by its
  title, so a new one is listed without editing an index; a link to the folder (``adr/``,
  which GitHub shows as a listing) leads to that page.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*([^)\s]+)\s*\)")
PAGES_FROM_ROOT = {"README.md": "index.md", "CHANGELOG.md": "changelog.md"}


def _rewrite_link(match: re.Match[str]) -> str:
    image, text, target = match.groups()
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("#"):
        return match.group(0)
    path, hash_, anchor = target.partition("#")
    normal = posixpath.normpath(path) + ("/" if path.endswith("/") else "")
    if normal in PAGES_FROM_ROOT:
        return f"{image}[{text}]({PAGES_FROM_ROOT[normal]}{hash_}{anchor})"
    if normal.startswith("docs/"):
        inside = normal.removeprefix("docs/")
        if inside.endswith("/"):
            inside += "index.md"
        return f"{image}[{text}]({inside}{hash_}{anchor})"
    return text if text.startswith("`") else f"`{text}`"


def _from_root(name: str) -> str:
    """A file of the repository's root as a page of the site's root."""
    return LINK.sub(_rewrite_link, (ROOT / name).read_text(encoding="utf-8"))


def _title(decision: Path) -> str:
    first = decision.read_text(encoding="utf-8").splitlines()[0]
    return first.lstrip("# ").strip()


def _decisions() -> str:
    lines = [
        "# Decisions",
        "",
        "Every architecture decision record, oldest first; each says its context, the",
        "decision and its consequences.",
        "",
    ]
    for decision in sorted((DOCS / "adr").glob("[0-9]*.md")):
        lines.append(f"- [{_title(decision)}]({decision.name})")
    return "\n".join(lines) + "\n"


FOLDER_LINK = re.compile(r"\]\(\s*((?:\.\./)*[\w./-]*?/)\s*\)")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """A link to a folder of ``docs/`` leads to that folder's index page."""
    return FOLDER_LINK.sub(lambda match: f"]({match.group(1)}index.md)", markdown)


def on_files(files: Files, config: Any) -> Files:
    pages = {name: _from_root(source) for source, name in PAGES_FROM_ROOT.items()}
    pages["adr/index.md"] = _decisions()
    for name, content in pages.items():
        files.append(File.generated(config, name, content=content))
    return files
