"""Reports, exports and the dashboard over 100,000 orders on a SQLCipher store.

1. Export of 100,000 order rows: Kinxpro's CSV export (SQL pages, formatting, totals, atomic
   write) against a raw csv.writer over the same rows (one cursor, no formatting). Goal
   <= 1.5x. XLSX and PDF: seconds and peak memory (each in its own process: peak RSS
   growth during the export).
2. Parsing a 100,000-row All Orders report document: rows/s, Kinxpro's decode + parse by
   header name against csv.DictReader over the same bytes.
3. Dashboard refresh (tiles, charts' data, movers, low stock, profit) over 100,000 orders
   placed in the last 30 days, on each marketplace's local days: median of 7 after the first
   load (which builds the per-day aggregates once), and one load after one UTC day's orders
   changed (what a sync leaves: that day's local days rebuilt). Goal <= 300 ms.
   `bench_reports.py --dashboard` seeds and runs this part alone.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (  # type: ignore[import-not-found]
    NOW,
    insert_orders,
    make_orders,
    median,
    print_table,
    raw_connect,
    verdict,
)
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.services.dashboard import DashboardService
from kinxpro_desktop.services.exports import Exporter
from kinxpro_desktop.services.reports_parse import decode, parse_tsv
from kinxpro_desktop.store.database import Database

ORDERS = 100_000
#: one key for the whole run (children get it in the environment: a bench-only throwaway)
KEY = DatabaseKey(
    raw=bytes.fromhex(os.environ.setdefault("KINXPRO_BENCH_KEY", os.urandom(32).hex())),
    source="bench",
)
BASELINE_SQL = """
SELECT o.order_id, o.purchase_date, o.marketplace_id, o.status, o.fulfillment_channel,
       (SELECT COUNT(*) FROM order_items i WHERE i.order_id = o.order_id),
       (SELECT COALESCE(SUM(quantity_ordered), 0) FROM order_items i
        WHERE i.order_id = o.order_id),
       o.total_minor, o.currency, o.ship_city, o.ship_state, o.ship_postal_code, o.ship_country
FROM orders o ORDER BY o.purchase_date, o.order_id
"""


def seed(path: Path) -> None:
    data = make_orders(ORDERS)
    Database.open(path, KEY).close()
    conn = raw_connect(path, KEY)
    try:
        insert_orders(conn, data.orders)
    finally:
        conn.close()


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def child(fmt: str, db_path: str, out: str) -> None:
    """One export in this process: seconds and peak RSS growth (KiB)."""
    if fmt == "raw":  # the baseline, for its memory: SQLCipher's page cache is in both
        before = rss_kib()
        seconds = baseline_csv(Path(db_path), Path(out))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"seconds": seconds, "growth_kib": max(0, peak - before)}))
        return
    db = Database.open(Path(db_path), KEY)
    exporter = Exporter(db, clock=lambda: NOW)
    before = rss_kib()
    start = time.perf_counter()
    exporter.export("orders", fmt, Path(out))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    db.close()
    print(json.dumps({"seconds": seconds, "growth_kib": max(0, peak - before)}))


def run_child(fmt: str, db_path: Path, out: Path) -> dict[str, float]:
    res = subprocess.run(
        [sys.executable, __file__, "--child", fmt, str(db_path), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def baseline_csv(db_path: Path, out: Path) -> float:
    conn = raw_connect(db_path, KEY)
    try:
        start = time.perf_counter()
        with open(out, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerows(conn.execute(BASELINE_SQL))
        return time.perf_counter() - start
    finally:
        conn.close()


def report_document() -> bytes:
    from kinxpro_desktop.sandbox.report_data import ORDERS_COLUMNS

    lines = ["\t".join(ORDERS_COLUMNS)]
    for n in range(ORDERS):
        row = {c: "" for c in ORDERS_COLUMNS}
        row.update(
            {
                "amazon-order-id": f"113-{n:07d}-{n * 7 % 10_000_000:07d}",
                "purchase-date": "2026-11-20T10:11:12+00:00",
                "order-status": "Shipped",
                "product-name": f"Insulated Steel Water Bottle {n % 400} – 750 ml",
                "sku": f"SKU-{n % 400:04d}",
                "quantity": "1",
                "currency": "USD",
                "item-price": f"{10 + n % 90}.99",
                "ship-city": "Seattle",
                "ship-country": "US",
            }
        )
        lines.append("\t".join(row[c] for c in ORDERS_COLUMNS))
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_path = folder / "bench.db"
        t0 = time.perf_counter()
        seed(db_path)
        print(f"seeded {ORDERS:,} orders in {time.perf_counter() - t0:.1f} s")

        # 1. exports
        kin = [run_child("csv", db_path, folder / "k.csv")["seconds"] for _ in range(3)]
        raw = [baseline_csv(db_path, folder / "raw.csv") for _ in range(3)]
        ratio = median(kin) / median(raw)
        xlsx = run_child("xlsx", db_path, folder / "k.xlsx")
        pdf = run_child("pdf", db_path, folder / "k.pdf")
        csv_mem = run_child("csv", db_path, folder / "k2.csv")
        raw_mem = run_child("raw", db_path, folder / "raw2.csv")
        size = {p: os.path.getsize(folder / p) for p in ("k.csv", "k.xlsx", "k.pdf")}
        print_table(
            ["export of 100,000 orders", "seconds", "peak RSS growth", "file"],
            [
                [
                    "raw csv.writer (baseline)",
                    f"{median(raw):.2f}",
                    f"{raw_mem['growth_kib'] / 1024:.0f} MiB",
                    "",
                ],
                [
                    "Kinxpro CSV",
                    f"{median(kin):.2f}",
                    f"{csv_mem['growth_kib'] / 1024:.0f} MiB",
                    f"{size['k.csv'] / 2**20:.1f} MiB",
                ],
                [
                    "Kinxpro XLSX",
                    f"{xlsx['seconds']:.2f}",
                    f"{xlsx['growth_kib'] / 1024:.0f} MiB",
                    f"{size['k.xlsx'] / 2**20:.1f} MiB",
                ],
                [
                    "Kinxpro PDF",
                    f"{pdf['seconds']:.2f}",
                    f"{pdf['growth_kib'] / 1024:.0f} MiB",
                    f"{size['k.pdf'] / 2**20:.1f} MiB",
                ],
            ],
        )
        print(f"CSV export / raw csv.writer: {ratio:.2f}x (goal <= 1.5x) {verdict(ratio <= 1.5)}")

        # 2. parsing a report document
        doc = report_document()
        ours, theirs = [], []
        for _ in range(3):
            start = time.perf_counter()
            rows = parse_tsv(decode(doc, "UTF-8", "All orders"), "ATVPDKIKX0DER", ("sku",))
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            plain = list(csv.DictReader(io.StringIO(doc.decode("utf-8")), delimiter="\t"))
            theirs.append(time.perf_counter() - start)
        assert len(rows) == len(plain) == ORDERS
        print_table(
            ["parse 100,000-row orders report", "seconds", "rows/s"],
            [
                ["csv.DictReader", f"{median(theirs):.3f}", f"{ORDERS / median(theirs):,.0f}"],
                [
                    "Kinxpro (strict decode, aliases)",
                    f"{median(ours):.3f}",
                    f"{ORDERS / median(ours):,.0f}",
                ],
            ],
        )

        # 3. dashboard
        bench_dashboard(db_path)
    return 0


def bench_dashboard(db_path: Path) -> None:
    """Dashboard refresh: the first load (every day dirty), the median of 7 loads after it,
    and a load after one day's orders changed (a sync's usual footprint)."""
    db = Database.open(db_path, KEY)
    try:
        service = DashboardService(db, clock=lambda: NOW)
        start = time.perf_counter()
        service.load("30d")  # builds the per-day aggregates once (every day is dirty)
        first = time.perf_counter() - start
        times = []
        for _ in range(7):
            start = time.perf_counter()
            dash = service.load("30d")
            times.append(time.perf_counter() - start)
        with db.engine.begin() as conn:  # one day's orders touched, as a sync does
            conn.exec_driver_sql(
                "UPDATE orders SET status = status || '' WHERE purchase_date >= ? "
                "AND purchase_date < ?",
                ("2026-11-20", "2026-11-21"),
            )
            conn.exec_driver_sql(
                "INSERT OR IGNORE INTO dashboard_dirty (day) VALUES ('2026-11-20')"
            )
        start = time.perf_counter()
        service.load("30d")
        dirty = time.perf_counter() - start
    finally:
        db.close()
    orders = sum(f.orders for f in dash.figures)
    ms = median(times) * 1000
    print(f"dashboard first load (per-day aggregates built once): {first:.2f} s")
    print(f"dashboard load after one day's orders changed: {dirty * 1000:.0f} ms")
    print(
        f"dashboard refresh over {orders:,} orders in the period: {ms:.0f} ms median "
        f"(goal <= 300 ms) {verdict(ms <= 300)}"
    )


def dashboard_only() -> int:
    """`bench_reports.py --dashboard`: seed and run the dashboard part alone."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        seed(db_path)
        print(f"seeded {ORDERS:,} orders in {time.perf_counter() - t0:.1f} s")
        bench_dashboard(db_path)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit(0)
    if sys.argv[1:] == ["--dashboard"]:
        sys.exit(dashboard_only())
    sys.exit(main())
