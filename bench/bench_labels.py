"""Rate shopping and buying labels for 100 orders, in simulated seconds, against the bound set
by Amazon's published limits (getEligibleShipmentServices 6/s burst 12, createShipment 2/s
burst 2), with the simulator's rate limits on and time-scaled.

Bounds for N orders (buckets start full):
- sequential (all quotes, then all purchases): (N-12)/6 + (N-2)/2 seconds;
- overlapped (quotes on a second thread while purchases run): (N-2)/2 seconds, the
  createShipment limit alone.
Measured: Kinxpro's rate_and_buy (overlapped) and rates + buy_many (sequential, as the
Labels tab's Get rates then Buy), each on a fresh simulator and store; 429s received; calls.
Goal: within 1.2x of the bound, 0 throttles.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
for entry in (ROOT / "src", ROOT):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from tests.integration.labels.conftest import START, creds_for, sync_store  # noqa: E402

from common import print_table  # noqa: E402
from kinxpro_desktop.core.dbkey import DatabaseKey  # noqa: E402
from kinxpro_desktop.core.progress import CancelToken, no_progress  # noqa: E402
from kinxpro_desktop.sandbox import Simulator  # noqa: E402
from kinxpro_desktop.services.connection import Connection  # noqa: E402
from kinxpro_desktop.services.labels import DEMO_SHIP_FROM, LabelService  # noqa: E402
from kinxpro_desktop.services.labels_batch import rate_and_buy  # noqa: E402
from kinxpro_desktop.store.database import Database  # noqa: E402

COUNT = 100
SCALE = 4.0  # simulated seconds per real second (buckets refill SCALE times faster)


def _run(mode: str) -> dict[str, object]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        Simulator(start=START, orders=3200, days=4, listings=20, time_scale=SCALE) as sim,
    ):
        db = Database.open(Path(tmp) / "k.db", DatabaseKey(raw=secrets.token_bytes(32), source="b"))
        try:
            sync_store(db, sim)
            connection = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim))
            service = LabelService(db, connection, clock=sim.now, ship_from_default=DEMO_SHIP_FROM)
            ids = [e.order_id for e in service.queue() if e.shipment is None][:COUNT]
            if len(ids) < COUNT:
                raise SystemExit(f"only {len(ids)} orders to ship in the simulator")
            gateway = connection.gateway()
            gateway.discover_account()  # learn the time scale before the clock starts
            calls0, throttled0 = gateway.call_totals()
            t0, w0 = sim.now(), time.monotonic()
            if mode == "overlapped":
                batch = rate_and_buy(service, ids, CancelToken(), no_progress)
            else:
                quotes = service.rates(ids, CancelToken(), no_progress)
                batch = service.buy_many(
                    ids, CancelToken(), no_progress, quotes={q.order_id: q for q in quotes}
                )
            simulated = (sim.now() - t0).total_seconds()
            wall = time.monotonic() - w0
            calls, throttled = gateway.call_totals()
            connection.close()
        finally:
            db.close()
    bound = (COUNT - 2) / 2 + (0 if mode == "overlapped" else (COUNT - 12) / 6)
    return {
        "mode": mode,
        "bought": batch.bought,
        "simulated_s": simulated,
        "bound_s": bound,
        "ratio": simulated / bound,
        "throttled": throttled - throttled0,
        "calls": calls - calls0,
        "wall_s": wall,
    }


def main() -> int:
    rows = [_run("overlapped"), _run("sequential")]
    print(f"Rate shopping + purchase of {COUNT} labels (simulator at {SCALE:g}x, limits on)")
    print_table(
        ("mode", "bought", "simulated s", "bound s", "x bound", "429s", "calls", "wall s"),
        [
            (
                str(r["mode"]),
                str(r["bought"]),
                f"{r['simulated_s']:.1f}",
                f"{r['bound_s']:.1f}",
                f"{r['ratio']:.2f}",
                str(r["throttled"]),
                str(r["calls"]),
                f"{r['wall_s']:.1f}",
            )
            for r in rows
        ],
    )
    ok = all(float(r["ratio"]) <= 1.2 and r["throttled"] == 0 for r in rows)  # type: ignore[arg-type]
    print("goal (<= 1.2x bound, 0 throttles):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
