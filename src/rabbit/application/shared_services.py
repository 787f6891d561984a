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
