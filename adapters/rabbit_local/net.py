"""The resolve-time guard of outbound requests (ADR 0022).

URLs are checked at the door (``rabbit.domain.policies.urls``: public http(s), no private IP
literal, no local host name), but a public-looking name can resolve to a private address —
from the start, or after the check (DNS rebinding: the answer changes between the check and
the request). So every adapter that makes an outbound HTTP request (webhooks, crawlers,
publishers, image fetchers; none exists yet) must, for every request and every redirect:

1. call :func:`resolve_public` on the URL, which checks the URL again, resolves its host
   and refuses it (:class:`ForbiddenDestinationError`) when *any* address it resolves to is
   not public (loopback, private, link-local/metadata, shared, reserved, multicast);
2. connect to one of the addresses it returned — never resolve the name a second time
   (that is the rebinding window) — sending the hostname as ``Host`` and TLS SNI;
3. not follow redirects by itself: each ``Location`` is a new URL for step 1.

A URL stored before the door rule existed is refused here too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from rabbit.domain.policies.urls import (
    IPAddress,
    UnsafeUrlError,
    is_public_address,
    public_url_host,
)

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port) -> the addresses (as text) the host resolves to``."""


class ForbiddenDestinationError(Exception):
    """The URL must not be requested: not a public http(s) URL, its host does not resolve,
    or it resolves to an address that is not public. The message names no address."""


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``getaddrinfo`` gives for ``host`` (TCP), as text."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def resolve_public(url: str, resolver: Resolver = system_resolver) -> list[IPAddress]:
    """The addresses to connect to for ``url``, each of them public; raises
    ForbiddenDestinationError when the URL is not a public http(s) URL, its host does not
    resolve, or ANY address it resolves to is not public."""
    try:
        host = public_url_host(url)
    except UnsafeUrlError as exc:
        raise ForbiddenDestinationError(f"refused URL: {exc}") from None
    if not isinstance(host, str):
        return [host]  # an IP literal, already checked
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        found = await resolver(host, port)
    except OSError as exc:
        raise ForbiddenDestinationError(f"refused URL: {host} does not resolve") from exc
    addresses: list[IPAddress] = []
    for text in found:
        try:
            address = ipaddress.ip_address(text.partition("%")[0])
        except ValueError:
            raise ForbiddenDestinationError(
                f"refused URL: {host} resolves to something that is no address"
            ) from None
        if "%" in text or not is_public_address(address):
            raise ForbiddenDestinationError(f"refused URL: {host} resolves to a non-public address")
        addresses.append(address)
    if not addresses:
        raise ForbiddenDestinationError(f"refused URL: {host} does not resolve")
    return addresses
