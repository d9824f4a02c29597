"""The one HTTP path to Amazon: allow-list, TLS, timeouts, status and body checks.

python-amazon-sp-api builds the requests (paths, query parameters, auth headers); every one of
them goes out through a :class:`GuardedTransport` wrapping Kinxpro's own ``httpx.Client``:

* the URL is checked against the egress allow-list before any socket is opened;
* the library's ``Host`` header (``endpoint[8:]``, wrong for ``http://``) is dropped so httpx
  sets the right one;
* timeouts, dropped connections, 429, 5xx and error statuses become typed ``SpApiError``s
  here, before the library can turn an error without an ``errors`` key into an empty payload;
* a 2xx JSON body that does not parse is an error too, never "no data";
* each body is parsed once, here: the library and the gateway read the parsed value
  (:class:`Reply`), never the bytes again.

Messages say what happened in words; HTTP statuses, Amazon's codes and messages go to
``SpApiError.detail`` for the log.
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
    cap,
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


def _error_fields(body: object) -> tuple[str, str]:
    """(code, message) from a parsed SP-API or LWA error body; ("", "") when there is none."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return str(first.get("code") or ""), str(first.get("message") or "")[:300]
        if "error" in body:
            return str(body.get("error") or ""), str(body.get("error_description") or "")[:300]
    return "", ""


def _parse(res: httpx.Response) -> object:
    """The JSON body, or None when it is empty or not JSON (raises ValueError when it claims
    to be JSON and does not parse)."""
    content = res.content
    if not content.strip():
        return None
    ctype = res.headers.get("content-type", "")
    if "json" not in ctype and content.lstrip()[:1] not in (b"{", b"["):
        return None
    return json.loads(content)


class Reply:
    """An answer as the library sees it, parsed once: ``json()`` hands out the body this
    transport already parsed instead of parsing the bytes again."""

    __slots__ = ("body", "content", "headers", "status_code")

    def __init__(self, res: httpx.Response, body: object) -> None:
        self.status_code = res.status_code
        self.headers = res.headers
        self.content = res.content
        self.body = body

    def json(self) -> Any:
        return {} if self.body is None else self.body


class GuardedTransport(HttpxTransport):  # type: ignore[misc]
    """Drop-in for the library's transport; `kind` is "api" or "lwa". `who` names the other
    side in messages ("Amazon", or the demo simulator)."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        allow_loopback: bool,
        kind: str = "api",
        on_refused: RefusalHook | None = None,
        who: str = "Amazon",
    ) -> None:
        super().__init__(client=client)
        self._http: httpx.Client = client
        self.allow_loopback = allow_loopback
        self.kind = kind
        self.on_refused = on_refused
        self.who = who
        self._local = threading.local()

    @property
    def last_reply(self) -> Reply | None:
        """The last answer this thread received (None after `begin()` until one arrives)."""
        reply: Reply | None = getattr(self._local, "reply", None)
        return reply

    @property
    def sent(self) -> bool:
        """Whether a request left Kinxpro on this thread since `begin()` (it may have reached
        Amazon even if no answer came back)."""
        return bool(getattr(self._local, "sent", False))

    def begin(self) -> None:
        self._local.reply = None
        self._local.sent = False

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
    ) -> Reply:
        self._local.reply = None
        self.check(url)
        clean = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
        who = self.who if self.kind == "api" else "Login with Amazon"
        try:
            self._local.sent = True
            res = self._http.request(
                method, url, params=params, data=data, content=content, headers=clean
            )
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"{cap(who)} did not answer in time; Kinxpro will retry.",
                detail=type(exc).__name__,
            ) from exc
        except httpx.TransportError as exc:
            raise TransientError(
                f"The connection to {who} failed; check the internet connection. Kinxpro will "
                "retry.",
                detail=type(exc).__name__,
            ) from exc
        try:
            body = _parse(res)
        except ValueError as exc:
            if res.status_code >= 400:  # an error page that is not JSON: the status says it
                body = None
            else:
                what = "the token request" if self.kind == "lwa" else "a request"
                raise BadResponse(
                    f"{cap(who)}'s answer to {what} was cut off or is not valid JSON; Kinxpro "
                    "will retry.",
                    status=res.status_code,
                    detail=f"HTTP {res.status_code}, {len(res.content)} bytes",
                ) from exc
        reply = Reply(res, body)
        self._local.reply = reply
        if self.kind == "lwa":
            self._check_lwa(reply)
        else:
            self._check_api(reply)
        return reply

    def check(self, url: str) -> None:
        try:
            check_url(url, allow_loopback=self.allow_loopback)
        except EgressRefused as refused:
            log.warning("egress refused: host %s (%s)", refused.host, refused.reason)
            if self.on_refused is not None:
                self.on_refused(refused)
            raise

    def _check_api(self, reply: Reply) -> None:
        status = reply.status_code
        who = cap(self.who)
        if status < 400:
            if reply.body is not None and not isinstance(reply.body, dict):
                raise BadResponse(
                    f"{who} answered with something other than a JSON object; Kinxpro will retry.",
                    status=status,
                    detail=f"HTTP {status}, JSON {type(reply.body).__name__}",
                )
            return
        code, message = _error_fields(reply.body)
        detail = f"HTTP {status}" + (f" {code}" if code else "")
        detail += f": {message}" if message else " with an empty or unreadable error body"
        if status == 429:
            raise Throttled(
                f"{who} asked Kinxpro to slow down.", status=status, code=code, detail=detail
            )
        if status >= 500 or status == 408:
            raise TransientError(
                f"{who} had a temporary problem; Kinxpro will retry.",
                status=status,
                code=code,
                detail=detail,
            )
        rejected = RequestRejected(
            f"{who} did not accept the request" + (f" ({message})." if message else "."),
            status=status,
            code=code,
            detail=detail,
        )
        rejected.said = message
        raise rejected

    def _check_lwa(self, reply: Reply) -> None:
        status = reply.status_code
        code, _ = _error_fields(reply.body)
        if status == 200:
            if reply.body is None:
                raise BadResponse(
                    "Login with Amazon answered with an empty body.", status=200, detail="HTTP 200"
                )
            return
        detail = f"HTTP {status}" + (f" {code}" if code else "")
        if code == "invalid_grant":
            raise AuthRejected(INVALID_GRANT, status=status, code=code, detail=detail)
        if code in ("invalid_client", "unauthorized_client"):
            raise AuthRejected(INVALID_CLIENT, status=status, code=code, detail=detail)
        if status == 429 or status >= 500:
            raise TransientError(
                "Login with Amazon is temporarily unavailable; Kinxpro will retry.",
                status=status,
                code=code,
                detail=detail,
            )
        raise SpApiError(
            "Login with Amazon refused the token request"
            + (f" ({code})" if code else "")
            + ". Check the credentials in Account ▸ Connect.",
            status=status,
            code=code,
            detail=detail,
        )
