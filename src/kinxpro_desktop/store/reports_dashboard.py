"""Dashboard aggregates in SQL: per marketplace-local day, currency, marketplace and channel;
per SKU; low stock. A day is the marketplace's own calendar day (Seller Central's: Pacific time
for the US, Tokyo time for Japan, ...), right across DST. Money stays in minor units per
currency (never summed across currencies); cancelled orders are not sales.

Triggers (migration 0004) mark the UTC day of every changed order dirty; an order of UTC day
D belongs to local day D-1, D or D+1, depending on its marketplace's zone. A refresh rebuilds
the local days that UTC day D overlaps in the zones of the marketplaces near it (with orders
now, or with aggregates from before: a deleted or moved order counts too), from the orders
placed in those local days' UTC span, the local day computed in SQL (store/local_days.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Engine, text

from kinxpro_desktop.store.engine import begin_write
from kinxpro_desktop.store.local_days import day_expr, day_runs, shift, zone_of


@dataclass(frozen=True)
class DayRow:
    day: str  # YYYY-MM-DD, the marketplace's local day
    currency: str
    marketplace_id: str
    channel: str
    orders: int
    units: int
    sales_minor: int


@dataclass(frozen=True)
class SkuRow:
    sku: str
    currency: str
    units: int
    sales_minor: int
    prev_units: int  # the same-length period before


@dataclass(frozen=True)
class StockRow:
    sku: str
    marketplace_id: str
    title: str
    quantity: int
    channel: str


# Aggregates of the local days in [:first, :end), from the orders placed in [:a, :b) (UTC):
# the orders of those days with their local day go to a temporary table first (the local-day
# expression of store/local_days.day_expr, bound parameters only, runs once per order), and
# both aggregates are built from it. It holds order ids, marketplaces and days, no buyer data.
_LOCAL_ORDERS = """
    CREATE TEMP TABLE dash_local_orders AS
    SELECT day, currency, marketplace_id, channel, order_id
    FROM (SELECT {day} AS day, o.currency, o.marketplace_id,
                 o.fulfillment_channel AS channel, o.order_id
          FROM orders AS o
          WHERE o.purchase_date >= :a AND o.purchase_date < :b AND o.status != 'Canceled')
    WHERE day >= :first AND day < :end
"""
_DROP_LOCAL_ORDERS = text("DROP TABLE IF EXISTS temp.dash_local_orders")
_REBUILD_DAYS = text(
    """
    INSERT INTO dashboard_days (day, currency, marketplace_id, channel, orders, units,
                                sales_minor)
    SELECT d.day, d.currency, d.marketplace_id, d.channel, COUNT(*),
           COALESCE(SUM((SELECT SUM(i.quantity_ordered) FROM order_items AS i
                         WHERE i.order_id = d.order_id)), 0),
           COALESCE(SUM((SELECT SUM(i.price_minor) FROM order_items AS i
                         WHERE i.order_id = d.order_id)), 0)
    FROM temp.dash_local_orders AS d
    GROUP BY 1, 2, 3, 4
    """
)
_REBUILD_SKUS = text(
    """
    INSERT INTO dashboard_skus (day, marketplace_id, sku, currency, units, sales_minor)
    SELECT d.day, d.marketplace_id, i.sku, i.currency, SUM(i.quantity_ordered),
           SUM(i.price_minor)
    FROM temp.dash_local_orders AS d CROSS JOIN order_items AS i ON i.order_id = d.order_id
    GROUP BY 1, 2, 3, 4
    """
)
_DAYS = text(
    """
    SELECT day, currency, marketplace_id, channel, orders, units, sales_minor
    FROM dashboard_days
    WHERE day >= :start AND day < :end AND (:market = '' OR marketplace_id = :market)
    ORDER BY day, currency, marketplace_id, channel
    """
)
#: {markets} is "IN (:m0, :m1, ...)" or "NOT IN (...)" (bound parameters): the marketplaces
#: whose period (the days before :start, then [:start, :fin)) is these bounds
_SKUS = """
    SELECT sku, currency,
           SUM(CASE WHEN day >= :start THEN units ELSE 0 END),
           SUM(CASE WHEN day >= :start THEN sales_minor ELSE 0 END),
           SUM(CASE WHEN day < :start THEN units ELSE 0 END)
    FROM dashboard_skus
    WHERE day >= :prev AND day < :fin AND marketplace_id {markets}
      AND (:market = '' OR marketplace_id = :market)
    GROUP BY sku, currency
"""
_LOW_STOCK = text(
    """
    SELECT sku, marketplace_id, title, quantity, fulfillment_channel FROM listings
    WHERE quantity IS NOT NULL AND quantity <= :threshold
      AND (status = 'Active' OR status LIKE '%BUYABLE%')
      AND (:market = '' OR marketplace_id = :market)
    ORDER BY quantity, sku LIMIT :limit
    """
)


_MARKETS_NEAR = text(
    """
    SELECT DISTINCT marketplace_id FROM orders WHERE purchase_date >= :a AND purchase_date < :b
    UNION SELECT DISTINCT marketplace_id FROM dashboard_days WHERE day >= :lo AND day < :hi
    """
)
_ANY_DIRTY = text("SELECT 1 FROM dashboard_dirty LIMIT 1")
_DIRTY = text("SELECT day FROM dashboard_dirty ORDER BY day")
_CLEAR_DIRTY = text("DELETE FROM dashboard_dirty")
_CLEAR_DAYS = text("DELETE FROM dashboard_days WHERE day >= :first AND day < :end")
_CLEAR_SKUS = text("DELETE FROM dashboard_skus WHERE day >= :first AND day < :end")

#: per marketplace id ("" for any other): (first day of the period before, first day, end day)
Bounds = Mapping[str, tuple[str, str, str]]


def _label(moment: datetime | str) -> str:
    """A period bound as a date label: a date string as is, a datetime's date where it is
    (a local midnight gives its local date; a UTC moment its UTC date)."""
    return moment if isinstance(moment, str) else moment.strftime("%Y-%m-%d")


def _valid(day: object) -> bool:
    try:
        date.fromisoformat(str(day))
    except ValueError:
        return False
    return True


def _utc(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _midnight(day: str, tz: tzinfo) -> datetime:
    """The UTC moment local `day` starts in zone `tz`."""
    return datetime.combine(date.fromisoformat(day), time(0), tz).astimezone(UTC)


def _db_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class DashboardQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def refresh(self) -> int:
        """Recompute the local days that orders or items changed on since the last refresh
        (one short write transaction; nothing to do is one indexed read). Returns how many
        local days were rebuilt."""
        with self._engine.connect() as conn:
            if conn.execute(_ANY_DIRTY).first() is None:
                return 0
        with begin_write(self._engine) as conn:
            dirty = sorted(r[0] for r in conn.execute(_DIRTY) if _valid(r[0]))
            zones = self._zones_near(conn, dirty)
            local = set()
            for d in dirty:
                first_moment = _utc(d)
                last_moment = first_moment + timedelta(days=1) - timedelta(microseconds=1)
                for tz in zones:
                    local.add(first_moment.astimezone(tz).date().isoformat())
                    local.add(last_moment.astimezone(tz).date().isoformat())
            for first, end in day_runs(local):
                lo = min(_midnight(first, tz) for tz in zones)
                hi = max(_midnight(end, tz) for tz in zones)
                expr, params = day_expr("o.purchase_date", "o.marketplace_id", lo, hi)
                params.update(first=first, end=end, a=_db_text(lo), b=_db_text(hi))
                conn.execute(_CLEAR_DAYS, {"first": first, "end": end})
                conn.execute(_CLEAR_SKUS, {"first": first, "end": end})
                conn.execute(_DROP_LOCAL_ORDERS)
                conn.execute(text(_LOCAL_ORDERS.format(day=expr)), params)
                conn.execute(_REBUILD_DAYS)
                conn.execute(_REBUILD_SKUS)
                conn.execute(_DROP_LOCAL_ORDERS)
            conn.execute(_CLEAR_DIRTY)
        return len(local)

    @staticmethod
    def _zones_near(conn: Any, dirty: list[str]) -> list[tzinfo]:
        """The zones of the marketplaces with orders within two days of the dirty days, or
        with aggregates there (UTC, for orders of a marketplace not in core.marketplaces)."""
        if not dirty:
            return []
        params = {
            "a": f"{shift(dirty[0], -2)}T00:00:00",
            "b": f"{shift(dirty[-1], 3)}T00:00:00",
            "lo": shift(dirty[0], -2),
            "hi": shift(dirty[-1], 3),
        }
        markets = {r[0] for r in conn.execute(_MARKETS_NEAR, params)}
        by_name = {str(zone_of(m)): zone_of(m) for m in markets}
        return list(by_name.values()) or [UTC]

    def days(self, start: datetime | str, end: datetime | str, market: str = "") -> list[DayRow]:
        """Orders (all, even without items), units and item sales per local day and group,
        for the day labels in [start, end) (dates, or datetimes taken at their own date)."""
        params = {"start": _label(start), "end": _label(end), "market": market}
        with self._engine.connect() as conn:
            return [
                DayRow(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), int(r[6]))
                for r in conn.execute(_DAYS, params)
            ]

    def skus(self, bounds: Bounds, market: str = "") -> list[SkuRow]:
        """Units and sales per SKU and currency in each marketplace's own period, with the
        units of the same-length period before (`bounds`: see Bounds; "" for the rest). One
        query per distinct period (usually one or two: zones mostly share today's date)."""
        groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for mid, b in bounds.items():
            groups[b].append(mid)
        rest = [mid for mids in groups.values() if "" not in mids for mid in mids]
        acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        with self._engine.connect() as conn:
            for (prev, start, fin), mids in groups.items():
                chosen = rest if "" in mids else mids
                names = ", ".join(f":m{n}" for n in range(len(chosen))) or "''"
                sql = _SKUS.format(markets=("NOT IN" if "" in mids else "IN") + f" ({names})")
                params: dict[str, Any] = {"prev": prev, "start": start, "fin": fin}
                params.update({f"m{n}": mid for n, mid in enumerate(chosen)}, market=market)
                for r in conn.execute(text(sql), params):
                    a = acc[(r[0], r[1])]
                    a[0] += int(r[2] or 0)
                    a[1] += int(r[3] or 0)
                    a[2] += int(r[4] or 0)
        return [SkuRow(sku, cur, *a) for (sku, cur), a in acc.items()]

    def low_stock(self, threshold: int, market: str = "", limit: int = 10) -> list[StockRow]:
        params = {"threshold": threshold, "market": market, "limit": limit}
        with self._engine.connect() as conn:
            return [
                StockRow(r[0], r[1], r[2], int(r[3]), r[4])
                for r in conn.execute(_LOW_STOCK, params)
            ]
