"""Egress allow-list and TLS policy."""

from __future__ import annotations

import ssl

import pytest

from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.spapi.egress import check_url, tls_context
from kinxpro_desktop.spapi.errors import EgressRefused
from kinxpro_desktop.spapi.gateway import SpApiGateway

CREDS = SpApiCredentials("amzn1.application-oa2-client.x", "secret-x", "Atzr|x")


@pytest.mark.parametrize(
    "url",
    [
        "https://sellingpartnerapi-na.amazon.com/orders/2026-01-01/orders",
        "https://sellingpartnerapi-eu.amazon.com/x",
        "https://sellingpartnerapi-fe.amazon.com/x",
        "https://api.amazon.com/auth/o2/token",
        "https://tortuga-prod-na.s3-external-1.amazonaws.com/doc",
    ],
)
def test_amazon_hosts_allowed(url: str) -> None:
    check_url(url, allow_loopback=False)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://evil.example.com/steal", "evil.example.com"),
        (
            "https://sellingpartnerapi-na.amazon.com.evil.net/x",
            "sellingpartnerapi-na.amazon.com.evil.net",
        ),
        ("http://sellingpartnerapi-na.amazon.com/x", "sellingpartnerapi-na.amazon.com"),
        ("http://10.0.0.5:8080/x", "10.0.0.5"),
        ("https://user:pw@api.amazon.com/x", "api.amazon.com"),
    ],
)
def test_other_hosts_and_plain_http_refused(url: str, host: str) -> None:
    with pytest.raises(EgressRefused) as caught:
        check_url(url, allow_loopback=True)
    assert host in caught.value.message


def test_loopback_only_in_demo_mode() -> None:
    check_url("http://127.0.0.1:8123/x", allow_loopback=True)
    check_url("http://[::1]:8123/x", allow_loopback=True)
    with pytest.raises(EgressRefused, match=r"127\.0\.0\.1"):
        check_url("http://127.0.0.1:8123/x", allow_loopback=False)


@pytest.mark.parametrize(
    "endpoint",
    ["http://example.com:8123", "https://192.168.1.10", "http://sellingpartnerapi-na.amazon.com"],
)
def test_non_loopback_endpoint_refused_and_reported(endpoint: str) -> None:
    seen: list[EgressRefused] = []
    with pytest.raises(EgressRefused) as caught:
        SpApiGateway.from_credentials(CREDS, endpoint=endpoint, on_refused=seen.append)
    assert seen == [caught.value]
    assert caught.value.host in endpoint


def test_a_document_url_off_the_allow_list_is_refused_before_connecting() -> None:
    seen: list[EgressRefused] = []
    with SpApiGateway.from_credentials(CREDS, on_refused=seen.append) as gw:
        with pytest.raises(EgressRefused, match=r"collector\.example\.net"):
            gw.reports.fetch({"url": "https://collector.example.net/report.gz"})
        assert gw.take_refusals() == []  # the hook took it: audited once, not twice
    assert [r.host for r in seen] == ["collector.example.net"]


def test_refusals_wait_for_take_refusals_without_a_hook() -> None:
    with SpApiGateway.from_credentials(CREDS) as gw:
        with pytest.raises(EgressRefused):
            gw.reports.fetch({"url": "https://collector.example.net/report.gz"})
        assert [r.host for r in gw.take_refusals()] == ["collector.example.net"]
        assert gw.take_refusals() == []


@pytest.mark.parametrize(
    "url", ["https://[evil.example]/", "https://user:pw@[x/y", "https://h:99999/", "https://h:x/"]
)
def test_unparseable_document_urls_get_a_clear_refusal(url: str) -> None:
    """issue 9 #10: urlsplit raised ValueError ("does not appear to be an IPv4 or IPv6
    address"), which surfaced as a traceback."""
    seen: list[EgressRefused] = []
    with (
        SpApiGateway.from_credentials(CREDS, on_refused=seen.append) as gw,
        pytest.raises(EgressRefused) as caught,
    ):
        gw.reports.fetch({"url": url})
    assert "not a valid URL" in caught.value.message
    assert "pw" not in caught.value.message
    assert len(seen) == 1


def test_unparseable_endpoint_is_refused() -> None:
    with pytest.raises(EgressRefused, match=r"127\.0\.0\.1:PORT"):
        SpApiGateway.from_credentials(CREDS, endpoint="http://[::1:80")


def test_tls_context_requires_tls_1_2_and_verifies() -> None:
    ctx = tls_context()
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


def test_production_gateway_targets_the_region_host() -> None:
    eu = SpApiCredentials("id", "secret", "Atzr|x", region="EU", marketplaces=("A1PA6795UKMFR9",))
    with SpApiGateway.from_credentials(eu) as gw:
        assert gw.endpoint == "https://sellingpartnerapi-eu.amazon.com"
        assert not gw.simulator
