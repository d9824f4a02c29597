"""Store upsert: 10,000 orders (1 to 4 items each) with buyer data.

Variants, each on a fresh file in a temp dir, repeated and reported as the median:
- the app's `OrderRepository.store_page` (orders, items and PII in one transaction) on
  SQLCipher, in pages of 100 orders (as sync pages arrive) and in one shot;
- the same code on plain SQLite (the test-only `key=None` switch);
- raw `executemany` INSERTs of the same rows into the same schema (made by the app's Alembic
  migration on a plain file), in one transaction, and paged for comparison; through the
  sqlcipher3 driver without a key (plain SQLite 3.53: the stdlib's 3.40 cannot build the
  search index's FTS5 table).

Only the writes are timed: opening and migrating the file is not, nor is building the raw
side's row tuples (the app side's conversion from dataclasses is part of its cost). Both sides
build the orders search index the same way (the triggers mark the new orders, the same
`order_search.FLUSH_SQL` builds their documents in the page's transaction). All sides
use the app's connection pragmas (WAL, synchronous=NORMAL, secure_delete, foreign keys,
64 MB cache). Goal: app-on-SQLCipher within 2x of raw sqlite3.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import sqlcipher3

from common import (
    APP_PRAGMAS,
    ITEM_COLUMNS,
    NOW,
    ORDER_COLUMNS,
    PII_COLUMNS,
    Dataset,
    bench_key,
    insert_sql,
    item_tuples,
    make_orders,
    median,
    order_tuples,
    pages,
    pii_tuples,
    print_table,
    raw_connect,
    remove_db,
    spread,
    stopwatch,
    verdict,
)
from kinxpro_desktop.core.retention import DEFAULT_RETENTION_DAYS
from kinxpro_desktop.store import order_search
from kinxpro_desktop.store.database import Database

ORDERS = 10_000
PAGE = 100
REPS = 5
GOAL_RATIO = 2.0
APP_ENC = "app SQLCipher"
APP_PLAIN = "app plain SQLite"
RAW = "raw executemany, plain SQLite"
RAW_ENC = "raw sqlcipher3 executemany on SQLCipher (reference)"


class Bench:
    def __init__(self, data: Dataset, tmp: Path) -> None:
        self.data = data
        self.tmp = tmp
        self.n = 0
        self.orders = order_tuples(data.orders)
        self.items = item_tuples(data.orders)
        self.pii = pii_tuples(data.orders, data.pii)

    def fresh(self, tag: str) -> Path:
        self.n += 1
        return self.tmp / f"{self.n:03d}-{tag}.db"

    def app(self, encrypted: bool, page: int) -> float:
        path = self.fresh("app-enc" if encrypted else "app-plain")
        db = Database.open(path, bench_key() if encrypted else None)
        try:
            batches = [
                (self.data.orders[i : i + page], self.data.pii[i : i + page])
                for i in range(0, ORDERS, page)
            ]
            with stopwatch() as t:
                for orders, pii in batches:  # one transaction per page, as sync writes them
                    db.orders.store_page(
                        orders, pii, now=NOW, retention_days=DEFAULT_RETENTION_DAYS
                    )
            assert db.orders.count() == ORDERS and db.orders.count_with_pii() == ORDERS
        finally:
            db.close()
            remove_db(path)
        return t[0]

    def raw(self, page: int, encrypted: bool = False) -> float:
        """executemany INSERTs, one transaction per page: stdlib sqlite3 on a plain file, or
        (for reference) the sqlcipher3 driver on a SQLCipher file with the app's raw key."""
        path = self.fresh("raw-enc" if encrypted else "raw")
        key = bench_key() if encrypted else None
        Database.open(path, key).close()  # the same schema, made by the app's migration
        conn = raw_connect(path, key)
        try:
            sql_o = insert_sql("orders", ORDER_COLUMNS)
            sql_i = insert_sql("order_items", ITEM_COLUMNS)
            sql_p = insert_sql("order_pii", PII_COLUMNS)
            batches = list(
                zip(
                    pages(self.orders, page),
                    self.item_pages(page),
                    pages(self.pii, page),
                    strict=True,
                )
            )
            with stopwatch() as t:
                for o_rows, i_rows, p_rows in batches:
                    conn.execute("BEGIN")
                    conn.executemany(sql_o, o_rows)
                    conn.executemany(sql_i, i_rows)
                    conn.executemany(sql_p, p_rows)
                    for sql in order_search.FLUSH_SQL:  # the schema's search index, as the app
                        conn.execute(sql)
                    conn.execute("COMMIT")
            got = conn.execute("SELECT count(*) FROM order_items").fetchone()[0]
            assert got == len(self.items)
        finally:
            conn.close()
            remove_db(path)
        return t[0]

    def item_pages(self, page: int) -> list[list[tuple[object, ...]]]:
        """The item rows of each page of orders."""
        out = []
        pos = 0
        for start in range(0, ORDERS, page):
            count = sum(len(o.items) for o in self.data.orders[start : start + page])
            out.append(self.items[pos : pos + count])
            pos += count
        return out


def main() -> int:
    data = make_orders(ORDERS)
    print(
        f"{ORDERS:,} orders, {data.item_count:,} items, {len(data.pii):,} PII rows; "
        f"{REPS} runs per variant after one warm-up, fresh files in a temp dir; median seconds"
    )
    print(
        f"SQLite {sqlite3.sqlite_version} (stdlib sqlite3), "
        f"{sqlcipher3.sqlite_version} (sqlcipher3); pragmas on every side: "
        + "; ".join(p.removeprefix("PRAGMA ") for p in APP_PRAGMAS)
    )
    with tempfile.TemporaryDirectory(prefix="kinxpro-bench-store-") as tmp:
        bench = Bench(data, Path(tmp))
        variants: dict[tuple[str, str], Callable[[], float]] = {}
        for size, batching in ((PAGE, f"pages of {PAGE}"), (ORDERS, f"one shot {ORDERS:,}")):
            variants[(batching, APP_ENC)] = partial(bench.app, True, size)
            variants[(batching, APP_PLAIN)] = partial(bench.app, False, size)
            variants[(batching, RAW)] = partial(bench.raw, size)
            variants[(batching, RAW_ENC)] = partial(bench.raw, size, encrypted=True)
        for fn in variants.values():  # warm-up: imports, Alembic script loading, allocator
            fn()
        runs: dict[tuple[str, str], list[float]] = {v: [] for v in variants}
        for _ in range(REPS):  # interleaved, so drift on a shared machine hits all alike
            for v, fn in variants.items():
                runs[v].append(fn())
    med = {v: median(r) for v, r in runs.items()}
    one_shot = f"one shot {ORDERS:,}"
    rows = []
    for (batching, kind), seconds in med.items():
        rows.append(
            [
                f"{kind}, {batching}",
                f"{seconds:.3f} s",
                f"{seconds / med[(batching, RAW)]:.2f}x",
                f"{seconds / med[(one_shot, RAW)]:.2f}x",
            ]
        )
    print()
    print_table(["variant", "median", "vs raw, same batching", "vs raw, 1 transaction"], rows)
    print()
    for (batching, kind), values in runs.items():
        print(f"  {kind}, {batching}: {spread(values)}")
    print()
    ok = True
    for batching in (f"pages of {PAGE}", one_shot):
        enc, plain, raw = (med[(batching, k)] for k in (APP_ENC, APP_PLAIN, RAW))
        ratio = enc / raw
        ok = ok and ratio <= GOAL_RATIO
        print(
            f"{batching}: app SQLCipher / app plain SQLite = {enc / plain:.2f}x; "
            f"app SQLCipher / raw sqlite3 (same batching) = {ratio:.2f}x "
            f"(goal <= {GOAL_RATIO:.0f}x: {verdict(ratio <= GOAL_RATIO)})"
        )
    paged = med[(f"pages of {PAGE}", APP_ENC)] / med[(one_shot, RAW)]
    floor = med[(f"pages of {PAGE}", RAW_ENC)] / med[(one_shot, RAW)]
    print(
        f"pages of {PAGE} against raw sqlite3 in one transaction: {paged:.2f}x (for reference: "
        f"raw sqlcipher3 on SQLCipher with the same {ORDERS // PAGE} commits takes {floor:.2f}x)"
    )
    print(f"Goal (app on SQLCipher within {GOAL_RATIO:.0f}x of raw sqlite3): {verdict(ok)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
