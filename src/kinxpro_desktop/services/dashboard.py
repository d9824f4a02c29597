"""The sales dashboard, from the local store (no network): headline tiles for Today,
Yesterday, Month to date and the last 30 days; sales by day, units and revenue by SKU,
orders by channel and marketplace, top movers, low stock; fees, refunds and net proceeds
where downloaded settlements cover the period. Money is per currency, never summed across
currencies. Days are UTC days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kinxpro_desktop.core.marketplaces import currency_decimals
from kinxpro_desktop.core.models import Money
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.reports_dashboard import (
    DashboardQueries,
    DayRow,
    SettlementRow,
    StockRow,
)

__all__ = ["PERIODS", "CurrencyFigures", "Dashboard", "DashboardService", "StockRow", "Tile"]

#: period key -> label (the period picker)
PERIODS = {
    "today": "Today",
    "yesterday": "Yesterday",
    "mtd": "Month to date",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
}
TILES = ("today", "yesterday", "mtd", "30d")
LOW_STOCK = 5


def money(minor: int, currency: str) -> Money:
    return Money(Decimal(minor).scaleb(-currency_decimals(currency)), currency)


def period_range(key: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) in UTC for a period key."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today + timedelta(days=1)
    if key == "today":
        return today, tomorrow
    if key == "yesterday":
        return today - timedelta(days=1), today
    if key == "mtd":
        return today.replace(day=1), tomorrow
    days = {"7d": 7, "30d": 30, "90d": 90}.get(key)
    if days is None:
        raise ValueError(f"unknown period {key!r}")
    return tomorrow - timedelta(days=days), tomorrow


@dataclass(frozen=True)
class CurrencyFigures:
    currency: str
    sales: Money
    orders: int
    units: int
    #: from settlements; None when no downloaded settlement covers the whole period
    refunds: Money | None = None
    fees: Money | None = None
    net: Money | None = None


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    start: datetime
    end: datetime
    figures: tuple[CurrencyFigures, ...]  # one per currency, never added together


@dataclass(frozen=True)
class SkuFigure:
    sku: str
    currency: str
    units: int
    sales: Money
    prev_units: int

    @property
    def change(self) -> int:
        return self.units - self.prev_units


@dataclass(frozen=True)
class ProfitRow:
    sku: str
    currency: str
    sales: Money
    fees: Money
    refunds: Money
    net: Money


@dataclass(frozen=True)
class Dashboard:
    period: str
    start: datetime
    end: datetime
    marketplace_id: str  # "" = all
    tiles: tuple[Tile, ...]
    figures: tuple[CurrencyFigures, ...]  # the selected period
    sales_by_day: dict[str, list[tuple[str, Money]]]  # currency -> [(day, sales)]
    by_sku: tuple[SkuFigure, ...]  # top SKUs by units
    by_channel: dict[str, int]  # MFN/AFN -> orders
    by_marketplace: tuple[tuple[str, str, int, Money], ...]  # (market, currency, orders, sales)
    top_movers: tuple[SkuFigure, ...]
    low_stock: tuple[StockRow, ...]
    profit: tuple[ProfitRow, ...]
    settlement_note: str


def _figures(
    days: Iterable[DayRow], settle: list[SettlementRow] | None, lo: str, hi: str
) -> tuple[CurrencyFigures, ...]:
    sales: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for d in days:
        if lo <= d.day < hi:
            s = sales[d.currency]
            s[0] += d.sales_minor
            s[1] += d.orders
            s[2] += d.units
    settled = {r.currency for r in settle} if settle is not None else set()
    fees: dict[str, int] = defaultdict(int)
    refunds: dict[str, int] = defaultdict(int)
    net: dict[str, int] = defaultdict(int)
    if settle is not None:
        for r in settle:
            if lo <= r.day < hi:
                net[r.currency] += r.amount_minor
                if r.amount_type == "ItemFees":
                    fees[r.currency] += r.amount_minor
                if r.transaction_type == "Refund":
                    refunds[r.currency] += r.amount_minor
    out = []
    for cur in sorted(set(sales) | set(net)):
        s = sales.get(cur, [0, 0, 0])
        out.append(
            CurrencyFigures(
                cur,
                money(s[0], cur),
                s[1],
                s[2],
                money(refunds[cur], cur) if cur in settled else None,
                money(fees[cur], cur) if cur in settled else None,
                money(net[cur], cur) if cur in settled else None,
            )
        )
    return tuple(out)


class DashboardService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._q = DashboardQueries(db.engine)
        self._clock = clock

    def load(self, period: str = "30d", marketplace_id: str = "") -> Dashboard:
        self._q.refresh()  # days whose orders changed since the last load
        now = self._clock()
        start, end = period_range(period, now)
        ranges = {k: period_range(k, now) for k in TILES}
        lo = min(start, *(r[0] for r in ranges.values()))
        hi = max(end, *(r[1] for r in ranges.values()))
        days = self._q.days(lo, hi, marketplace_id)
        settlements = self._q.settlement_rows() if not marketplace_id else []
        span = self._q.settlement_span()

        def covered(a: datetime, b: datetime) -> list[SettlementRow] | None:
            first, last = span
            if not settlements or first is None or last is None:
                return None
            return settlements if first[:10] <= _day(a) and _day(b) <= last[:10] else None

        tiles = tuple(
            Tile(k, PERIODS[k], a, b, _figures(days, covered(a, b), _day(a), _day(b)))
            for k, (a, b) in ranges.items()
        )
        lo_day, hi_day = _day(start), _day(end)
        in_period = [d for d in days if lo_day <= d.day < hi_day]
        by_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        channels: dict[str, int] = defaultdict(int)
        markets: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for d in in_period:
            by_day[d.currency][d.day] += d.sales_minor
            channels[d.channel] += d.orders
            m = markets[(d.marketplace_id, d.currency)]
            m[0] += d.orders
            m[1] += d.sales_minor
        skus = [
            SkuFigure(s.sku, s.currency, s.units, money(s.sales_minor, s.currency), s.prev_units)
            for s in self._q.skus(start, end, start - (end - start), marketplace_id)
        ]
        movers = sorted((s for s in skus if s.change), key=lambda s: (-abs(s.change), s.sku))[:8]
        return Dashboard(
            period=period,
            start=start,
            end=end,
            marketplace_id=marketplace_id,
            tiles=tiles,
            figures=_figures(in_period, covered(start, end), lo_day, hi_day),
            sales_by_day={
                cur: [(day, money(v, cur)) for day, v in sorted(series.items())]
                for cur, series in sorted(by_day.items())
            },
            by_sku=tuple(
                sorted((s for s in skus if s.units), key=lambda s: (-s.units, s.sku))[:10]
            ),
            by_channel=dict(sorted(channels.items())),
            by_marketplace=tuple(
                (mk, cur, v[0], money(v[1], cur)) for (mk, cur), v in sorted(markets.items())
            ),
            top_movers=tuple(movers),
            low_stock=tuple(self._q.low_stock(LOW_STOCK, marketplace_id)),
            profit=_profit(settlements, lo_day, hi_day),
            settlement_note=_note(span, bool(settlements), marketplace_id),
        )


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def _profit(rows: list[SettlementRow], lo: str, hi: str) -> tuple[ProfitRow, ...]:
    """Per SKU and currency from settlements: principal, fees, refunds, net proceeds."""
    acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        if not r.sku or not lo <= r.day < hi:
            continue
        a = acc[(r.sku, r.currency)]
        if r.amount_type == "ItemPrice" and r.amount_description == "Principal":
            a[0] += r.amount_minor
        if r.amount_type == "ItemFees":
            a[1] += r.amount_minor
        if r.transaction_type == "Refund":
            a[2] += r.amount_minor
        a[3] += r.amount_minor
    return tuple(
        ProfitRow(sku, cur, money(a[0], cur), money(a[1], cur), money(a[2], cur), money(a[3], cur))
        for (sku, cur), a in sorted(acc.items(), key=lambda kv: -kv[1][3])
    )


def _note(span: tuple[str | None, str | None], have: bool, market: str) -> str:
    if market:
        return "Fees and net proceeds are shown for all marketplaces together only."
    if not have or span[0] is None or span[1] is None:
        return (
            "No settlement downloaded yet: fees, refunds and net proceeds appear once "
            "Reports ▸ Find settlements has found one covering the period."
        )
    return (
        f"Downloaded settlements cover {span[0][:10]} to {span[1][:10]}: fees, refunds and net "
        "proceeds show for periods inside that span (Amazon settles every two weeks)."
    )
