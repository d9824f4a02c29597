"""Dashboard aggregates in SQL: per UTC day, currency, marketplace and channel; per SKU;
settlement amounts; low stock. Money stays in minor units per currency (never summed across
currencies); cancelled orders are not sales."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from kinxpro_desktop.store.engine import begin_write
from kinxpro_desktop.store.timefmt import to_db

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"


@dataclass(frozen=True)
class DayRow:
    day: str  # YYYY-MM-DD (UTC)
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
class SettlementRow:
    day: str
    currency: str
    transaction_type: str
    amount_type: str
    amount_description: str
    sku: str
    amount_minor: int


@dataclass(frozen=True)
class StockRow:
    sku: str
    marketplace_id: str
    title: str
    quantity: int
    channel: str


# Aggregates of one UTC day, recomputed when triggers marked it dirty (migration 0004).
_REBUILD_DAYS = text(
    """
    INSERT INTO dashboard_days (day, currency, marketplace_id, channel, orders, units,
                                sales_minor)
    SELECT substr(o.purchase_date, 1, 10), o.currency, o.marketplace_id,
           o.fulfillment_channel, COUNT(*),
           COALESCE(SUM((SELECT SUM(i.quantity_ordered) FROM order_items AS i
                         WHERE i.order_id = o.order_id)), 0),
           COALESCE(SUM((SELECT SUM(i.price_minor) FROM order_items AS i
                         WHERE i.order_id = o.order_id)), 0)
    FROM orders AS o
    WHERE o.purchase_date >= :start AND o.purchase_date < :end AND o.status != 'Canceled'
    GROUP BY 1, 2, 3, 4
    """
)
_REBUILD_SKUS = text(
    """
    INSERT INTO dashboard_skus (day, marketplace_id, sku, currency, units, sales_minor)
    SELECT substr(o.purchase_date, 1, 10), o.marketplace_id, i.sku, i.currency,
           SUM(i.quantity_ordered), SUM(i.price_minor)
    FROM orders AS o JOIN order_items AS i ON i.order_id = o.order_id
    WHERE o.purchase_date >= :start AND o.purchase_date < :end AND o.status != 'Canceled'
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
_SKUS = text(
    """
    SELECT sku, currency,
           SUM(CASE WHEN day >= :start THEN units ELSE 0 END),
           SUM(CASE WHEN day >= :start THEN sales_minor ELSE 0 END),
           SUM(CASE WHEN day < :start THEN units ELSE 0 END)
    FROM dashboard_skus
    WHERE day >= :prev AND day < :end AND (:market = '' OR marketplace_id = :market)
    GROUP BY sku, currency
    """
)
_SETTLEMENTS = text(
    """
    SELECT substr(json_extract(r.data_json, '$."posted-date"'), 1, 10), r.run_id,
           json_extract(r.data_json, '$."transaction-type"'),
           json_extract(r.data_json, '$."amount-type"'),
           json_extract(r.data_json, '$."amount-description"'),
           COALESCE(json_extract(r.data_json, '$."sku"'), ''),
           json_extract(r.data_json, '$."amount"')
    FROM report_rows AS r JOIN report_runs AS run ON run.id = r.run_id
    WHERE run.report_type = :type AND run.status = 'DONE'
      AND json_extract(r.data_json, '$."transaction-type"') != ''
    """
)
_SETTLEMENT_SPAN = text(
    """
    SELECT MIN(data_start), MAX(data_end), GROUP_CONCAT(DISTINCT id)
    FROM report_runs WHERE report_type = :type AND status = 'DONE'
    """
)
_SETTLEMENT_CURRENCY = text(
    """
    SELECT r.run_id, json_extract(r.data_json, '$."currency"')
    FROM report_rows AS r JOIN report_runs AS run ON run.id = r.run_id
    WHERE run.report_type = :type AND run.status = 'DONE' AND r.row_no = 1
    """
)
_LOW_STOCK = text(
    """
    SELECT sku, marketplace_id, title, quantity, fulfillment_channel FROM listings
    WHERE quantity IS NOT NULL AND quantity <= :threshold
      AND (status = 'Active' OR status LIKE '%BUYABLE%')
      AND (:market = '' OR marketplace_id = :market)
    ORDER BY quantity, sku LIMIT :limit
    """
)


_ANY_DIRTY = text("SELECT 1 FROM dashboard_dirty LIMIT 1")
_DIRTY = text("SELECT day FROM dashboard_dirty ORDER BY day")
_CLEAR_DIRTY = text("DELETE FROM dashboard_dirty")
_CLEAR_DAYS = text("DELETE FROM dashboard_days WHERE day = :day")
_CLEAR_SKUS = text("DELETE FROM dashboard_skus WHERE day = :day")


def _day(moment: datetime) -> str:
    """The UTC day of a period bound (bounds are midnights)."""
    return to_db(moment)[:10]


def _next_day(day: str) -> str:
    nxt = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC) + timedelta(days=1)
    return nxt.strftime("%Y-%m-%dT00:00:00")


def _minor(value: object) -> int:
    """A settlement amount ("-12.34") in minor units (two decimals; JPY has none)."""
    s = str(value or "0").strip()
    negative = s.startswith("-")
    s = s.lstrip("+-")
    whole, _, frac = s.partition(".")
    cents = int(whole or "0") * 100 + int((frac + "00")[:2])
    return -cents if negative else cents


class DashboardQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def refresh(self) -> int:
        """Recompute the days that orders or items changed on since the last refresh (one
        short write transaction; nothing to do is one indexed read). Returns the days."""
        with self._engine.connect() as conn:
            if conn.execute(_ANY_DIRTY).first() is None:
                return 0
        with begin_write(self._engine) as conn:
            days = [r[0] for r in conn.execute(_DIRTY)]
            for day in days:
                params = {"start": f"{day}T00:00:00", "end": _next_day(day)}
                conn.execute(_CLEAR_DAYS, {"day": day})
                conn.execute(_CLEAR_SKUS, {"day": day})
                conn.execute(_REBUILD_DAYS, params)
                conn.execute(_REBUILD_SKUS, params)
            conn.execute(_CLEAR_DIRTY)
        return len(days)

    def days(self, start: datetime, end: datetime, market: str = "") -> list[DayRow]:
        """Orders (all, even without items), units and item sales per day and group."""
        params = {"start": _day(start), "end": _day(end), "market": market}
        with self._engine.connect() as conn:
            return [
                DayRow(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), int(r[6]))
                for r in conn.execute(_DAYS, params)
            ]

    def skus(
        self, start: datetime, end: datetime, prev: datetime, market: str = ""
    ) -> list[SkuRow]:
        params = {"start": _day(start), "end": _day(end), "prev": _day(prev), "market": market}
        with self._engine.connect() as conn:
            return [
                SkuRow(r[0], r[1], int(r[2] or 0), int(r[3] or 0), int(r[4] or 0))
                for r in conn.execute(_SKUS, params)
            ]

    def settlement_rows(self) -> list[SettlementRow]:
        with self._engine.connect() as conn:
            currency = {
                r[0]: r[1] or "" for r in conn.execute(_SETTLEMENT_CURRENCY, {"type": SETTLEMENT})
            }
            rows = conn.execute(_SETTLEMENTS, {"type": SETTLEMENT}).all()
        return [
            SettlementRow(
                r[0] or "",
                currency.get(r[1], ""),
                r[2] or "",
                r[3] or "",
                r[4] or "",
                r[5] or "",
                _minor(r[6]),
            )
            for r in rows
        ]

    def settlement_span(self) -> tuple[str | None, str | None]:
        """The first settlement start and last settlement end (ISO text) stored."""
        with self._engine.connect() as conn:
            r = conn.execute(_SETTLEMENT_SPAN, {"type": SETTLEMENT}).first()
        return (r[0], r[1]) if r is not None else (None, None)

    def low_stock(self, threshold: int, market: str = "", limit: int = 10) -> list[StockRow]:
        params = {"threshold": threshold, "market": market, "limit": limit}
        with self._engine.connect() as conn:
            return [
                StockRow(r[0], r[1], r[2], int(r[3]), r[4])
                for r in conn.execute(_LOW_STOCK, params)
            ]
