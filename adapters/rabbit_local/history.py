"""How much the development publisher and notifier remember (ADR 0029)."""

DEFAULT_DEV_HISTORY = 1000
"""Recent publications (and issued tokens) the recording publisher keeps, and recent notices
the logging notifier keeps; older ones are dropped, so a long-running worker stays bounded
(``Settings.dev_history``, ``RABBIT_DEV_HISTORY``)."""


def check_history(keep: int) -> int:
    """``keep`` when it is a usable bound (at least 1), else ValueError."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    return keep
