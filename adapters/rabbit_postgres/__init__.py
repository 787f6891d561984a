"""The PostgreSQL adapter: SQLAlchemy 2 Core (async) and asyncpg, with pgvector.

- ``schema``: the tables (Core ``Table`` objects, no ORM) and their ``MetaData``;
- ``runtime``: DATABASE_URL parsing, the embedded server, the engine and its lifetime;
- ``errors``: adapter errors and the translation of violated constraints to domain errors;
- ``settings``: what the runtime needs from the composition root;
- ``mapping``: rows to entities and back, by hand (ADR 0003);
- ``statements``: Core statements compiled once, with their types' processors (ADR 0009);
- ``codecs``: pgvector's ``vector`` in binary on every connection a unit of work uses;
- ``session``, ``repositories``, ``unit_of_work``: ``PostgresUnitOfWorkFactory(engine)``, one
  pooled connection and one asyncpg transaction per unit of work, one statement per
  repository method, each logged at DEBUG on ``rabbit_postgres.sql`` (its parameters only
  when the engine shows them: explicit development mode, ADR 0021).

The migrations live in ``migrations/`` at the project root (``uv run alembic upgrade head``).
"""
