"""The driving side: the ``rabbit`` command."""
