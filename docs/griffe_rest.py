"""A griffe extension (``mkdocs.yml``): the docstrings' reST markup read as Markdown in the
API reference. ``:class:`~a.b.C``` and the other roles become ``C`` in code, and
double backquotes single ones; the docstrings themselves stay as they are."""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):`~?([^`]+)`")
LITERAL = re.compile(r"``([^`]+)``")


def as_markdown(text: str) -> str:
    text = ROLE.sub(lambda match: f"`{match.group(1)}`", text)
    return LITERAL.sub(lambda match: f"`{match.group(1)}`", text)


class RestRoles(griffe.Extension):
    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Each loaded object's docstring, rewritten once."""
        if obj.docstring is not None:
            obj.docstring.value = as_markdown(obj.docstring.value)
