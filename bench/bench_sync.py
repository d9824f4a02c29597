"""Sync benchmark against the simulator enforcing Amazon's published rate limits.

Simulated seconds = wall seconds x the simulator's time scale. Figures:

1. Backfill of 10,000 orders over 90 days: Kinxpro (orders report, then searchOrders, then
   getOrder with buyer data for open MFN orders inside the window, plus the first listings
   refresh) versus the naive client (python-amazon-sp-api's ``load_all_pages`` and
   ``throttle_retry`` over v0 getOrders, then getOrderItems per order). The naive client runs
   on a subset (the last NAIVE_DAYS days) and is extrapolated per order, because at Amazon's
   limits it needs about 2 s per order. Its sleeps (retry delay 5 s, 2 s between pages) are
   divided by the time scale so they mean what they would at Amazon. The retry decorator
   sits inside ``load_all_pages`` (the documented order does not retry a throttled page,
   SPAPI-NOTES 1.7).
2. 429 responses received: during the backfill and during a simulated day of 5-minute
   incremental syncs (288 runs, listings hourly).
3. API calls per 1,000 orders; peak RSS of the sync process (each client runs in its own
   child process; the simulator stays in this one).
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

os.environ["NO_PROXY"] = "127.0.0.1,localhost"

ORDERS = 10_000
DAYS = 90
KINXPRO_SCALE = 10.0  # low, so local parsing and writing is not magnified much
NAIVE_SCALE = 500.0
NAIVE_DAYS = 9  # the subset the naive client fetches (about a tenth of the orders)
DAY_SCALE = 3000.0  # a simulated day of 5-minute syncs in about 30 s


def creds_json(sim: object) -> str:
    from dataclasses import asdict

    from kinxpro_desktop.services.connection import simulator_credentials

    return json.dumps(asdict(simulator_credentials(sim.credentials)))  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- children
def child_kinxpro(url: str, creds: str, db_path: str) -> dict[str, object]:
    from kinxpro_desktop.core.credentials import SpApiCredentials
    from kinxpro_desktop.core.dbkey import DatabaseKey
    from kinxpro_desktop.core.progress import CancelToken
    from kinxpro_desktop.services.connection import build_gateway
    from kinxpro_desktop.services.sync import SyncService
    from kinxpro_desktop.store.database import Database

    fields = json.loads(creds)
    fields["marketplaces"] = tuple(fields["marketplaces"])
    db = Database.open(Path(db_path), DatabaseKey(raw=secrets.token_bytes(32), source="bench"))
    t0 = time.perf_counter()
    with build_gateway(SpApiCredentials(**fields), endpoint=url) as gw:
        report = SyncService(db, gw).run(CancelToken(), lambda _u: None)
    wall = time.perf_counter() - t0
    stored = db.orders.count()
    db.close()
    return {
        "wall": wall,
        "orders": stored,
        "pii": report.pii_fetched,
        "throttled": report.throttled,
    }


def child_naive(url: str, creds: str, scale: float, days: int) -> dict[str, object]:
    from sp_api.api import OrdersV0
    from sp_api.auth import AccessTokenClient
    from sp_api.base import Marketplaces
    from sp_api.util import load_all_pages, throttle_retry

    fields = json.loads(creds)
    host = url.split("://", 1)[1]
    lwa = type("SimLwa", (AccessTokenClient,), {"scheme": "http://", "host": host})
    client = OrdersV0(
        marketplace=Marketplaces.US,
        credentials={
            "refresh_token": fields["refresh_token"],
            "lwa_app_id": fields["lwa_client_id"],
            "lwa_client_secret": fields["lwa_client_secret"],
        },
        auth_token_client_class=lwa,
        timeout=30,
    )
    client.endpoint = url

    @load_all_pages(throttle_by_seconds=2 / scale)
    @throttle_retry(tries=10, delay=5 / scale, rate=1.3)
    def all_orders(**kwargs: object) -> object:
        return client.get_orders(**kwargs)

    @throttle_retry(tries=10, delay=5 / scale, rate=1.3)
    def items(order_id: str) -> object:
        return client.get_order_items(order_id)

    since = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    t0 = time.perf_counter()
    count = 0
    for page in all_orders(
        CreatedAfter=since, MarketplaceIds=fields["marketplaces"], MaxResultsPerPage=100
    ):
        for order in page.payload["Orders"]:  # type: ignore[attr-defined]
            items(order["AmazonOrderId"])
            count += 1
    wall = time.perf_counter() - t0
    client.close()
    client._auth._transport.close()
    return {"wall": wall, "orders": count}


def run_child(*args: str) -> tuple[dict[str, object], float]:
    """Run a child mode; returns (its JSON result, its peak RSS in MiB)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result, float(result["rss_kib"]) / 1024


# --------------------------------------------------------------------------- parent
def sim_totals(sim: object) -> tuple[int, int]:
    totals = sim.stats()["totals"]  # type: ignore[attr-defined]
    return int(totals["calls"]), int(totals["throttled"])


def bench_backfill() -> dict[str, float]:
    from kinxpro_desktop.sandbox import Simulator

    out: dict[str, float] = {}
    with Simulator(orders=ORDERS, days=DAYS, time_scale=KINXPRO_SCALE) as sim:
        world = sim.state.world
        mfn = sum(o.channel == "MFN" for o in world.orders) / len(world.orders)
        now = sim.now().timestamp()
        open_mfn = sum(
            o.channel == "MFN" and o.status_at(now) in ("Unshipped", "PartiallyShipped")
            for o in world.orders
        )
        print(
            f"world: {len(world.orders)} orders over {DAYS} days, {mfn:.0%} MFN, "
            f"{open_mfn} ({open_mfn / len(world.orders):.1%}) MFN awaiting shipment"
        )
        with tempfile.TemporaryDirectory() as tmp:
            result, rss = run_child("kinxpro", sim.base_url, creds_json(sim), f"{tmp}/k.db")
        calls, throttled = sim_totals(sim)
        wall = float(result["wall"])  # type: ignore[arg-type]
        orders = int(result["orders"])  # type: ignore[call-overload]
        out.update(k_sim=wall * KINXPRO_SCALE, k_calls=calls, k_429=throttled, k_orders=orders)
        print(
            f"Kinxpro backfill: {orders} orders, buyer data for {result['pii']} orders, "
            f"listings included: {wall:.1f} s wall x {KINXPRO_SCALE:g} = "
            f"{wall * KINXPRO_SCALE:,.0f} simulated s; {calls} API calls "
            f"({1000 * calls / max(orders, 1):.1f} per 1,000 orders); 429s: {throttled}; "
            f"peak RSS {rss:.0f} MiB"
        )
    with Simulator(orders=ORDERS, days=DAYS, time_scale=NAIVE_SCALE) as sim:
        result, rss = run_child("naive", sim.base_url, creds_json(sim), str(NAIVE_SCALE))
        calls, throttled = sim_totals(sim)
        wall = float(result["wall"])  # type: ignore[arg-type]
        n = int(result["orders"])  # type: ignore[call-overload]
        per_order = wall * NAIVE_SCALE / max(n, 1)
        extrapolated = per_order * out["k_orders"]
        out.update(n_sim=extrapolated)
        print(
            f"naive client (v0 getOrders + getOrderItems), last {NAIVE_DAYS} days: {n} orders "
            f"in {wall:.1f} s wall x {NAIVE_SCALE:g} = {wall * NAIVE_SCALE:,.0f} simulated s "
            f"({per_order:.2f} s per order); extrapolated to {out['k_orders']:,.0f} orders: "
            f"{extrapolated:,.0f} simulated s; {calls} API calls "
            f"({1000 * calls / max(n, 1):.0f} per 1,000 orders); 429s: {throttled}; "
            f"peak RSS {rss:.0f} MiB"
        )
    print(f"speed-up in simulated time: {out['n_sim'] / out['k_sim']:.0f}x (goal >= 50x)")
    return out


def bench_day() -> None:
    from kinxpro_desktop.core.credentials import SpApiCredentials
    from kinxpro_desktop.core.dbkey import DatabaseKey
    from kinxpro_desktop.core.progress import CancelToken
    from kinxpro_desktop.sandbox import Simulator
    from kinxpro_desktop.services.connection import build_gateway
    from kinxpro_desktop.services.sync import SyncService
    from kinxpro_desktop.store.database import Database

    with Simulator(orders=ORDERS, days=DAYS, time_scale=DAY_SCALE) as sim:
        fields = json.loads(creds_json(sim))
        fields["marketplaces"] = tuple(fields["marketplaces"])
        with tempfile.TemporaryDirectory() as tmp:
            db = Database.open(
                Path(tmp) / "d.db", DatabaseKey(raw=secrets.token_bytes(32), source="bench")
            )
            with build_gateway(SpApiCredentials(**fields), endpoint=sim.base_url) as gw:
                service = SyncService(db, gw, clock=sim.now)
                service.run(CancelToken(), lambda _u: None)  # backfill first
                calls0, throttled0 = sim_totals(sim)
                orders = pii = 0
                start = sim.now()
                t0 = time.perf_counter()
                for n in range(288):
                    target = start + timedelta(minutes=5 * n)
                    wait = (target - sim.now()).total_seconds() / DAY_SCALE
                    if wait > 0:
                        time.sleep(wait)
                    r = service.run(CancelToken(), lambda _u: None)
                    orders += r.orders_upserted
                    pii += r.pii_fetched
                wall = time.perf_counter() - t0
            db.close()
        calls, throttled = sim_totals(sim)
        print(
            f"a simulated day of 5-minute syncs (288 runs, {wall:.0f} s wall): "
            f"{calls - calls0} API calls, {orders} order updates stored, buyer data for {pii} "
            f"new orders to ship; 429s: {throttled - throttled0}"
        )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        mode, url, creds, extra = sys.argv[2:6]
        if mode == "kinxpro":
            result = child_kinxpro(url, creds, extra)
        else:
            result = child_naive(url, creds, float(extra), NAIVE_DAYS)
        result["rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps(result))
        return 0
    t0 = time.perf_counter()
    bench_backfill()
    bench_day()
    print(f"bench_sync wall time: {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
