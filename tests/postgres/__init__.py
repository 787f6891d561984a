"""Tests of the PostgreSQL schema, migrations, runtime and error translation."""
