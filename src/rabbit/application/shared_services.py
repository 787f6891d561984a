"""The services more than one use case leans on, built from the ``Ports`` bundle.

Both facades (:class:`~rabbit.application.facade.Rabbit` and
:class:`~rabbit.application.system.RabbitSystem`) hand these to the use cases that need them:
:class:`~rabbit.application.credits.Credits` (every charge, refund and grant) and
:class:`~rabbit.application.use_cases.generation_steps.GenerationSteps` (a member's
generation and the autopilot's). Each takes only the ports and rules it uses, like every use
case (docs/architecture.md, "Who may call what: two facades").
"""

from __future__ import annotations

from rabbit.application.context import Ports
from rabbit.application.credits import Credits
from rabbit.application.use_cases.generation_steps import GenerationSteps
from rabbit.application.use_cases.publishing import Publishing


def credits_of(ports: Ports) -> Credits:
    return Credits(clock=ports.clock, ids=ports.ids)


def generation_steps_of(ports: Ports, credits: Credits) -> GenerationSteps:
    config = ports.config
    return GenerationSteps(
        clock=ports.clock,
        ids=ports.ids,
        random=ports.random,
        generator=ports.generator,
        embedder=ports.embedder,
        notifier=ports.notifier,
        credits=credits,
        analytics_window=config.analytics_window,
        exploration_rate=config.exploration_rate,
        dedup_window=config.dedup_window,
    )


def publishing_of(ports: Ports, credits: Credits) -> Publishing:
    """The publishing steps: the system's ``publishing`` and the autopilot run them, and a
    member's retry of one publication (``Rabbit.posts.retry_publication``)."""
    config = ports.config
    return Publishing(
        uow=ports.uow,
        clock=ports.clock,
        ids=ports.ids,
        cipher=ports.cipher,
        publisher=ports.publisher,
        credits=credits,
        tick_batch_size=config.tick_batch_size,
        publish_max_attempts=config.publish_max_attempts,
        publish_attempt_lease=config.publish_attempt_lease,
        publish_backoff=config.publish_backoff,
        publish_backoff_max=config.publish_backoff_max,
    )
