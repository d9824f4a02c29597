"""Dashboard totals equal a SQL sum over the same orders, per currency (two currencies are
never added), and settlement fees/net proceeds appear only where a settlement covers the
period."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.models import Money
from kinxpro_desktop.services.dashboard import DashboardService, period_range
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.timefmt import to_db
from tests.support.seed import make_orders, store_seeded

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
CA = "A2EUQ1WTGCTBG2"
#: the days of both marketplaces here (US and CA): Seller Central's Pacific time
PACIFIC = "America/Los_Angeles"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(
        tmp_path / "kinxpro.db", DatabaseKey(raw=secrets.token_bytes(32), source="test")
    )
    usd = make_orders(NOW, count=400, days=60)
    store_seeded(database, usd)
    cad = make_orders(NOW - timedelta(hours=3), count=90, days=45)
    cad_orders = [
        replace(
            o,
            order_id="702" + o.order_id[3:],
            marketplace_id=CA,
            order_total=Money(o.order_total.amount * 2, "CAD"),
            status="Shipped" if n % 4 else "Canceled",
            items=tuple(
                replace(
                    i,
                    item_price=Money(i.item_price.amount * 2, "CAD"),
                    item_tax=Money(i.item_tax.amount, "CAD"),
                )
                for i in o.items
            ),
        )
        for n, o in enumerate(cad.orders)
    ]
    database.orders.upsert(cad_orders)
    yield database
    database.close()


def sql_sum(db: Database, start: datetime, end: datetime, currency: str) -> tuple[int, int, int]:
    """(orders, units, item sales in minor units), cancelled orders excluded."""
    with db.engine.connect() as conn:
        orders = conn.execute(
            text(
                "SELECT COUNT(*) FROM orders WHERE purchase_date >= :a AND purchase_date < :b "
                "AND currency = :c AND status != 'Canceled'"
            ),
            {"a": to_db(start), "b": to_db(end), "c": currency},
        ).scalar_one()
        units, sales = conn.execute(
            text(
                "SELECT COALESCE(SUM(i.quantity_ordered), 0), COALESCE(SUM(i.price_minor), 0) "
                "FROM order_items i JOIN orders o ON o.order_id = i.order_id "
                "WHERE o.purchase_date >= :a AND o.purchase_date < :b AND o.currency = :c "
                "AND o.status != 'Canceled'"
            ),
            {"a": to_db(start), "b": to_db(end), "c": currency},
        ).one()
    return int(orders), int(units), int(sales)


@pytest.mark.parametrize("period", ["today", "yesterday", "mtd", "7d", "30d", "90d"])
def test_totals_equal_a_sql_sum_per_currency(db: Database, period: str) -> None:
    dash = DashboardService(db, clock=lambda: NOW).load(period)
    start, end = period_range(period, NOW, PACIFIC)
    by_currency = {f.currency: f for f in dash.figures}
    for currency in ("USD", "CAD"):
        orders, units, sales = sql_sum(db, start, end, currency)
        f = by_currency.get(currency)
        if orders == 0:
            assert f is None
            continue
        assert f is not None
        assert (f.orders, f.units) == (orders, units)
        assert f.sales == Money(Decimal(sales) / 100, currency)
    assert dash.figures and all(f.sales.currency == f.currency for f in dash.figures)


def test_two_currencies_are_never_added(db: Database) -> None:
    dash = DashboardService(db, clock=lambda: NOW).load("30d")
    currencies = [f.currency for f in dash.figures]
    assert currencies == ["CAD", "USD"]
    for tile in dash.tiles:
        assert len({f.currency for f in tile.figures}) == len(tile.figures)
    assert set(dash.sales_by_day) == {"CAD", "USD"}
    for currency, series in dash.sales_by_day.items():
        assert all(m.currency == currency for _day, m in series)
        total = sum((m.amount for _d, m in series), Decimal(0))
        assert total == next(f.sales.amount for f in dash.figures if f.currency == currency)
    markets = {(m, c) for m, c, _n, _s in dash.by_marketplace}
    assert markets == {("ATVPDKIKX0DER", "USD"), (CA, "CAD")}


def test_marketplace_picker(db: Database) -> None:
    dash = DashboardService(db, clock=lambda: NOW).load("30d", CA)
    assert [f.currency for f in dash.figures] == ["CAD"]


def test_tiles_and_settlement_coverage(db: Database) -> None:
    service = DashboardService(db, clock=lambda: NOW)
    first = service.load("30d")
    assert [t.label for t in first.tiles] == ["Today", "Yesterday", "Month to date", "Last 30 days"]
    assert all(f.fees is None and f.net is None for t in first.tiles for f in t.figures)
    assert "No settlement downloaded yet" in first.settlement_note
    posted = (NOW - timedelta(days=3)).strftime("%Y-%m-%d")
    rows = [
        {"settlement-id": "S1", "currency": "USD", "total-amount": "70.00"},
        {
            "transaction-type": "Order",
            "amount-type": "ItemPrice",
            "amount-description": "Principal",
            "amount": "100.00",
            "posted-date": posted,
            "sku": "SKU-1",
        },
        {
            "transaction-type": "Order",
            "amount-type": "ItemFees",
            "amount-description": "Commission",
            "amount": "-15.00",
            "posted-date": posted,
            "sku": "SKU-1",
        },
        {
            "transaction-type": "Refund",
            "amount-type": "ItemPrice",
            "amount-description": "Principal",
            "amount": "-15.00",
            "posted-date": posted,
            "sku": "SKU-1",
        },
    ]
    with db.transaction() as uow:
        run = uow.reports.create_run(
            "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
            "ATVPDKIKX0DER",
            now=NOW,
            start=NOW - timedelta(days=40),
            end=NOW + timedelta(days=1),
        )
        uow.reports.store_rows(run, rows, document_id="d", completed_at=NOW)
    dash = service.load("30d")
    tile = next(t for t in dash.tiles if t.key == "30d")
    usd = next(f for f in tile.figures if f.currency == "USD")
    assert usd.fees == Money(Decimal("-15.00"), "USD")
    assert usd.refunds == Money(Decimal("-15.00"), "USD")
    assert usd.net == Money(Decimal("70.00"), "USD")
    cad = next(f for f in tile.figures if f.currency == "CAD")
    assert cad.net is None and cad.fees is None  # a USD settlement says nothing in CAD
    profit = {p.sku: p for p in dash.profit}
    assert profit["SKU-1"].net == Money(Decimal("70.00"), "USD")
    assert profit["SKU-1"].fees == Money(Decimal("-15.00"), "USD")


def test_a_changed_order_updates_the_next_refresh(db: Database) -> None:
    """The per-day aggregates follow every write: a cancellation, a new order, new items."""
    service = DashboardService(db, clock=lambda: NOW)
    before = {f.currency: f for f in service.load("7d").figures}["USD"]
    start, end = period_range("7d", NOW, PACIFIC)
    with db.engine.connect() as conn:
        oid = conn.execute(
            text(
                "SELECT order_id FROM orders WHERE currency = 'USD' AND purchase_date >= :a "
                "AND status != 'Canceled' LIMIT 1"
            ),
            {"a": to_db(start)},
        ).scalar_one()
    order = db.orders.get(oid)
    assert order is not None
    db.orders.upsert([replace(order, status="Canceled")])
    after = {f.currency: f for f in service.load("7d").figures}["USD"]
    assert after.orders == before.orders - 1
    assert (after.orders, after.units, after.sales.minor_units) == sql_sum(db, start, end, "USD")
    fresh = replace(
        order,
        order_id="113-9999999-9999999",
        status="Unshipped",
        purchase_date=NOW - timedelta(hours=1),
    )
    db.orders.upsert([fresh])
    last = {f.currency: f for f in service.load("7d").figures}["USD"]
    assert last.orders == before.orders
    assert (last.orders, last.units, last.sales.minor_units) == sql_sum(db, start, end, "USD")
