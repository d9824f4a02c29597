"""Submit of 500 staged price changes against the simulator enforcing Amazon's rate limits.

Simulated seconds = wall seconds x the simulator's time scale. Each Submit checks every SKU
(getListingsItem, 5/s burst 10), runs Amazon's VALIDATION_PREVIEW (patchListingsItem in
preview mode, 1/s burst 1), then applies: one JSON_LISTINGS_FEED per marketplace (the default
above listing_submit.PATCH_THRESHOLD SKUs) or one patchListingsItem per SKU (5/s burst 5).
Two bounds are printed next to each figure, what the rate limits alone allow (the
simulator enforces Amazon's: previews at 1/s burst 1, patchListingsItem 5/s burst 5 shared by
previews and patches, getListingsItem 5/s burst 10):

* preview (n - 1) / 1 s plus the apply step: patches max(0, n - 5) / 5 s, or a feed's
  processing (the simulator's IN_QUEUE 5 s + IN_PROGRESS 15 s; createFeed's burst of 15
  covers one feed per marketplace, processed side by side);
* the same with Kinxpro's preview spacing (listing_submit.PREVIEW_SPACING_S, 1.1 s: exact
  1 s spacing loses to network jitter against a burst of 1).

Wall-clock latency per call is multiplied by the time scale too, so a low scale (10) keeps it
from dominating the simulated figure.
"""

from __future__ import annotations

import os
import resource
import secrets
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

os.environ["NO_PROXY"] = "127.0.0.1,localhost"

from kinxpro_desktop.core.dbkey import DatabaseKey  # noqa: E402
from kinxpro_desktop.core.models import Listing, Money  # noqa: E402
from kinxpro_desktop.sandbox import Simulator  # noqa: E402
from kinxpro_desktop.sandbox.catalog import MARKETS  # noqa: E402
from kinxpro_desktop.sandbox.state import PROCESS_SECONDS, QUEUE_SECONDS  # noqa: E402
from kinxpro_desktop.services.connection import Connection, simulator_credentials  # noqa: E402
from kinxpro_desktop.services.listing_edits import EditValue, ListingEdits  # noqa: E402
from kinxpro_desktop.services.listing_submit import (  # noqa: E402
    PATCH_THRESHOLD,
    PREVIEW_SPACING_S,
)
from kinxpro_desktop.store.database import Database  # noqa: E402

CHANGES = 500
SCALE = 10.0
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def run(path: str, folder: Path) -> dict[str, float]:
    sim = Simulator(start=START, orders=50, listings=CHANGES + 50, time_scale=SCALE).start()
    calls: Counter[str] = Counter()
    sim.state.recorder = lambda op, req, _res: calls.update(
        [op + (":preview" if req.first("mode") else "")]
    )
    db = Database.open(folder / f"{path}.db", DatabaseKey(raw=secrets.token_bytes(32), source="b"))
    conn = Connection(
        None, endpoint=sim.base_url, fixed_credentials=simulator_credentials(sim.credentials)
    )
    try:
        chosen = [li for li in sim.state.world.listings if not li.deleted][:CHANGES]
        by_market: dict[str, list[Listing]] = {}
        for li in chosen:
            currency = MARKETS[li.marketplace_id].currency
            by_market.setdefault(li.marketplace_id, []).append(
                Listing(
                    li.sku,
                    li.marketplace_id,
                    li.asin,
                    li.title,
                    Money(Decimal(li.price_cents) / 100, currency),
                    li.quantity,
                    "Active",
                    li.channel,
                )
            )
        for market, batch in by_market.items():
            db.listings.replace_marketplace(market, batch, now=sim.now())
        edits = ListingEdits(
            db, conn, clock=sim.now, feed_threshold=None if path == "feed" else 10 * CHANGES
        )
        for n, li in enumerate(chosen):
            edits.stage(li.sku, li.marketplace_id, EditValue(price=f"{10 + n % 90}.49"))
        t0 = time.perf_counter()
        report = edits.submit()
        wall = time.perf_counter() - t0
        accepted = sum(1 for r in report.results if r.status == "accepted")
        n = len(chosen)
        markets = len(by_market)
        feed_s = QUEUE_SECONDS + PROCESS_SECONDS
        apply_amazon = feed_s if path == "feed" else max(0, n - 5) / 5.0
        bound = (n - 1) / 1.0 + apply_amazon
        sim_bound = (n - 1) * PREVIEW_SPACING_S + apply_amazon
        return {
            "wall": wall,
            "simulated": wall * SCALE,
            "bound": bound,
            "sim_bound": sim_bound,
            "accepted": accepted,
            "n": n,
            "markets": markets,
            "via": report.via,
            **{f"calls.{k}": v for k, v in sorted(calls.items())},
        }
    finally:
        conn.close()
        db.close()
        sim.stop()


def main() -> int:
    print(f"{CHANGES} staged price changes, simulator time scale {SCALE:g}x, rate limits on")
    print(f"patch/feed threshold (derived from the rate limits): {PATCH_THRESHOLD} SKUs")
    with tempfile.TemporaryDirectory() as tmp:
        for path in ("feed", "patch"):
            r = run(path, Path(tmp))
            print(
                f"  via {r['via']}: {r['simulated']:.0f} simulated s ({r['wall']:.2f} s wall) "
                f"for {r['n']} SKUs in {r['markets']} marketplaces; bound at Amazon's limits "
                f"{r['bound']:.0f} s (preview {r['n'] - 1:.0f} s + apply), with the preview "
                f"spacing {r['sim_bound']:.0f} s; accepted {r['accepted']}/{r['n']}"
            )
            print(
                "    calls: "
                + ", ".join(
                    f"{k.removeprefix('calls.')} {v:.0f}"
                    for k, v in r.items()
                    if k.startswith("calls.")
                )
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
