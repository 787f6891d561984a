"""Issue 13: the old name of :mod:`._arguments`, kept only while generation, publishing,
materials and review (being rewritten in another branch) import it; delete at merge."""

from rabbit.application.use_cases._arguments import UseCases

__all__ = ["UseCases"]
