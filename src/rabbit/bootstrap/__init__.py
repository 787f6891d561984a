"""The composition root, and what an application embedding the core needs from it::

    from rabbit.bootstrap import Settings, create_container, migrate, running

    await migrate(settings)  # the schema to head (``rabbit db upgrade`` does the same)
    async with running(create_container(settings)) as container:
        ...

``running`` refuses a database whose schema is not at head with a one-line
:class:`SchemaNotCurrentError`; :func:`schema_status` tells where a database is.
"""

from rabbit.application.errors import SchemaNotCurrentError
from rabbit.bootstrap.containers import Container, create_container, running
from rabbit.bootstrap.database import SchemaStatus, migrate, schema_status
from rabbit.bootstrap.settings import Settings, StoreKind

__all__ = [
    "Container",
    "SchemaNotCurrentError",
    "SchemaStatus",
    "Settings",
    "StoreKind",
    "create_container",
    "migrate",
    "running",
    "schema_status",
]
