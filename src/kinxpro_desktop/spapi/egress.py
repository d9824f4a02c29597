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
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    scheme = parts.scheme.lower()
    shown = host or url[:60]
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


def check_endpoint(endpoint: str) -> str:
    """A simulator endpoint given by the user: loopback only; returns it without a final /."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
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
