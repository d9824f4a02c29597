"""SP-API simulator figures: requests per second on loopback (limits off) and generator speed."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import httpx

from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.sandbox.data import World

SECONDS = 3.0
PATH = "/sellers/v1/marketplaceParticipations"


def _hammer(base_url: str, token: str, stop_at: float, counts: list[int]) -> None:
    with httpx.Client(base_url=base_url, headers={"x-amz-access-token": token}) as http:
        done = 0
        while time.perf_counter() < stop_at:
            response = http.get(PATH)
            if response.status_code != 200:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text}")
            done += 1
        counts.append(done)


def requests_per_second(sim: Simulator, threads: int) -> float:
    token = sim.state.issue_access_token()
    counts: list[int] = []
    start = time.perf_counter()
    stop_at = start + SECONDS
    workers = [
        threading.Thread(target=_hammer, args=(sim.base_url, token, stop_at, counts))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - start)


def main() -> None:
    start = datetime.now(UTC).timestamp()
    began = time.perf_counter()
    world = World(seed=1, orders=100_000, days=60, listings=300, start=start)
    generation = time.perf_counter() - began
    began = time.perf_counter()
    updated = world.updated_between(start - 60 * 86400, start, start)
    query = time.perf_counter() - began
    print(f"generate 100,000 orders: {generation:.2f} s")
    print(f"lastUpdatedAfter query over 100,000 orders: {query * 1000:.0f} ms, {len(updated)} hits")
    with Simulator(rate_limits=False) as sim:
        for threads in (1, 2):
            rps = requests_per_second(sim, threads)
            print(f"getMarketplaceParticipations, keep-alive, {threads} thread(s): {rps:.0f} req/s")
    with Simulator(orders=100_000, rate_limits=False) as sim:
        token = sim.state.issue_access_token()
        with httpx.Client(base_url=sim.base_url, headers={"x-amz-access-token": token}) as http:
            began = time.perf_counter()
            pages = 0
            params: dict[str, str | int] = {
                "lastUpdatedAfter": "2000-01-01T00:00:00Z",
                "maxResultsPerPage": 100,
                "includedData": "FULFILLMENT",
            }
            while True:
                body = http.get("/orders/2026-01-01/orders", params=params).json()
                pages += 1
                token_value = (body.get("pagination") or {}).get("nextToken")
                if not token_value or pages >= 50:
                    break
                params["paginationToken"] = token_value
            elapsed = time.perf_counter() - began
        print(f"searchOrders over 100,000 orders: {pages} pages of 100 in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
