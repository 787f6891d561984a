"""rabbit: the service core of an autonomous social media marketing agent.

The core is two layers: :mod:`rabbit.domain` (entities, value objects, pure policies) and
:mod:`rabbit.application` (ports and use cases). Adapters live outside, in the
``rabbit_memory``, ``rabbit_local`` and ``rabbit_postgres`` packages, and are wired by
:mod:`rabbit.bootstrap`.
"""

__version__ = "0.1.0"
