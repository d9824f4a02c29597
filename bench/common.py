"""Shared helpers for the benchmarks: seeded order data, timing, tables, file sizes.

Data is synthetic and deterministic (one seed), with field lengths close to what SP-API
returns: order ids like "113-1234567-1234567", 10-character ASINs, titles of 40 to 200
characters, Amazon relay e-mail addresses, one or two address lines, an occasional
company, gift message or delivery note.
"""

from __future__ import annotations

import random
import secrets
import statistics
import string
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlcipher3

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # run from a checkout without an install too
    sys.path.insert(0, str(ROOT / "src"))

from kinxpro_desktop.core.dbkey import DatabaseKey  # noqa: E402
from kinxpro_desktop.core.models import Money, Order, OrderItem, OrderPii  # noqa: E402
from kinxpro_desktop.core.retention import PII_FIELDS  # noqa: E402
from kinxpro_desktop.store.engine import (  # noqa: E402
    BUSY_TIMEOUT_MS,
    CACHE_SIZE_KIB,
    key_pragma,
)
from kinxpro_desktop.store.timefmt import opt_to_db, to_db  # noqa: E402

SEED = 20261127
# A fixed "now" so runs are comparable; every generated purchase date is relative to it.
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MARKETPLACES = ("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Andrew Emily"
)
_LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott"
)
_STREETS = _words(
    "Maple Oak Pine Cedar Elm Washington Lake Hill Park Sunset Lincoln Jackson Highland "
    "Meadow Forest River Spring Church Mill Willow"
)
_SUFFIX = ("St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Ct", "Way", "Pl", "Terrace")
_CITIES = (
    ("Seattle", "WA", "98"),
    ("Portland", "OR", "97"),
    ("Austin", "TX", "78"),
    ("Denver", "CO", "80"),
    ("Columbus", "OH", "43"),
    ("Raleigh", "NC", "27"),
    ("Phoenix", "AZ", "85"),
    ("Madison", "WI", "53"),
    ("Sacramento", "CA", "95"),
    ("Boston", "MA", "02"),
)
_WORDS = _words(
    "Premium Stainless Steel Water Bottle Insulated Vacuum Kitchen Organizer Bamboo Cutting "
    "Board Set Wireless Charger Stand Compatible Phone Case Protective Cover Cotton Throw "
    "Pillow Covers Decorative LED Desk Lamp Dimmable Adjustable Pack Large Small Black White "
    "Silicone Baking Mat Non-Stick Reusable Travel Storage Bag Gift Durable Lightweight"
)
_GIFT = (
    "Happy birthday! Hope you enjoy this, love from all of us.",
    "Congratulations on the new home - thinking of you both.",
    "Merry Christmas and a happy new year! See you soon.",
    "Thank you for everything this year. Best wishes, the team.",
)
_NOTES = (
    "Leave at the back door, please do not ring the bell.",
    "Gate code 4821. Leave with the front desk if nobody answers.",
    "Please deliver to the side entrance next to the garage.",
)
_STATUSES = ("Unshipped", "Shipped", "Shipped", "Shipped", "PartiallyShipped", "Canceled")


# The app's per-connection pragmas (store/engine.py), applied to the raw sides too.
APP_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA secure_delete = ON",
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous = NORMAL",
    f"PRAGMA cache_size = -{CACHE_SIZE_KIB}",
)


def bench_key() -> DatabaseKey:
    return DatabaseKey(raw=secrets.token_bytes(32), source="bench")


def raw_connect(path: Path, key: DatabaseKey | None) -> Any:
    """A driver connection outside the app's code, with the app's pragmas, autocommit mode:
    on a plain file without a key, else on a SQLCipher file with the raw key. Both through
    the sqlcipher3 driver: its SQLite (3.53) is the app's, and the stdlib's (3.40 here) lacks
    FTS5's contentless_delete, which the orders search index (migration 0007) uses."""
    conn: Any = sqlcipher3.connect(str(path), isolation_level=None)
    if key is not None:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(key_pragma(key))
    for pragma in APP_PRAGMAS:
        conn.execute(pragma)
    return conn


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(string.digits, k=n))


def _title(rng: random.Random) -> str:
    words: list[str] = []
    target = rng.randint(40, 200)
    while len(" ".join(words)) < target:
        words.append(rng.choice(_WORDS))
    return " ".join(words)[:200]


def _catalog(rng: random.Random, size: int = 400) -> list[tuple[str, str, str, int]]:
    """(asin, sku, title, price in cents): a seller's catalogue that orders pick from."""
    out = []
    for n in range(size):
        asin = "B0" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8))
        sku = f"KX-{rng.choice(_WORDS)[:6].upper()}-{n:04d}-{_digits(rng, 3)}"
        out.append((asin, sku, _title(rng), rng.randint(599, 12999)))
    return out


@dataclass(frozen=True)
class Dataset:
    orders: list[Order]
    pii: list[OrderPii]

    @property
    def item_count(self) -> int:
        return sum(len(o.items) for o in self.orders)


def make_orders(
    count: int,
    *,
    seed: int = SEED,
    now: datetime = NOW,
    min_age_days: float = 0.5,
    max_age_days: float = 29.0,
    id_prefix: str = "",
) -> Dataset:
    """`count` orders with 1 to 4 items each and buyer data, placed `min_age_days` to
    `max_age_days` before `now` (the default keeps them all inside a 30-day window)."""
    rng = random.Random(seed)
    catalog = _catalog(rng)
    orders: list[Order] = []
    pii: list[OrderPii] = []
    # Sync pages arrive oldest first (CreatedAfter / LastUpdatedAfter); order ids are random.
    ages = sorted((rng.uniform(min_age_days, max_age_days) for _ in range(count)), reverse=True)
    seen: set[str] = set()
    for age in ages:
        order_id = f"{id_prefix}{rng.randint(111, 114)}-{_digits(rng, 7)}-{_digits(rng, 7)}"
        while order_id in seen:
            order_id = f"{id_prefix}{rng.randint(111, 114)}-{_digits(rng, 7)}-{_digits(rng, 7)}"
        seen.add(order_id)
        placed = (now - timedelta(seconds=age * 86400)).replace(microsecond=0)
        items = []
        total = 0
        for k in range(rng.randint(1, 4)):
            asin, sku, title, cents = rng.choice(catalog)
            qty = rng.choice((1, 1, 1, 2, 3))
            price = cents * qty
            tax = price * 8 // 100
            total += price + tax
            items.append(
                OrderItem(
                    order_item_id=f"{_digits(rng, 12)}{k:02d}",
                    asin=asin,
                    sku=sku,
                    title=title,
                    quantity_ordered=qty,
                    quantity_shipped=qty,
                    item_price=Money(Decimal(price).scaleb(-2), "USD"),
                    item_tax=Money(Decimal(tax).scaleb(-2), "USD"),
                )
            )
        city, state, zip_prefix = rng.choice(_CITIES)
        orders.append(
            Order(
                order_id=order_id,
                marketplace_id=rng.choice(MARKETPLACES),
                purchase_date=placed,
                last_updated=placed + timedelta(hours=rng.randint(1, 48)),
                status=rng.choice(_STATUSES),
                fulfillment_channel=rng.choice(("MFN", "MFN", "AFN")),
                order_total=Money(Decimal(total).scaleb(-2), "USD"),
                ship_city=city,
                ship_state=state,
                ship_postal_code=f"{zip_prefix}{_digits(rng, 3)}",
                ship_country="US",
                ship_by=placed + timedelta(days=2),
                deliver_by=placed + timedelta(days=rng.randint(4, 9)),
                items=tuple(items),
            )
        )
        buyer = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        recipient = buyer if rng.random() < 0.8 else f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        relay = "".join(rng.choices(string.ascii_lowercase + string.digits, k=16))
        pii.append(
            OrderPii(
                order_id=order_id,
                buyer_name=buyer,
                buyer_email=f"{relay}@marketplace.amazon.com",
                buyer_phone=f"+1 {_digits(rng, 3)}-{_digits(rng, 3)}-{_digits(rng, 4)}",
                recipient_name=recipient,
                address_line1=(
                    f"{rng.randint(1, 9999)} {rng.choice(_STREETS)} {rng.choice(_SUFFIX)}"
                ),
                address_line2=f"Apt {rng.randint(1, 999)}" if rng.random() < 0.3 else "",
                address_line3="",
                company=f"{rng.choice(_LAST)} {rng.choice(('LLC', 'Inc', 'Co'))}"
                if rng.random() < 0.1
                else "",
                gift_message=rng.choice(_GIFT) if rng.random() < 0.05 else "",
                delivery_instructions=rng.choice(_NOTES) if rng.random() < 0.15 else "",
            )
        )
    return Dataset(orders, pii)


# Rows exactly as the store writes them (column order of store/schema.py).
ORDER_COLUMNS = (
    "order_id",
    "marketplace_id",
    "purchase_date",
    "last_updated",
    "status",
    "fulfillment_channel",
    "total_minor",
    "currency",
    "ship_city",
    "ship_state",
    "ship_postal_code",
    "ship_country",
    "ship_by",
    "deliver_by",
)
ITEM_COLUMNS = (
    "order_id",
    "order_item_id",
    "asin",
    "sku",
    "title",
    "quantity_ordered",
    "quantity_shipped",
    "price_minor",
    "tax_minor",
    "currency",
)
PII_COLUMNS = ("order_id", *PII_FIELDS, "placed_at", "fetched_at")


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """An INSERT built from the constant column lists above (no user input)."""
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608


def order_tuples(orders: Sequence[Order]) -> list[tuple[object, ...]]:
    return [
        (
            o.order_id,
            o.marketplace_id,
            to_db(o.purchase_date),
            to_db(o.last_updated),
            o.status,
            o.fulfillment_channel,
            o.order_total.minor_units,
            o.order_total.currency,
            o.ship_city,
            o.ship_state,
            o.ship_postal_code,
            o.ship_country,
            opt_to_db(o.ship_by),
            opt_to_db(o.deliver_by),
        )
        for o in orders
    ]


def item_tuples(orders: Sequence[Order]) -> list[tuple[object, ...]]:
    return [
        (
            o.order_id,
            i.order_item_id,
            i.asin,
            i.sku,
            i.title,
            i.quantity_ordered,
            i.quantity_shipped,
            i.item_price.minor_units,
            i.item_tax.minor_units,
            i.item_price.currency,
        )
        for o in orders
        for i in o.items
    ]


def pii_tuples(
    orders: Sequence[Order], pii: Sequence[OrderPii], fetched: datetime = NOW
) -> list[tuple[object, ...]]:
    placed = {o.order_id: to_db(o.purchase_date) for o in orders}
    fetched_text = to_db(fetched)
    return [(*astuple(p), placed[p.order_id], fetched_text) for p in pii]


def pages(seq: Sequence[object], size: int) -> Iterator[Sequence[object]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def insert_orders(conn: Any, orders: Sequence[Order], batch: int = 5000) -> None:
    """Orders and their items through a raw connection, one transaction per `batch` orders."""
    for chunk in pages(orders, batch):
        rows: Any = chunk
        conn.execute("BEGIN")
        conn.executemany(insert_sql("orders", ORDER_COLUMNS), order_tuples(rows))
        conn.executemany(insert_sql("order_items", ITEM_COLUMNS), item_tuples(rows))
        conn.execute("COMMIT")


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t: ...` then `t[0]` is the elapsed seconds."""
    out: list[float] = []
    start = time.perf_counter()
    try:
        yield out
    finally:
        out.append(time.perf_counter() - start)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    return f"min {min(values):.3f} / max {max(values):.3f} s over {len(values)} runs"


def file_size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"
