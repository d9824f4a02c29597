"""Retention wipe of 100,000 expired orders on a SQLCipher store.

Every expired order has buyer data; a share also has a label document of a few KB.
A few thousand orders inside the window (with PII and labels) must survive. The store is
populated once, fast (raw executemany, not measured), checkpointed, and copied into two
identical files for every run:
- `kinxpro_desktop.store.retention.wipe_expired` (both DELETEs, then the WAL checkpoint with
  TRUNCATE) through the app's engine;
- one raw `DELETE FROM order_pii WHERE placed_at <= ?` through sqlcipher3 with the same key
  and the app's pragmas (secure_delete included), committed.
Goal: the app's wipe <= 2 s on this 2-core machine.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from common import (
    ITEM_COLUMNS,
    NOW,
    ORDER_COLUMNS,
    PII_COLUMNS,
    file_size,
    insert_sql,
    item_tuples,
    make_orders,
    median,
    mib,
    order_tuples,
    pii_tuples,
    print_table,
    raw_connect,
    spread,
    stopwatch,
    verdict,
)
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.retention import DEFAULT_RETENTION_DAYS, cutoff
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.retention import wipe_expired
from kinxpro_desktop.store.timefmt import to_db

EXPIRED = 100_000
LIVE = 2_000
LABEL_SHARE = 0.10  # orders with a label document
LABEL_BYTES = (2_048, 6_144)  # compressed PDF/PNG/ZPL: incompressible bytes
REPS = 3
GOAL_SECONDS = 2.0
DAYS = DEFAULT_RETENTION_DAYS
LABEL_COLUMNS = ("order_id", "placed_at", "kind", "format", "content", "checksum", "created_at")


def populate(path: Path, key: DatabaseKey) -> dict[str, int]:
    """The schema through the app's migration, then rows through raw executemany."""
    Database.open(path, key).close()
    expired = make_orders(EXPIRED, min_age_days=DAYS + 1, max_age_days=DAYS + 59, id_prefix="")
    live = make_orders(LIVE, seed=7, min_age_days=0.5, max_age_days=DAYS - 1, id_prefix="L")
    rng = random.Random(11)
    conn = raw_connect(path, key)
    try:
        conn.execute("BEGIN")
        labels = {"expired": 0, "live": 0}
        for name, data in (("expired", expired), ("live", live)):
            conn.executemany(insert_sql("orders", ORDER_COLUMNS), order_tuples(data.orders))
            conn.executemany(insert_sql("order_items", ITEM_COLUMNS), item_tuples(data.orders))
            conn.executemany(
                insert_sql("order_pii", PII_COLUMNS),
                pii_tuples(data.orders, data.pii, NOW - timedelta(days=DAYS + 1)),
            )
            rows = []
            for o in data.orders:
                if rng.random() < LABEL_SHARE:
                    placed = to_db(o.purchase_date)
                    content = rng.randbytes(rng.randint(*LABEL_BYTES))
                    rows.append((o.order_id, placed, "label", "PDF", content, "", placed))
            conn.executemany(insert_sql("label_documents", LABEL_COLUMNS), rows)
            labels[name] = len(rows)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return labels


def sizes(path: Path) -> tuple[int, int]:
    return file_size(path), file_size(path.with_name(path.name + "-wal"))


def app_wipe(path: Path, key: DatabaseKey, expected_labels: int) -> tuple[float, int, int]:
    db = Database.open(path, key)  # not timed: unlock and schema check
    try:
        with stopwatch() as t:
            result = wipe_expired(db.engine, NOW, DAYS)
        assert result.orders_wiped == EXPIRED, result
        assert result.labels_wiped == expected_labels, result
        assert db.orders.count_with_pii() == LIVE
        db_size, wal_size = sizes(path)  # engine still open: what a running app leaves
    finally:
        db.close()
    return t[0], db_size, wal_size


def raw_delete(path: Path, key: DatabaseKey) -> tuple[float, int, int]:
    conn = raw_connect(path, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # unlock, not timed
        limit = to_db(cutoff(NOW, DAYS))
        with stopwatch() as t:
            conn.execute("BEGIN")
            deleted = conn.execute("DELETE FROM order_pii WHERE placed_at <= ?", (limit,)).rowcount
            conn.execute("COMMIT")
        assert deleted == EXPIRED, deleted
        db_size, wal_size = sizes(path)  # connection still open
    finally:
        conn.close()
    return t[0], db_size, wal_size


def raw_replica(path: Path, key: DatabaseKey) -> tuple[float, float, float]:
    """The app's steps replayed on the driver, timed one by one (where the time goes)."""
    conn = raw_connect(path, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        limit = to_db(cutoff(NOW, DAYS))
        with stopwatch() as t_labels:
            conn.execute("BEGIN")
            conn.execute("DELETE FROM label_documents WHERE placed_at <= ?", (limit,))
        with stopwatch() as t_pii:
            conn.execute("DELETE FROM order_pii WHERE placed_at <= ?", (limit,))
            conn.execute("COMMIT")
        with stopwatch() as t_ckpt:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    return t_labels[0], t_pii[0], t_ckpt[0]


def main() -> int:
    key = DatabaseKey(raw=bytes(range(32)), source="bench")
    with tempfile.TemporaryDirectory(prefix="kinxpro-bench-wipe-") as tmp:
        root = Path(tmp)
        template = root / "template.db"
        with stopwatch() as pop:
            labels = populate(template, key)
        before = file_size(template)
        print(
            f"{EXPIRED:,} expired orders (placed {DAYS + 1} to {DAYS + 59} days ago) and {LIVE:,} "
            f"inside the {DAYS}-day window, all with PII, 1 to 4 items each; label documents "
            f"of {LABEL_BYTES[0] // 1024} to {LABEL_BYTES[1] // 1024} KB for "
            f"{LABEL_SHARE:.0%} of them ({labels['expired']:,} expired, {labels['live']:,} "
            f"live). SQLCipher file {mib(before)}, populated in {pop[0]:.1f} s (not measured). "
            f"{REPS} runs on fresh copies; median."
        )
        app_runs: list[tuple[float, int, int]] = []
        raw_runs: list[tuple[float, int, int]] = []
        replica_runs: list[tuple[float, float, float]] = []
        for n in range(REPS):
            a, b, c = root / f"app-{n}.db", root / f"raw-{n}.db", root / f"replica-{n}.db"
            for copy in (a, b, c):
                shutil.copyfile(template, copy)
            app_runs.append(app_wipe(a, key, labels["expired"]))
            raw_runs.append(raw_delete(b, key))
            replica_runs.append(raw_replica(c, key))
            for copy in (a, b, c):
                copy.unlink()
    app_s = median([r[0] for r in app_runs])
    raw_s = median([r[0] for r in raw_runs])
    print()
    print_table(
        ["variant", "median", "ratio", "file after", "WAL after"],
        [
            [
                "app wipe_expired (PII + labels + checkpoint TRUNCATE)",
                f"{app_s:.3f} s",
                f"{app_s / raw_s:.2f}x",
                mib(app_runs[0][1]),
                mib(app_runs[0][2]),
            ],
            [
                "raw DELETE FROM order_pii WHERE placed_at <= ?",
                f"{raw_s:.3f} s",
                "1.00x",
                mib(raw_runs[0][1]),
                mib(raw_runs[0][2]),
            ],
        ],
    )
    print()
    print(f"  app: {spread([r[0] for r in app_runs])}")
    print(f"  raw: {spread([r[0] for r in raw_runs])}")
    phases = [median([r[i] for r in replica_runs]) for i in range(3)]
    print(
        "  where the app's time goes (its steps replayed on the driver, medians): "
        f"DELETE label_documents {phases[0]:.3f} s, DELETE order_pii + COMMIT {phases[1]:.3f} s, "
        f"wal_checkpoint(TRUNCATE) {phases[2]:.3f} s; total {sum(phases):.3f} s "
        "(the COMMIT includes SQLite's automatic WAL checkpoint, so little is left for TRUNCATE)"
    )
    print(f"  file before the wipe: {mib(before)} (WAL 0 bytes after the population's checkpoint)")
    print(
        "  sizes are taken with the connection still open; secure_delete zeroes freed pages, "
        "it does not shrink the file"
    )
    print()
    ok = app_s <= GOAL_SECONDS
    print(
        f"Goal (wipe of {EXPIRED:,} expired orders <= {GOAL_SECONDS:.0f} s): {app_s:.2f} s, "
        f"{app_s / raw_s:.2f}x one raw DELETE: {verdict(ok)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
