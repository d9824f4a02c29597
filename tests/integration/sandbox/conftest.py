"""A simulator per test on a free port; every SP-API response it gives is checked against
Amazon's models when the test ends (see contracts.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.sandbox.wire import Request, Response
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

from .contracts import response_errors

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SimFactory = Callable[..., Simulator]


@pytest.fixture
def make_sim() -> Iterator[SimFactory]:
    """Start simulators (defaults: fixed start, rate limits off); stop them and check every
    response body they produced against the official models."""
    sims: list[Simulator] = []
    recorded: list[tuple[str, int, bytes]] = []

    def record(operation: str, request: Request, response: Response) -> None:
        if operation in ("lwa", "unknown") or response.drop or response.damaged:
            return
        recorded.append((operation, response.status, response.body))

    def factory(**kwargs: Any) -> Simulator:
        kwargs.setdefault("start", START)
        kwargs.setdefault("rate_limits", False)
        sim = Simulator(**kwargs)
        sim.state.recorder = record
        sims.append(sim.start())
        return sim

    yield factory
    for sim in sims:
        sim.stop()
    problems = [err for op, status, body in recorded for err in response_errors(op, status, body)]
    assert not problems, "responses that break the official models:\n" + "\n".join(problems[:20])


@pytest.fixture
def sim(make_sim: SimFactory) -> Simulator:
    return make_sim()


@pytest.fixture
def http(sim: Simulator) -> Iterator[httpx.Client]:
    """A raw HTTP client with a valid access token header."""
    with httpx.Client(base_url=sim.base_url, timeout=10) as client:
        c = sim.credentials
        token = client.post(
            "/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": c.refresh_token,
                "client_id": c.client_id,
                "client_secret": c.client_secret,
            },
        ).json()["access_token"]
        client.headers["x-amz-access-token"] = token
        yield client
