"""The one HTTP path to Amazon: allow-list, TLS, timeouts, status and body checks.

python-amazon-sp-api builds the requests (paths, query parameters, auth headers); every one of
them goes out through a :class:`GuardedTransport` wrapping Kinxpro's own ``httpx.Client``:

* the URL is checked against the egress allow-list before any socket is opened;
* the library's ``Host`` header (``endpoint[8:]``, wrong for ``http://``) is dropped so httpx
  sets the right one;
* timeouts, dropped connections, 429, 5xx and error statuses become typed ``SpApiError``s
  here, before the library can turn an error without an ``errors`` key into an empty payload;
* a 2xx JSON body that does not parse is an error too, never "no data".
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import httpx
from sp_api.base._transport_httpx import HttpxTransport

from kinxpro_desktop.spapi.egress import check_url
from kinxpro_desktop.spapi.errors import (
    INVALID_CLIENT,
    INVALID_GRANT,
    AuthRejected,
    BadResponse,
    EgressRefused,
    RequestRejected,
    SpApiError,
    Throttled,
    TransientError,
)

log = logging.getLogger(__name__)

RefusalHook = Callable[[EgressRefused], None]


def make_http_client(timeout: float, verify: Any) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        verify=verify,
        follow_redirects=False,
        trust_env=False,  # no proxy from the environment: the allow-list is the only route
    )


def _error_fields(res: httpx.Response) -> tuple[str, str]:
    """(code, message) from an SP-API or LWA error body; ("", "") when there is none."""
    try:
        body = json.loads(res.content or b"null")
    except ValueError:
        return "", ""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return str(first.get("code") or ""), str(first.get("message") or "")[:300]
        if "error" in body:
            return str(body.get("error") or ""), str(body.get("error_description") or "")[:300]
    return "", ""


class GuardedTransport(HttpxTransport):  # type: ignore[misc]
    """Drop-in for the library's transport; `kind` is "api" or "lwa"."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        allow_loopback: bool,
        kind: str = "api",
        on_refused: RefusalHook | None = None,
    ) -> None:
        super().__init__(client=client)
        self._http: httpx.Client = client
        self.allow_loopback = allow_loopback
        self.kind = kind
        self.on_refused = on_refused
        self._local = threading.local()

    @property
    def last_response(self) -> httpx.Response | None:
        res: httpx.Response | None = getattr(self._local, "res", None)
        return res

    def close(self) -> None:
        """The shared client belongs to the gateway, which closes it once."""

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        data: Any = None,
        content: Any = None,
        headers: Any = None,
    ) -> httpx.Response:
        self._local.res = None
        self.check(url)
        clean = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
        try:
            res = self._http.request(
                method, url, params=params, data=data, content=content, headers=clean
            )
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"Amazon did not answer in time ({type(exc).__name__}); Kinxpro will retry."
            ) from exc
        except httpx.TransportError as exc:
            raise TransientError(
                f"The connection to Amazon failed ({type(exc).__name__}); check the internet "
                "connection. Kinxpro will retry."
            ) from exc
        self._local.res = res
        if self.kind == "lwa":
            self._check_lwa(res)
        else:
            self._check_api(res)
        return res

    def check(self, url: str) -> None:
        try:
            check_url(url, allow_loopback=self.allow_loopback)
        except EgressRefused as refused:
            log.warning("egress refused: host %s (%s)", refused.host, refused.reason)
            if self.on_refused is not None:
                self.on_refused(refused)
            raise

    @staticmethod
    def _check_json(res: httpx.Response, what: str) -> None:
        if not res.content:
            return
        ctype = res.headers.get("content-type", "")
        if "json" not in ctype and res.content.lstrip()[:1] not in (b"{", b"["):
            return
        try:
            json.loads(res.content)
        except ValueError as exc:
            raise BadResponse(
                f"Amazon's answer to {what} was cut off or is not valid JSON "
                f"(HTTP {res.status_code}, {len(res.content)} bytes); Kinxpro will retry.",
                status=res.status_code,
            ) from exc

    def _check_api(self, res: httpx.Response) -> None:
        status = res.status_code
        if status < 400:
            self._check_json(res, "a request")
            return
        code, message = _error_fields(res)
        detail = f"HTTP {status}" + (f" {code}" if code else "")
        detail += f": {message}" if message else ""
        if status == 429:
            raise Throttled(f"Amazon throttled the request ({detail}).", status=status, code=code)
        if status >= 500 or status == 408:
            raise TransientError(
                f"Amazon had a temporary problem ({detail}); Kinxpro will retry.",
                status=status,
                code=code,
            )
        if not code and not message:
            detail += " with an empty or unreadable error body"
        raise RequestRejected(f"Amazon refused the request ({detail}).", status=status, code=code)

    def _check_lwa(self, res: httpx.Response) -> None:
        status = res.status_code
        code, _ = _error_fields(res)
        if status == 200:
            self._check_json(res, "the Login with Amazon token request")
            if not res.content:
                raise BadResponse("Login with Amazon answered with an empty body.", status=200)
            return
        if code == "invalid_grant":
            raise AuthRejected(INVALID_GRANT, status=status, code=code)
        if code in ("invalid_client", "unauthorized_client"):
            raise AuthRejected(INVALID_CLIENT, status=status, code=code)
        if status == 429 or status >= 500:
            raise TransientError(
                f"Login with Amazon is temporarily unavailable (HTTP {status}); Kinxpro will "
                "retry.",
                status=status,
                code=code,
            )
        raise SpApiError(
            f"Login with Amazon refused the token request (HTTP {status}"
            + (f" {code}" if code else "")
            + "). Check the credentials in Account ▸ Connect.",
            status=status,
            code=code,
        )
