"""Fixtures for the whole suite.

The PostgreSQL fixtures (``postgres_url`` and friends) live in ``tests/support/postgres.py``
and are registered here, so any test folder can ask for them; a test that never does starts
no server.
"""

pytest_plugins = ("support.postgres",)
