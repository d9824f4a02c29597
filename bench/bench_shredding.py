"""Crypto-shredding costs (issue 13): field encryption on the sync write path, key
destruction in the wipe, and decryption on the detail pane's reveal.

1. Store upsert of 10,000 orders (1 to 4 items) with buyer data on SQLCipher, in pages of
   100 (as sync writes them): with field encryption under day keys (the app) vs the same code
   with a pass-through cipher (no field encryption). Goal <= 1.3x.
2. Retention wipe of 100,000 expired orders (59 purchase days, each with a day key in the
   passphrase-mode key file) plus 2,000 live ones: the DELETEs, the destruction of the 59
   day keys (one atomic rewrite of the key file) and the WAL checkpoint. Goal <= 2 s.
3. The reveal on the detail pane: `OrderRepository.get_pii` (one SELECT and ten fields
   opened) per order over 1,000 orders, and the decryption alone. Goal <= 1 ms per order.
Fresh files in a temp dir; medians of several runs.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from common import (
    ITEM_COLUMNS,
    NOW,
    ORDER_COLUMNS,
    PII_COLUMNS,
    insert_sql,
    item_tuples,
    make_orders,
    median,
    order_tuples,
    pii_tuples,
    print_table,
    raw_connect,
    remove_db,
    spread,
    stopwatch,
    verdict,
)
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.retention import DEFAULT_RETENTION_DAYS, PII_FIELDS
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.pii_crypto import PiiCipher, cipher_for, day_of, register
from kinxpro_desktop.store.retention import wipe_expired
from kinxpro_desktop.store.timefmt import to_db

ORDERS = 10_000
PAGE = 100
REPS = 5
UPSERT_GOAL = 1.3
EXPIRED = 100_000
LIVE = 2_000
WIPE_REPS = 3
WIPE_GOAL = 2.0
REVEALS = 1_000
REVEAL_GOAL_MS = 1.0
DAYS = DEFAULT_RETENTION_DAYS
KEY = DatabaseKey(raw=bytes(range(32)), source="bench")


class PassThrough(PiiCipher):
    """The same write path without field encryption (the 'before' of this feature)."""

    def seal_fields(
        self, order_id: str, placed_at: str, fields: Sequence[str], values: Sequence[str]
    ) -> list[str]:
        return list(values)


def upsert(tmp: Path, data: object, n: int, encrypted_fields: bool) -> float:
    path = tmp / f"upsert-{n}-{int(encrypted_fields)}.db"
    db = Database.open(path, KEY)
    try:
        if not encrypted_fields:
            register(db.engine, PassThrough(cipher_for(db.engine).keys))
        orders, pii = data.orders, data.pii  # type: ignore[attr-defined]
        batches = [(orders[i : i + PAGE], pii[i : i + PAGE]) for i in range(0, ORDERS, PAGE)]
        with stopwatch() as t:
            for o, p in batches:
                db.orders.store_page(o, p, now=NOW, retention_days=DAYS)
        assert db.orders.count_with_pii() == ORDERS
    finally:
        db.close()
        remove_db(path)
        path.with_name(path.stem + ".daykeys").unlink(missing_ok=True)
    return t[0]


def populate_expired(path: Path) -> int:
    """100,000 expired and 2,000 live orders with buyer data (raw executemany, not timed),
    and a day key for every purchase day in the key file."""
    key = KEY
    db = Database.open(path, key)
    cipher = cipher_for(db.engine)
    expired = make_orders(EXPIRED, min_age_days=DAYS + 1, max_age_days=DAYS + 59, id_prefix="")
    live = make_orders(LIVE, seed=7, min_age_days=0.5, max_age_days=DAYS - 1, id_prefix="L")
    days = {day_of(to_db(o.purchase_date)) for o in (*expired.orders, *live.orders)}
    for d in sorted(days):
        cipher.keys.get_or_create(d)
    db.close()
    conn = raw_connect(path, key)
    try:
        conn.execute("BEGIN")
        for data in (expired, live):
            conn.executemany(insert_sql("orders", ORDER_COLUMNS), order_tuples(data.orders))
            conn.executemany(insert_sql("order_items", ITEM_COLUMNS), item_tuples(data.orders))
            conn.executemany(
                insert_sql("order_pii", PII_COLUMNS),
                pii_tuples(data.orders, data.pii, NOW - timedelta(days=DAYS + 1)),
            )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    first_kept = to_db(NOW - timedelta(days=DAYS))[:10]
    return sum(1 for d in days if d < first_kept)


def wipe(tmp: Path, n: int) -> tuple[float, int]:
    path = tmp / f"wipe-{n}.db"
    old_days = populate_expired(path)
    db = Database.open(path, KEY)
    try:
        with stopwatch() as t:
            result = wipe_expired(db.engine, NOW, DAYS)
        assert result.orders_wiped == EXPIRED, result
        assert result.day_keys_destroyed == old_days, (result, old_days)
        assert db.orders.count_with_pii() == LIVE
    finally:
        db.close()
        remove_db(path)
        path.with_name(path.stem + ".daykeys").unlink(missing_ok=True)
    return t[0], result.day_keys_destroyed


def reveal(tmp: Path, data: object) -> tuple[float, float]:
    path = tmp / "reveal.db"
    db = Database.open(path, KEY)
    try:
        orders, pii = data.orders[:REVEALS], data.pii[:REVEALS]  # type: ignore[attr-defined]
        db.orders.store_page(orders, pii, now=NOW, retention_days=DAYS)
        ids = [o.order_id for o in orders]
        db.orders.get_pii(ids[0])  # warm: the day keys are read once per session
        with stopwatch() as t_get:
            for i in ids:
                assert db.orders.get_pii(i) is not None
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT order_id, placed_at, {', '.join(PII_FIELDS)} FROM order_pii"  # noqa: S608
            ).all()
        cipher = cipher_for(db.engine)
        with stopwatch() as t_open:
            for r in rows:
                assert cipher.open_fields(r[0], r[1], PII_FIELDS, r[2:]) is not None
    finally:
        db.close()
        remove_db(path)
        path.with_name(path.stem + ".daykeys").unlink(missing_ok=True)
    return t_get[0] / REVEALS * 1000, t_open[0] / REVEALS * 1000


def main() -> int:
    data = make_orders(ORDERS)
    ok = True
    with tempfile.TemporaryDirectory(prefix="kinxpro-bench-shred-") as tmp_name:
        tmp = Path(tmp_name)
        enc: list[float] = []
        plain: list[float] = []
        for n in range(REPS):  # interleaved, so machine noise hits both sides alike
            plain.append(upsert(tmp, data, n, encrypted_fields=False))
            enc.append(upsert(tmp, data, n, encrypted_fields=True))
        ratio = median(enc) / median(plain)
        ok &= ratio <= UPSERT_GOAL
        wipes = [wipe(tmp, n) for n in range(WIPE_REPS)]
        wipe_s = median([w[0] for w in wipes])
        ok &= wipe_s <= WIPE_GOAL
        get_ms, open_ms = reveal(tmp, data)
        ok &= get_ms <= REVEAL_GOAL_MS
    print(
        f"{ORDERS:,} orders with buyer data upserted in pages of {PAGE} on SQLCipher; "
        f"{REPS} runs each, median."
    )
    print_table(
        ["measure", "median", "goal", "verdict"],
        [
            ["upsert, no field encryption", f"{median(plain):.3f} s", "", ""],
            [
                "upsert, fields sealed under day keys",
                f"{median(enc):.3f} s ({ratio:.2f}x)",
                f"<= {UPSERT_GOAL}x",
                verdict(ratio <= UPSERT_GOAL),
            ],
            [
                f"wipe of {EXPIRED:,} expired orders + {wipes[0][1]} day keys destroyed",
                f"{wipe_s:.3f} s",
                f"<= {WIPE_GOAL} s",
                verdict(wipe_s <= WIPE_GOAL),
            ],
            [
                "reveal: get_pii per order (SELECT + 10 fields opened)",
                f"{get_ms:.3f} ms",
                f"<= {REVEAL_GOAL_MS} ms",
                verdict(get_ms <= REVEAL_GOAL_MS),
            ],
            ["reveal: decryption alone per order", f"{open_ms:.4f} ms", "", ""],
        ],
    )
    print(f"  upsert plain: {spread(plain)}")
    print(f"  upsert sealed: {spread(enc)}")
    print(f"  wipe: {spread([w[0] for w in wipes])}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
