"""The documentation site (``mkdocs.yml``, ADR 0030) builds with ``--strict``: every link
between pages and every ``#section`` resolves, and the API reference is built from the
docstrings of the public modules. A copy of the sources with one broken link fails the
same build, so the first test cannot pass by building nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MKDOCS = Path(sys.executable).parent / "mkdocs"
SOURCES = ("mkdocs.yml", "README.md", "CHANGELOG.md", "docs", "src", "adapters")


def build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MKDOCS, "build", "--strict", "--site-dir", site],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_site_builds_strictly_with_the_reference_of_the_public_modules(
    tmp_path: Path,
) -> None:
    result = build(ROOT, tmp_path / "site")

    assert result.returncode == 0, result.stderr
    for module in ("api", "commands", "errors"):
        page = (tmp_path / "site" / "reference" / module / "index.html").read_text()
        assert f"rabbit.{module}" in page
    errors_page = (tmp_path / "site" / "reference" / "errors" / "index.html").read_text()
    assert "ConnectionLostError" in errors_page
    assert ":class:" not in errors_page  # reST roles read as code (docs/griffe_rest.py)
    assert "0027" in (tmp_path / "site" / "adr" / "index.html").read_text()


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    page = copy / "docs" / "architecture.md"
    page.write_text(page.read_text() + "\nSee [the missing page](missing.md).\n")

    result = build(copy, tmp_path / "site")

    assert result.returncode != 0
    assert "missing.md" in result.stderr
