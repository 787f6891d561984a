"""The public-URL policy: every encoding of an inside address is refused, public ones pass."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rabbit.domain.errors import ValidationError
from rabbit.domain.policies.urls import (
    UnsafeUrlError,
    check_public_url,
    is_public_address,
    parse_ipv4,
    public_url_host,
)
from rabbit.domain.values import ShopifySourceConfig, parse_value

#: What the issue lists, and the tricks around it: each must be refused.
HOSTILE = [
    "http://169.254.169.254/latest/meta-data/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0x7f.1/",
    "http://127.0.0.1./",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://0/",
    "http://10.0.0.1/",
    "http://172.16.5.4:8080/",
    "http://192.168.1.1/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://１２７.０.０.１/",
    "http://%31%32%37.0.0.1/",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)//https://example.com",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://example.com/",
    "gopher://example.com/",
    "http:/example.com",
    "http:example.com",
    "//example.com/",
    "http://localhost/",
    "http://LOCALHOST:8000/",
    "http://localhost./",
    "http://ｌｏｃａｌｈｏｓｔ/",
    "http://app.localhost/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://ip-10-0-0-1.ec2.internal/",
    "http://printer.local/",
    "http://router.home.arpa/",
    "http://intranet/",
    "http://user:pass@example.com/",
    "http://example.com@127.0.0.1/",
    "http://example.com\\@127.0.0.1/",
    "http://exa mple.com/",
    "http://example.com/\n",
    "http://1.2.3.4.5/",
    "http://999.1.1.1/",
    "http://example.com:0/",
    "http://example.com:99999/",
    "http://[::1/",
    "https://",
    "http://:80/",
]

PUBLIC = [
    "https://hooks.example.com/services/T000/B000/XXXX",
    "http://8.8.8.8/",
    "https://1.1.1.1:8443/dns-query",
    "http://[2606:4700:4700::1111]/",
    "https://shop.acme.example/products?page=2#top",
    "https://bücher.example/",
    "HTTPS://EXAMPLE.COM./",
    "https://my_shop.example.com/",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_refuses_urls_that_reach_inside_or_are_no_web_urls(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_public_url("notify_webhook", url)
    assert refused.value.field == "notify_webhook"


@pytest.mark.parametrize("url", PUBLIC)
def test_accepts_public_http_urls(url: str) -> None:
    assert check_public_url("store_url", url) == url


def test_the_config_store_url_is_checked_as_input_but_a_stored_one_stays_readable() -> None:
    with pytest.raises(ValidationError) as refused:
        parse_value(
            ShopifySourceConfig,
            {"store_url": "http://169.254.169.254/"},
            field_prefix="connection_config",
        )
    assert refused.value.field == "connection_config.store_url"
    stored = ShopifySourceConfig.from_json({"store_url": "http://localhost:8080/"})
    assert stored.store_url == "http://localhost:8080/"


# -- every encoding of an IPv4 address ------------------------------------------------------

PRIVATE_V4 = [
    ipaddress.IPv4Network(network)
    for network in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
]

private_ipv4 = st.sampled_from(PRIVATE_V4).flatmap(
    lambda network: st.integers(int(network.network_address), int(network.broadcast_address))
)
public_ipv4 = st.integers(0, 2**32 - 1).filter(
    lambda value: is_public_address(ipaddress.IPv4Address(value))
)


@st.composite
def number_text(draw: st.DrawFn, value: int) -> str:
    """``value`` written as inet_aton reads a part: decimal, hex (0x/0X) or octal (0…)."""
    style = draw(st.sampled_from(["decimal", "hex", "HEX", "octal"]))
    if style == "decimal":
        return str(value)
    if style == "octal":
        return "0" * draw(st.integers(1, 3)) + format(value, "o")
    digits = format(value, "x" if style == "hex" else "X")
    return ("0x" if style == "hex" else "0X") + "0" * draw(st.integers(0, 2)) + digits


@st.composite
def ipv4_text(draw: st.DrawFn, value: int) -> str:
    """``value`` in one of the forms inet_aton accepts: a.b.c.d, a.b.c16, a.b24 or a32, every
    part in its own radix."""
    octets = value.to_bytes(4, "big")
    parts = draw(st.integers(1, 4))
    leading = list(octets[: parts - 1])
    last = int.from_bytes(octets[parts - 1 :], "big")
    return ".".join([*(draw(number_text(n)) for n in leading), draw(number_text(last))])


@given(data=st.data(), value=private_ipv4)
@example(data=None, value=int(ipaddress.IPv4Address("127.0.0.1")))
def test_any_private_ipv4_in_any_encoding_is_refused(data: st.DataObject, value: int) -> None:
    text = data.draw(ipv4_text(value)) if data is not None else "0x7f.0.0.01"
    assert parse_ipv4(text) == ipaddress.IPv4Address(value)
    with pytest.raises(UnsafeUrlError):
        public_url_host(f"http://{text}/")
    with pytest.raises(UnsafeUrlError):
        public_url_host(f"https://{text}.:443/x")
    with pytest.raises(UnsafeUrlError):
        public_url_host(f"http://[::ffff:{ipaddress.IPv4Address(value)}]/")


@given(data=st.data(), value=public_ipv4)
def test_a_public_ipv4_in_any_encoding_is_accepted(data: st.DataObject, value: int) -> None:
    text = data.draw(ipv4_text(value))
    assert public_url_host(f"http://{text}/") == ipaddress.IPv4Address(value)


@given(data=st.data(), value=st.integers(0, 2**32 - 1))
def test_ipv4_parts_are_read_as_inet_aton_reads_them(data: st.DataObject, value: int) -> None:
    text = data.draw(ipv4_text(value))
    assert socket.inet_aton(text) == value.to_bytes(4, "big")
    assert parse_ipv4(text) == ipaddress.IPv4Address(value)


@given(text=st.text(st.sampled_from("0123456789xXabcdef."), max_size=20))
def test_parse_ipv4_accepts_exactly_what_inet_aton_accepts(text: str) -> None:
    try:
        expected = ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        expected = None
    assert parse_ipv4(text) == expected


@given(url=st.text(max_size=60) | st.text(max_size=40).map(lambda tail: f"http://{tail}"))
def test_any_text_is_a_public_url_or_a_validation_error_naming_the_field(url: str) -> None:
    try:
        check_public_url("profile_url", url)
    except ValidationError as exc:
        refused = exc
    else:
        return
    assert refused.field == "profile_url"
