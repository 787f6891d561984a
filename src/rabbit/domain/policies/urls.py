"""Public URLs: the addresses the service (or a browser showing them) may be sent to
(ADR 0022).

A URL given to the core that something will follow later — a webhook the service calls, a
shop it crawls, a page or image it fetches, a link it shows — must lead to the public
internet, never inside: not to the service's own host (loopback), the private network it
runs in, the cloud's metadata service (169.254.169.254, ``metadata.google.internal``), nor
run script in a browser (``javascript:``). :func:`check_public_url` is that rule at the
door; it knows nothing of DNS (a pure function), so a hostname that *resolves* inside is
refused again when a request is about to be made (``rabbit_local.net.resolve_public``).

The rule, in order:

- only ``http`` and ``https``, with ``//`` and a host; no user info (``user:pass@``, which
  also hides the real host from a reader: ``https://bank.example@evil.example``); no
  whitespace, control character or backslash anywhere (browsers drop or reinterpret them);
  no percent-encoding in the host (browsers decode it: ``%31%32%37.0.0.1``); a port, when
  given, from 1 to 65535;
- an IP literal, in every form browsers and ``getaddrinfo`` accept — IPv4 shorthand, hex,
  octal and single-integer forms (``127.1``, ``0x7f000001``, ``0177.0.0.1``,
  ``2130706433``: :func:`parse_ipv4`, which reads them as ``inet_aton`` does), bracketed
  IPv6 with IPv4 embedded (``[::ffff:127.0.0.1]``) — must be a public unicast address
  (:func:`is_public_address`);
- a hostname (compared after IDNA mapping, so full-width digits and letters fold to ASCII,
  lower-cased, one trailing dot ignored) must have at least two labels of letters, digits,
  ``-`` and ``_``, and must not be or end in a name reserved for local networks
  (:data:`LOCAL_NAMES`: ``localhost``, ``.local``, ``.internal``, …). A last label of digits
  (or ``0x…``) that is no valid IPv4 address is refused, as browsers refuse it.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from rabbit.domain.errors import ValidationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Names (and, with a leading dot implied, suffixes) that only mean something inside a
#: network: RFC 6761/6762 (``localhost``, ``local``), RFC 8375 (``home.arpa``), the cloud
#: providers' internal zones (``internal``: ``metadata.google.internal``,
#: ``*.ec2.internal``), and the customary private suffixes.
LOCAL_NAMES = frozenset(
    {
        "localhost",
        "localdomain",
        "local",
        "internal",
        "intranet",
        "lan",
        "home",
        "corp",
        "private",
        "home.arpa",
        "ip6.arpa",
        "in-addr.arpa",
    }
)

SCHEMES = frozenset({"http", "https"})

_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
#: whitespace, C0/C1 controls, DEL, backslash: dropped or reinterpreted by browsers
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\]")

#: IPv6 ranges that carry an IPv4 address: the embedded address must be public too.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
#: Ranges refused whatever the running Python's ``ipaddress`` tables say (they changed
#: across patch releases): IANA's special-purpose ranges that must not be reached.
_NOT_PUBLIC: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "100::/64",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)


class UnsafeUrlError(ValueError):
    """Why a URL is not a public http(s) URL (the message is safe to show)."""


def check_public_url(field: str, value: str) -> str:
    """``value`` when it is a public http(s) URL (see the module docstring); else a
    ValidationError naming ``field``."""
    try:
        public_url_host(value)
    except UnsafeUrlError as exc:
        raise ValidationError(field, str(exc)) from None
    return value


def public_url_host(url: str) -> str | IPAddress:
    """The host of a public http(s) URL: the IP address of an IP literal, else the
    normalised hostname. Raises UnsafeUrlError saying what is wrong."""
    if _UNSAFE.search(url):
        raise UnsafeUrlError("must not contain whitespace, control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrlError("must be a valid URL") from None
    if parts.scheme.lower() not in SCHEMES or not url.lower().startswith(
        (f"{parts.scheme.lower()}://",)
    ):
        raise UnsafeUrlError("must be an http:// or https:// URL")
    if "@" in parts.netloc:
        raise UnsafeUrlError("must not contain a user name or password")
    if port == 0:
        raise UnsafeUrlError("must have a port from 1 to 65535")
    host = _netloc_host(parts.netloc)
    if not host:
        raise UnsafeUrlError("must name a host")
    return check_public_host(host)


def check_public_host(host: str) -> str | IPAddress:
    """A host as written in a URL (IPv6 in brackets) when it is public: the IP address of an
    IP literal, else the normalised hostname. Raises UnsafeUrlError."""
    if host.startswith("["):
        if not host.endswith("]") or "%" in host:
            raise UnsafeUrlError("must have a valid IPv6 address (no zone)")
        try:
            address: IPAddress = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise UnsafeUrlError("must have a valid IPv6 address") from None
        return _public(address)
    if "%" in host:
        raise UnsafeUrlError("must not percent-encode its host")
    name = _normalise(host)
    labels = name.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        ipv4 = parse_ipv4(name)
        if ipv4 is None:
            raise UnsafeUrlError("must have a valid host (a number that is no IPv4 address)")
        return _public(ipv4)
    if not all(_LABEL.fullmatch(label) for label in labels) or len(name) > 253:
        raise UnsafeUrlError("must have a valid host name")
    if len(labels) < 2:
        raise UnsafeUrlError("must have a fully qualified host name (not a local name)")
    for start in range(len(labels)):
        if ".".join(labels[start:]) in LOCAL_NAMES:
            raise UnsafeUrlError("must not point into a local network")
    return name


def _netloc_host(netloc: str) -> str:
    """The host part of ``user@host:port`` (brackets kept for IPv6)."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        return host.partition("]")[0] + "]" if "]" in host else host
    return host.partition(":")[0]


def _normalise(host: str) -> str:
    """Lower case, IDNA-mapped (NFKC: full-width ``１２７`` is ``127``, ``。`` is a dot), one
    trailing dot dropped."""
    name = unicodedata.normalize("NFKC", host)
    name = name.replace("\u3002", ".").replace("\uff0e", ".").replace("\uff61", ".").lower()
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise UnsafeUrlError("must have a valid host name") from None
    return name.removesuffix(".")


def parse_ipv4(text: str) -> ipaddress.IPv4Address | None:
    """``text`` read as an IPv4 address the way ``inet_aton`` (and browsers' URL parser)
    reads it, or None: one to four dot-separated parts, each decimal, ``0x`` hex or
    ``0``-prefixed octal; the last part fills the remaining bytes (``127.1`` is 127.0.0.1,
    ``2130706433`` and ``0x7f000001`` too)."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (4 - len(leading)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    if not part.isascii():
        return None
    lowered = part.lower()
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:], 16) if lowered[2:] else None  # inet_aton refuses "0x"
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        if lowered.isdigit():
            return int(lowered, 10)
    except ValueError:
        return None
    return None


def is_public_address(address: IPAddress) -> bool:
    """A global unicast address: not loopback, private, link-local (cloud metadata),
    shared (100.64.0.0/10), IETF protocol (192.0.0.0/24), documentation, unspecified,
    reserved or multicast; an IPv6 address that
    carries an IPv4 one (mapped, compatible, 6to4, Teredo, NAT64) only if that one is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
    if any(address in network for network in _NOT_PUBLIC):
        return False
    return (
        address.is_global
        and not address.is_private
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_unspecified
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _public(address: IPAddress) -> IPAddress:
    if not is_public_address(address):
        raise UnsafeUrlError("must not point to a loopback, private or reserved address")
    return address
