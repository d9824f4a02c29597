"""The simulator's HTTP server: routing, authentication, rate limits, faults and statistics.

The in-process wrapper is :class:`kinxpro_desktop.sandbox.simulator.Simulator`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import control, documents, feeds, inventory, listings, lwa, mfn, orders, reports, sellers
from .faults import LWA_KINDS, ROUTER_KINDS
from .state import SimState
from .wire import (
    DENIED_MESSAGE,
    QUOTA_MESSAGE,
    ApiError,
    Request,
    Response,
    Route,
    error_body,
    error_response,
    json_response,
)

log = logging.getLogger(__name__)

ROUTES: list[Route] = [
    *sellers.ROUTES,
    *orders.ROUTES,
    *listings.ROUTES,
    *feeds.ROUTES,
    *reports.ROUTES,
    *mfn.ROUTES,
    *inventory.ROUTES,
]


def _compile(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", pattern)
    body = "".join(
        f"(?P<{part}>[^/]*)" if i % 2 else re.escape(part) for i, part in enumerate(parts)
    )
    return re.compile(f"^{body}$")


_COMPILED = [(route, _compile(route.pattern)) for route in ROUTES]


def match_route(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """(route, path params, whether the path exists for some other method)."""
    path_known = False
    for route, regex in _COMPILED:
        found = regex.match(path)
        if found is None:
            continue
        path_known = True
        if route.method == method:
            return route, found.groupdict(), True
    return None, {}, path_known


def _unauthorized(details: str) -> ApiError:
    return ApiError(403, "Unauthorized", DENIED_MESSAGE, details)


def authenticate(state: SimState, route: Route, req: Request) -> None:
    token = req.headers.get("x-amz-access-token")
    if not token:
        raise _unauthorized("Access token is missing in the request header.")
    record = state.lookup_token(token)
    if record is None:
        raise _unauthorized("The access token you provided is revoked, malformed or invalid.")
    if record.expires < time.monotonic():
        raise _unauthorized("The access token you provided has expired.")
    if record.kind == "rdt":
        if route.rdt == "none" or not any(
            method == req.method and pattern.match(req.path.rstrip("/"))
            for method, pattern in record.resources
        ):
            raise _unauthorized("")
    elif route.rdt == "required":
        raise _unauthorized("")
    req.token = record


def dispatch(state: SimState, req: Request) -> tuple[str, Response]:
    """Answer one SP-API request; returns (operation name, response)."""
    route, params, path_known = match_route(req.method, req.path)
    if route is None:
        if path_known:
            err = ApiError(405, "MethodNotAllowed", f"{req.method} is not allowed on {req.path}.")
        else:
            err = ApiError(404, "NotFound", f"No SP-API operation matches {req.path}.")
        return "unknown", error_response(err)
    req.params = params
    req.operation = route.operation
    fault = state.faults.take(route.operation, ROUTER_KINDS)
    malformed = False
    if fault is not None:
        if fault.kind == "drop":
            return route.operation, Response(0, drop=True)
        if fault.kind == "slow":
            state.stopping.wait(fault.seconds)
        elif fault.kind == "429":
            return route.operation, json_response(429, error_body("QuotaExceeded", QUOTA_MESSAGE))
        elif fault.kind == "500":
            body = error_body(
                "InternalFailure", "We encountered an internal error. Please try again."
            )
            return route.operation, json_response(500, body)
        elif fault.kind == "503":
            body = error_body("ServiceUnavailable", "Service temporarily unavailable. Try again.")
            return route.operation, json_response(503, body)
        elif fault.kind == "expired-token":
            err = _unauthorized("The access token you provided has expired.")
            return route.operation, error_response(err)
        elif fault.kind == "malformed":
            malformed = True
    try:
        authenticate(state, route, req)
        if not state.limiter.try_acquire(route.operation):
            return route.operation, json_response(429, error_body("QuotaExceeded", QUOTA_MESSAGE))
        response = route.handler(state, req)
    except ApiError as err:
        response = error_response(err)
    except Exception:
        log.exception("simulator handler for %s failed", route.operation)
        failure = ApiError(500, "InternalFailure", "We encountered an internal error.")
        response = error_response(failure)
    if malformed and response.status < 300:
        response.body = response.body[: max(1, len(response.body) // 2)]
        response.damaged = True
    return route.operation, response


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Server"
    sys_version = ""
    wbufsize = 64 * 1024
    timeout = 60
    server: Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        req = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
        )
        operation = ""
        if split.path.startswith("/_sandbox/"):
            response = control.handle(state, req)
        elif split.path.startswith("/_docs/"):
            response = documents.handle(state, req)
        elif split.path == "/auth/o2/token":
            operation = "lwa"
            response = self._lwa(state, req)
        else:
            operation, response = dispatch(state, req)
        if operation:
            if not response.drop:
                self._decorate(state, operation, response)
            state.stats.record(
                operation, response.status or 0, response.pii_orders, state.now_iso()
            )
            if state.recorder is not None:
                state.recorder(operation, req, response)
        self._send(response)

    @staticmethod
    def _lwa(state: SimState, req: Request) -> Response:
        fault = state.faults.take("lwa", ROUTER_KINDS | LWA_KINDS)
        if fault is not None and fault.kind == "drop":
            return Response(0, drop=True)
        if fault is not None and fault.kind == "slow":
            state.stopping.wait(fault.seconds)
            fault = None
        return lwa.token(state, req, fault.kind if fault else None)

    @staticmethod
    def _decorate(state: SimState, operation: str, response: Response) -> None:
        response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
        rate = state.limiter.limit(operation)
        if rate is not None and response.status in (200, 201, 202, 204, 400, 404):
            applied = rate[0] * state.limiter.time_scale
            response.headers["x-amzn-RateLimit-Limit"] = format(applied, "g")

    def _send(self, response: Response) -> None:
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if response.body and self.command != "HEAD":
            self.wfile.write(response.body)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SimState) -> None:
        self.state = state
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
