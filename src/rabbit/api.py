"""What an application embedding rabbit holds: the two facades, the settings, the
container that builds them, and starting, migrating and checking the core::

    from rabbit.api import Settings, create_container, migrate, running
    from rabbit.commands import RegisterUser
    from rabbit.errors import DatabaseUnavailableError, DomainError

    settings = Settings()
    await migrate(settings)  # or `rabbit db upgrade` in the deployment
    async with running(create_container(settings)) as container:
        rabbit = container.rabbit()  # a Rabbit: the member use cases
        user = await rabbit.organizations.register_user(RegisterUser(email="a@example.com"))

:class:`Rabbit` is what an application hands its users' requests to; :class:`RabbitSystem`
(``container.system()``) is for workers and payment webhooks only (ADR 0018). The commands
are in :mod:`rabbit.commands`, the errors in :mod:`rabbit.errors`.
"""

from __future__ import annotations

from rabbit.application.facade import Rabbit
from rabbit.application.system import RabbitSystem
from rabbit.bootstrap.containers import (
    Container,
    OverrideAfterUseError,
    create_container,
    running,
)
from rabbit.bootstrap.database import SchemaStatus, migrate, schema_status
from rabbit.bootstrap.settings import Settings, StoreKind

__all__ = [
    "Container",
    "OverrideAfterUseError",
    "Rabbit",
    "RabbitSystem",
    "SchemaStatus",
    "Settings",
    "StoreKind",
    "create_container",
    "migrate",
    "running",
    "schema_status",
]
