"""Token buckets per operation with Amazon's published rate and burst."""

from __future__ import annotations

import time

import httpx

from kinxpro_desktop.sandbox.ratelimit import RATE_TABLE

from .conftest import SimFactory

QUOTA = {
    "errors": [
        {
            "code": "QuotaExceeded",
            "message": "You exceeded your quota for the requested resource.",
            "details": "",
        }
    ]
}


def _client(sim_url: str, sim_token: str) -> httpx.Client:
    return httpx.Client(base_url=sim_url, headers={"x-amz-access-token": sim_token}, timeout=10)


def test_a_burst_beyond_the_bucket_gets_429_with_amazons_body(make_sim: SimFactory) -> None:
    sim = make_sim(rate_limits=True)
    token = sim.state.issue_access_token()
    rate, burst = RATE_TABLE["searchOrders"]
    with _client(sim.base_url, token) as http:
        params = {"createdAfter": "2026-03-01T00:00:00Z", "maxResultsPerPage": 1}
        answers = [http.get("/orders/2026-01-01/orders", params=params) for _ in range(burst + 3)]
    assert [r.status_code for r in answers] == [200] * burst + [429] * 3
    assert all(r.headers["x-amzn-RateLimit-Limit"] == format(rate, "g") for r in answers[:burst])
    assert all(
        r.json() == QUOTA and "x-amzn-RateLimit-Limit" not in r.headers for r in answers[burst:]
    )
    assert all("x-amzn-RequestId" in r.headers for r in answers)
    stats = sim.stats()["operations"]["searchOrders"]  # type: ignore[index]
    assert stats["calls"] == burst + 3 and stats["throttled"] == 3


def test_refill_rate_matches_the_table_at_time_scale_100(make_sim: SimFactory) -> None:
    sim = make_sim(rate_limits=True, time_scale=100)
    token = sim.state.issue_access_token()
    rate, _ = RATE_TABLE["getOrderItems"]  # 0.5/s, burst 30 -> 50/s at time scale 100
    order_id = sim.state.world.orders[0].order_id
    path = f"/orders/v0/orders/{order_id}/orderItems"
    with _client(sim.base_url, token) as http:
        assert http.get(path).headers["x-amzn-RateLimit-Limit"] == format(rate * 100, "g")
        while http.get(path).status_code == 200:  # empty the bucket
            pass
        granted: list[float] = []
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            if http.get(path).status_code == 200:
                granted.append(time.monotonic())
    measured = (len(granted) - 1) / (granted[-1] - granted[0])
    assert abs(measured - rate * 100) / (rate * 100) < 0.05, measured


def test_every_operation_has_a_published_plan() -> None:
    from kinxpro_desktop.sandbox.server import ROUTES

    assert {route.operation for route in ROUTES} <= set(RATE_TABLE)
    assert RATE_TABLE["getOrders"] == (0.0167, 20)
    assert RATE_TABLE["createShipment"] == (2.0, 2)
    assert RATE_TABLE["getInventorySummaries"] == (2.0, 2)


def test_limits_can_be_switched_off_at_runtime(make_sim: SimFactory) -> None:
    sim = make_sim(rate_limits=True)
    token = sim.state.issue_access_token()
    with _client(sim.base_url, token) as http:
        codes = {http.get("/sellers/v1/marketplaceParticipations").status_code for _ in range(20)}
        assert codes == {200, 429}
        http.post("/_sandbox/rate-limits", json={"enabled": False})
        codes = {http.get("/sellers/v1/marketplaceParticipations").status_code for _ in range(20)}
        assert codes == {200}
