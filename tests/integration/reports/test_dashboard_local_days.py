"""Dashboard days are the marketplace's own days (Seller Central's): Pacific time for the US,
across both DST changes of 2026 (8 March, 1 November), and Tokyo time for Japan. Tile totals
equal a SQL sum over the orders whose local day matches, with the local day's UTC bounds
written out by hand (not computed by the code under test)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from kinxpro_desktop.core.models import Money, Order
from kinxpro_desktop.services.dashboard import CurrencyFigures, Dashboard, DashboardService
from kinxpro_desktop.store.database import Database
from tests.support.seed import make_orders

US = "ATVPDKIKX0DER"
JP = "A1VC38T7YXB528"


def utc(text_: str) -> datetime:
    return datetime.fromisoformat(text_).replace(tzinfo=UTC)


def _price(usd: Decimal, currency: str) -> Decimal:
    return (usd * 150).quantize(Decimal(1)) if currency == "JPY" else usd  # whole yen


def orders_at(
    moments: list[str], market: str = US, currency: str = "USD", prefix: str = "113"
) -> list[Order]:
    """One order per UTC moment (1-3 items each), in `market` and `currency`."""
    template = make_orders(utc("2026-01-01T00:00:00"), count=len(moments), days=1).orders
    out = []
    for n, (moment, o) in enumerate(zip(moments, template, strict=True)):
        items = tuple(
            replace(
                i,
                item_price=Money(_price(i.item_price.amount, currency), currency),
                item_tax=Money(Decimal(0), currency),
            )
            for i in o.items
        )
        out.append(
            replace(
                o,
                order_id=f"{prefix}-{n:07d}-0000000",
                marketplace_id=market,
                purchase_date=utc(moment),
                last_updated=utc(moment) + timedelta(hours=1),
                order_total=Money(items[0].item_price.amount, currency),
                items=items,
            )
        )
    return out


def sql_sum(db: Database, a: str, b: str, market: str) -> tuple[int, int, int]:
    """(orders, units, item sales in minor units) placed in [a, b) UTC in `market`."""
    with db.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT COUNT(DISTINCT o.order_id), COALESCE(SUM(i.quantity_ordered), 0), "
                "COALESCE(SUM(i.price_minor), 0) FROM orders o "
                "LEFT JOIN order_items i ON i.order_id = o.order_id "
                "WHERE o.purchase_date >= :a AND o.purchase_date < :b "
                "AND o.marketplace_id = :m AND o.status != 'Canceled'"
            ),
            {"a": a, "b": b, "m": market},
        ).one()
    return int(row[0]), int(row[1]), int(row[2])


def tile(dash: Dashboard, key: str, currency: str) -> CurrencyFigures | None:
    t = next(t for t in dash.tiles if t.key == key)
    return next((f for f in t.figures if f.currency == currency), None)


def figures(f: CurrencyFigures | None) -> tuple[int, int, int]:
    return (0, 0, 0) if f is None else (f.orders, f.units, f.sales.minor_units)


# Around the spring change: 8 March 2026 in Los Angeles is 08:00 UTC to 07:00 UTC next day
# (23 hours: clocks go from 02:00 PST to 03:00 PDT at 10:00 UTC).
SPRING = [
    "2026-03-07T07:59:59",  # 6 Mar 23:59:59 PST
    "2026-03-08T07:30:00",  # 7 Mar 23:30 PST
    "2026-03-08T08:00:00",  # 8 Mar 00:00 PST
    "2026-03-08T09:30:00",  # 8 Mar 01:30 PST (the brief's example: still 8 March)
    "2026-03-08T10:30:00",  # 8 Mar 03:30 PDT
    "2026-03-08T23:00:00",  # 8 Mar 16:00 PDT
    "2026-03-09T06:59:59",  # 8 Mar 23:59:59 PDT
    "2026-03-09T07:00:00",  # 9 Mar 00:00 PDT
]
# Around the autumn change: 1 November 2026 is 07:00 UTC to 08:00 UTC next day (25 hours).
AUTUMN = [
    "2026-11-01T06:59:59",  # 31 Oct 23:59:59 PDT
    "2026-11-01T07:00:00",  # 1 Nov 00:00 PDT
    "2026-11-01T08:30:00",  # 1 Nov 01:30 PDT (the first 01:30)
    "2026-11-01T09:30:00",  # 1 Nov 01:30 PST (the second)
    "2026-11-02T06:00:00",  # 1 Nov 22:00 PST (the brief's example: 1 November)
    "2026-11-02T07:59:59",  # 1 Nov 23:59:59 PST
    "2026-11-02T08:00:00",  # 2 Nov 00:00 PST
]


def test_dst_boundaries_us_days_are_pacific_days(db: Database) -> None:
    db.orders.upsert(orders_at(SPRING, prefix="111") + orders_at(AUTUMN, prefix="112"))

    # 8 March, 20:00 UTC (13:00 PDT): today is 8 March, yesterday 7 March
    dash = DashboardService(db, clock=lambda: utc("2026-03-08T20:00:00")).load("7d")
    today = sql_sum(db, "2026-03-08T08:00:00", "2026-03-09T07:00:00", US)
    assert today[0] == 5
    assert figures(tile(dash, "today", "USD")) == today
    assert figures(tile(dash, "yesterday", "USD")) == sql_sum(
        db, "2026-03-07T08:00:00", "2026-03-08T08:00:00", US
    )
    series = dict(dash.sales_by_day["USD"])
    assert series["2026-03-08"].minor_units == today[2]
    assert sum(m.minor_units for m in series.values()) == next(
        f.sales.minor_units for f in dash.figures if f.currency == "USD"
    )

    # 2 November, 06:30 UTC: the UTC date is 2 November, but in Los Angeles it is still
    # 1 November (22:30 PST), so "today" is 1 November: 25 hours of orders
    dash = DashboardService(db, clock=lambda: utc("2026-11-02T06:30:00")).load("today")
    nov1 = sql_sum(db, "2026-11-01T07:00:00", "2026-11-02T08:00:00", US)
    assert nov1[0] == 5  # 00:00 PDT, both 01:30s, 22:00 PST, 23:59:59 PST
    assert figures(tile(dash, "today", "USD")) == nov1
    assert figures(tile(dash, "yesterday", "USD")) == sql_sum(
        db, "2026-10-31T07:00:00", "2026-11-01T07:00:00", US
    )
    assert dash.start == datetime(2026, 11, 1, tzinfo=dash.start.tzinfo)
    assert dash.time_zone == "America/Los_Angeles"
    assert [d for d, _m in dash.sales_by_day["USD"]] == ["2026-11-01"]

    # an hour later (07:30 UTC) it is still 1 November in Los Angeles (23:30 PST)
    later = DashboardService(db, clock=lambda: utc("2026-11-02T07:30:00")).load("today")
    assert figures(tile(later, "today", "USD")) == nov1


def test_an_order_late_in_the_utc_day_after_changes_the_local_day_before(db: Database) -> None:
    """The trigger marks UTC 2 November dirty; the refresh rebuilds local 1 November too."""
    db.orders.upsert(orders_at(AUTUMN[:3], prefix="111"))
    service = DashboardService(db, clock=lambda: utc("2026-11-02T07:30:00"))
    before = figures(tile(service.load("today"), "today", "USD"))
    db.orders.upsert(orders_at(["2026-11-02T06:00:00"], prefix="119"))
    after = figures(tile(service.load("today"), "today", "USD"))
    assert after[0] == before[0] + 1
    assert after == sql_sum(db, "2026-11-01T07:00:00", "2026-11-02T08:00:00", US)


JP_MOMENTS = [
    "2026-11-25T14:59:59",  # 25 Nov 23:59:59 JST
    "2026-11-25T15:00:00",  # 26 Nov 00:00 JST
    "2026-11-26T03:00:00",  # 26 Nov 12:00 JST
    "2026-11-26T14:59:59",  # 26 Nov 23:59:59 JST
    "2026-11-26T15:00:00",  # 27 Nov 00:00 JST
    "2026-11-26T15:30:00",  # 27 Nov 00:30 JST
]
US_MOMENTS = [
    "2026-11-26T07:59:59",  # 25 Nov 23:59:59 PST
    "2026-11-26T08:00:00",  # 26 Nov 00:00 PST
    "2026-11-26T15:45:00",  # 26 Nov 07:45 PST
]


def test_japan_days_are_tokyo_days_and_each_marketplace_keeps_its_own_today(
    db: Database,
) -> None:
    db.orders.upsert(
        orders_at(JP_MOMENTS, JP, "JPY", prefix="503") + orders_at(US_MOMENTS, prefix="113")
    )
    # 26 Nov 16:00 UTC: 27 Nov 01:00 in Tokyo, 26 Nov 08:00 in Los Angeles
    dash = DashboardService(db, clock=lambda: utc("2026-11-26T16:00:00")).load("7d")
    jp_today = sql_sum(db, "2026-11-26T15:00:00", "2026-11-27T15:00:00", JP)
    jp_yesterday = sql_sum(db, "2026-11-25T15:00:00", "2026-11-26T15:00:00", JP)
    assert (jp_today[0], jp_yesterday[0]) == (2, 3)
    assert figures(tile(dash, "today", "JPY")) == jp_today
    assert figures(tile(dash, "yesterday", "JPY")) == jp_yesterday
    us_today = sql_sum(db, "2026-11-26T08:00:00", "2026-11-27T08:00:00", US)
    assert us_today[0] == 2
    assert figures(tile(dash, "today", "USD")) == us_today
    # yen have no minor unit: the tile's amount is the SQL sum in whole yen
    jpy = tile(dash, "today", "JPY")
    assert jpy is not None and jpy.sales == Money(Decimal(jp_today[2]), "JPY")
    # the days of the sales chart are Tokyo days for yen
    series = dict(dash.sales_by_day["JPY"])
    assert series["2026-11-27"].minor_units == jp_today[2]
    assert series["2026-11-26"].minor_units == jp_yesterday[2]
    assert set(dash.time_zones) == {"America/Los_Angeles", "Asia/Tokyo"}

    # the marketplace picker: Japan alone, its period in Tokyo time
    jp = DashboardService(db, clock=lambda: utc("2026-11-26T16:00:00")).load("today", JP)
    assert [f.currency for f in jp.figures] == ["JPY"]
    assert figures(jp.figures[0]) == jp_today
    assert jp.time_zone == "Asia/Tokyo"
    assert jp.start == datetime(2026, 11, 27, tzinfo=jp.start.tzinfo)


def test_an_order_moved_out_of_a_zone_leaves_no_stale_local_day(db: Database) -> None:
    """A JP order (27 Nov in Tokyo, 26 Nov UTC) moved to the US marketplace: the refresh
    rebuilds Tokyo's 27 November although no order is left in Tokyo's zone."""
    (jp_order,) = orders_at(["2026-11-26T15:30:00"], JP, "JPY", prefix="503")
    db.orders.upsert([jp_order, *orders_at(["2026-11-26T12:00:00"], prefix="113")])
    service = DashboardService(db, clock=lambda: utc("2026-11-26T16:00:00"))
    assert figures(tile(service.load("today"), "today", "JPY"))[0] == 1
    db.orders.upsert([replace(jp_order, marketplace_id=US)])
    dash = service.load("today")
    with db.engine.connect() as conn:
        left = conn.execute(
            text("SELECT COUNT(*) FROM dashboard_days WHERE marketplace_id = :m"), {"m": JP}
        ).scalar_one()
    assert left == 0  # Tokyo's 27 November was rebuilt (to nothing)
    # now a US order at 07:30 on 26 November Pacific time: today's only yen order
    us_today = sql_sum(db, "2026-11-26T08:00:00", "2026-11-27T08:00:00", US)
    assert us_today[0] == 2
    assert figures(tile(dash, "today", "JPY"))[0] == 1
    assert sum(f.orders for f in next(t for t in dash.tiles if t.key == "today").figures) == 2
