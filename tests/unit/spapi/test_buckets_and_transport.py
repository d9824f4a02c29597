"""Token buckets, and how the guarded transport turns HTTP answers into errors."""

from __future__ import annotations

import httpx
import pytest

from kinxpro_desktop.core.progress import Cancelled, CancelToken
from kinxpro_desktop.spapi.buckets import RateLimiter
from kinxpro_desktop.spapi.errors import (
    INVALID_GRANT,
    AuthRejected,
    BadResponse,
    RequestRejected,
    Throttled,
    TransientError,
)
from kinxpro_desktop.spapi.transport import GuardedTransport


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_bucket_allows_the_burst_then_paces_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    waits = [limiter.acquire("getInventorySummaries") if i < 2 else 0 for i in range(2)]
    assert waits == [0, 0]
    with limiter._lock:
        wait = limiter._bucket("getInventorySummaries").reserve(clock())
    assert wait == pytest.approx(0.5, rel=0.05)  # rate 2/s


def test_rate_header_and_429_adjust_the_bucket() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.observe_limit("searchOrders", "0.5")
    limiter.observe_limit("searchOrders", "garbage")
    state = {s.operation: s for s in limiter.snapshot()}["searchOrders"]
    assert state.rate == 0.5 and state.tokens == 20
    limiter.throttled("searchOrders")
    state = {s.operation: s for s in limiter.snapshot()}["searchOrders"]
    assert state.tokens == 0 and state.throttled == 1 and state.next_call_at is not None
    clock.t += 2
    assert {s.operation: s for s in limiter.snapshot()}["searchOrders"].tokens == 1


def test_waiting_for_a_token_is_cancellable() -> None:
    limiter = RateLimiter()
    limiter.throttled("searchOrders")  # empty: the next call waits ~180 s
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        limiter.acquire("searchOrders", cancel)


def transport(handler: httpx.MockTransport, kind: str = "api") -> GuardedTransport:
    return GuardedTransport(httpx.Client(transport=handler), allow_loopback=True, kind=kind)


def answer(status: int, body: bytes, ctype: str = "application/json") -> GuardedTransport:
    return transport(
        httpx.MockTransport(
            lambda _r: httpx.Response(status, content=body, headers={"content-type": ctype})
        )
    )


URL = "http://127.0.0.1:9/orders/2026-01-01/orders"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (429, b'{"errors":[{"code":"QuotaExceeded","message":"quota"}]}', Throttled),
        (500, b"", TransientError),
        (503, b"<html>busy</html>", TransientError),
        (403, b"", RequestRejected),
        (400, b'{"errors":[{"code":"InvalidInput","message":"bad date"}]}', RequestRejected),
        (200, b'{"orders":[{"orderId":"1', BadResponse),
    ],
)
def test_error_statuses_and_damaged_bodies_raise(status: int, body: bytes, error: type) -> None:
    t = answer(status, body)
    try:
        with pytest.raises(error) as caught:
            t.request("GET", URL, headers={"host": "27.0.0.1:9"})
        assert caught.value.status == status
        assert str(status) in caught.value.detail  # HTTP detail is for the log
        assert "HTTP" not in caught.value.message  # the seller reads words
    finally:
        t._http.close()


def test_host_header_from_the_library_is_replaced() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["host"])
        return httpx.Response(200, json={"orders": []})

    t = transport(httpx.MockTransport(handler))
    try:
        t.request("GET", URL, headers={"host": "27.0.0.1:9"})
    finally:
        t._http.close()
    assert seen == ["127.0.0.1:9"]


def test_lwa_invalid_grant_says_reconnect() -> None:
    t = transport(
        httpx.MockTransport(
            lambda _r: httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "x"}
            )
        ),
        kind="lwa",
    )
    try:
        with pytest.raises(AuthRejected) as caught:
            t.request("POST", "http://127.0.0.1:9/auth/o2/token")
    finally:
        t._http.close()
    assert caught.value.message == INVALID_GRANT
    assert "Account ▸ Connect" in INVALID_GRANT
