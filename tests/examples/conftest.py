"""The example applications live in ``examples/`` at the repository's root, which is not on
the import path of a test run by itself: put it there for the tests of this folder."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
