"""The resolve-time guard: a name that resolves inside is refused when a request is made
(the DNS-rebinding half of ADR 0022), with the resolver injected."""

from __future__ import annotations

import ipaddress

import pytest

from rabbit_local.net import (
    ForbiddenDestinationError,
    Resolver,
    resolve_public,
    system_resolver,
)


def answering(*addresses: str, asked: list[tuple[str, int]] | None = None) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        if asked is not None:
            asked.append((host, port))
        return list(addresses)

    return resolve


async def test_a_name_resolving_to_public_addresses_gives_them_to_connect_to() -> None:
    asked: list[tuple[str, int]] = []

    found = await resolve_public(
        "https://hooks.example.com/review",
        answering("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", asked=asked),
    )

    assert found == [
        ipaddress.ip_address("93.184.216.34"),
        ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"),
    ]
    assert asked == [("hooks.example.com", 443)]


@pytest.mark.parametrize(
    "answer",
    [
        ("127.0.0.1",),
        ("169.254.169.254",),
        ("10.1.2.3",),
        ("::1",),
        ("::ffff:127.0.0.1",),
        ("fe80::1%eth0",),
        ("93.184.216.34", "127.0.0.1"),  # one inside address is enough (rebinding)
        ("93.184.216.34", "169.254.169.254"),
        (),
    ],
    ids=str,
)
async def test_refuses_a_name_resolving_to_any_address_inside(answer: tuple[str, ...]) -> None:
    with pytest.raises(ForbiddenDestinationError) as refused:
        await resolve_public("http://rebind.example.com:8080/hook", answering(*answer))
    assert "127.0.0.1" not in str(refused.value)


async def test_refuses_a_name_that_does_not_resolve() -> None:
    async def failing(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(ForbiddenDestinationError):
        await resolve_public("https://nowhere.example.com/", failing)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/", "http://0x7f000001/", "http://localhost/", "javascript:alert(1)"],
)
async def test_checks_the_url_itself_again_before_resolving(url: str) -> None:
    asked: list[tuple[str, int]] = []

    with pytest.raises(ForbiddenDestinationError):
        await resolve_public(url, answering("93.184.216.34", asked=asked))
    assert asked == []


async def test_a_public_ip_literal_needs_no_resolving() -> None:
    asked: list[tuple[str, int]] = []

    found = await resolve_public("http://8.8.8.8/", answering(asked=asked))

    assert found == [ipaddress.ip_address("8.8.8.8")]
    assert asked == []


async def test_the_system_resolver_answers_addresses_as_text() -> None:
    # a numeric host: getaddrinfo answers without any network
    assert set(await system_resolver("127.0.0.1", 80)) == {"127.0.0.1"}
