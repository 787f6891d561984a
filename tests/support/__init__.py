"""Helpers shared by test folders (server bootstrapping, migrations)."""
