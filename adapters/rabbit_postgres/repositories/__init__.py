"""The PostgreSQL repositories: one statement per port method (or a fixed few), every
tenant query scoped by ``organization_id``, rows mapped by :mod:`rabbit_postgres.mapping`."""
