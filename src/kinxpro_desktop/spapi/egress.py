"""The egress allow-list and the TLS policy.

Kinxpro talks only to Amazon: the SP-API hosts of the three regions, the Login with Amazon
token host, and the S3 hosts Amazon serves report documents from. In demo or simulator mode a
loopback address is also allowed; plain ``http://`` is accepted only there. Everything else is
refused before a socket is opened (``EgressRefused``), logged, and handed to the caller's
``on_refused`` hook so it can be audited.
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
from urllib.parse import urlsplit

from kinxpro_desktop.spapi.errors import EgressRefused

log = logging.getLogger(__name__)

REGION_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
LWA_HOST = "api.amazon.com"
#: pre-signed report-document URLs returned by getReportDocument (Amazon's "tortuga" buckets)
REPORT_DOCUMENT_HOSTS = frozenset(
    {
        "tortuga-prod-na.s3-external-1.amazonaws.com",
        "tortuga-prod-na.s3.amazonaws.com",
        "tortuga-prod-eu.s3-eu-west-1.amazonaws.com",
        "tortuga-prod-fe.s3-us-west-2.amazonaws.com",
    }
)
AMAZON_HOSTS = frozenset(
    {urlsplit(url).hostname or "" for url in REGION_ENDPOINTS.values()}
    | {LWA_HOST}
    | REPORT_DOCUMENT_HOSTS
)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, allow_loopback: bool) -> None:
    """Raise EgressRefused unless `url` may be contacted under the current mode."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port  # a port that is not a number raises here, not in httpx
    except ValueError:  # "https://[evil.example]/": brackets around something not an IP
        raise EgressRefused(_shown(url), "the address is not a valid URL") from None
    del port
    scheme = parts.scheme.lower()
    shown = host or _shown(url)
    if not host:
        raise EgressRefused(shown, "the address has no host name")
    if parts.username or parts.password:
        raise EgressRefused(shown, "addresses with a user name or password are not allowed")
    if is_loopback(host):
        if not allow_loopback:
            raise EgressRefused(shown, "loopback addresses are allowed only in demo mode")
        if scheme not in ("http", "https"):
            raise EgressRefused(shown, f"unsupported scheme {scheme!r}")
        return
    if scheme != "https":
        raise EgressRefused(
            shown, "plain http:// is allowed only for a loopback simulator; Amazon needs https://"
        )
    if host not in AMAZON_HOSTS:
        raise EgressRefused(shown, "the host is not on the allow-list of Amazon SP-API hosts")


def _shown(url: str) -> str:
    """A bad address as it may be shown: printable, short, without any user:password@."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    text = scheme + sep + netloc.rpartition("@")[2] + slash + path if sep else url
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:60]


def check_endpoint(endpoint: str) -> str:
    """A simulator endpoint given by the user: loopback only; returns it without a final /."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise EgressRefused(
            _shown(endpoint), "the endpoint must look like http://127.0.0.1:PORT"
        ) from None
    del port
    if not is_loopback(host):
        raise EgressRefused(
            host or endpoint[:60],
            "a custom endpoint must be a loopback address (a local simulator); "
            "leave it empty to use Amazon",
        )
    if parts.scheme not in ("http", "https") or parts.path not in ("", "/"):
        raise EgressRefused(host, "the endpoint must look like http://127.0.0.1:PORT")
    return endpoint.rstrip("/")


def tls_context() -> ssl.SSLContext:
    """Certificate-verifying client context that refuses anything older than TLS 1.2."""
    ctx = ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx
