"""Who may call what: the member facade holds only actor-checked use cases (ADR 0018).

Whoever holds ``Rabbit`` (an application serving members) must not be able to replace an
account's tokens, deactivate it, deduct or grant credits, renew a period, change a tier or
write metrics for an organisation just by knowing its ids: those operations take no actor,
so they live on ``RabbitSystem`` only, which workers and payment webhooks hold.
"""

from __future__ import annotations

import inspect
import re

from rabbit.application.context import Ports
from rabbit.application.facade import Rabbit
from rabbit.application.system import RabbitSystem

from .facade_support import areas, facade_methods, unwired

SIGN_UP = {("organizations", "register_user")}
"""The one member-side use case without an actor: there is no user before sign-up."""


def test_every_member_use_case_takes_an_actor() -> None:
    member = unwired(Rabbit)
    without_actor = {
        (area, name)
        for area, name, signature in facade_methods(member)
        if "actor_id" not in signature.parameters
    }
    assert without_actor == SIGN_UP


def test_the_system_operations_are_not_reachable_from_the_member_facade() -> None:
    member, system = unwired(Rabbit), unwired(RabbitSystem)
    member_methods = {name for _, name, _ in facade_methods(member)}
    system_methods = {name for _, name, _ in facade_methods(system)}
    assert {
        "record_token_refresh",
        "record_refresh_rejected",
        "deduct_credits",
        "renew_period",
        "record_metrics",
        "rotate_token_keys",
        "purge",
        "expire_stale",
        "publish_due",
        "publish_platform",
        "tick",
    } <= system_methods
    assert not member_methods & system_methods
    system_classes = {type(use_cases) for use_cases in areas(system).values()}
    assert not system_classes & {type(use_cases) for use_cases in areas(member).values()}
    for name in system_methods:
        for use_cases in areas(member).values():
            assert not hasattr(use_cases, name), (type(use_cases).__name__, name)


def test_no_system_operation_takes_an_actor() -> None:
    """A system operation checks no role, so an actor argument would only pretend to."""
    for area, name, signature in facade_methods(unwired(RabbitSystem)):
        assert "actor_id" not in signature.parameters, (area, name)


def test_each_area_is_named_after_its_use_case_class() -> None:
    """``rabbit.social_accounts`` is a ``SocialAccounts``: a reader finds the class (and its
    module) from the attribute, and no two areas go by names that blur together."""
    for facade in (unwired(Rabbit), unwired(RabbitSystem)):
        for area, use_cases in areas(facade).items():
            words = re.findall(r"[A-Z][a-z]*", type(use_cases).__name__)
            assert area == "_".join(words).lower(), (area, type(use_cases).__name__)


def test_the_member_facade_hands_out_no_ports() -> None:
    """No public attribute of the member facade (or of its areas) is the ports bundle or the
    unit-of-work factory: the store is reached through member use cases only."""
    member = Rabbit(_ports())
    public = {name: value for name, value in vars(member).items() if not name.startswith("_")}
    assert "ports" not in public
    for use_cases in areas(member).values():
        for name, value in vars(use_cases).items():
            assert name.startswith("_"), (type(use_cases).__name__, name)
            assert not isinstance(value, Ports) or name.startswith("_")
    assert all(not isinstance(value, Ports) for value in public.values())


def _ports() -> Ports:
    fields = inspect.signature(Ports).parameters
    return Ports(**{name: object() for name in fields if name != "config"})  # type: ignore[arg-type]
