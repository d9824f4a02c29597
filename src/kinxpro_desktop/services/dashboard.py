"""The sales dashboard, from the local store (no network): headline tiles for Today,
Yesterday, Month to date and the last 30 days; sales by day, units and revenue by SKU,
orders by channel and marketplace, top movers, low stock; fees, refunds and net proceeds
where downloaded settlements cover the period. Money is per currency, never summed across
currencies.

Days are each marketplace's own days, the way Seller Central shows them (Pacific time for
Amazon.com, Tokyo time for Amazon.co.jp, ...; core.marketplaces time_zone): "today" for a US
order is today in Los Angeles, for a JP order today in Tokyo, right across DST."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kinxpro_desktop.core.marketplaces import DEFAULT_MARKETPLACE_ID, MARKETPLACES
from kinxpro_desktop.core.models import Money
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.services.dashboard_profit import (
    MEASURES,
    Breakdown,
    ProfitRow,
    breakdown_of,
    coverage_note,
    figures_from_lines,
    money,
    profit_rows,
)
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.local_days import zone, zone_name
from kinxpro_desktop.store.reports_dashboard import DashboardQueries, DayRow, StockRow
from kinxpro_desktop.store.settlement_lines import Settlement, SettlementLine, SettlementQueries

__all__ = [
    "MEASURES",
    "PERIODS",
    "Breakdown",
    "CurrencyFigures",
    "Dashboard",
    "DashboardService",
    "ProfitRow",
    "StockRow",
    "Tile",
    "period_range",
]

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
_ZONES = sorted({m.time_zone for m in MARKETPLACES} | {"UTC"})


def period_days(key: str, today: date) -> tuple[date, date]:
    """[first, end) local dates of a period, given the local date today."""
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


def period_range(key: str, now: datetime, tz: str = "UTC") -> tuple[datetime, datetime]:
    """[start, end) of a period as local midnights in zone `tz` (aware datetimes; a DST
    day is 23 or 25 hours long)."""
    z = zone(tz)
    first, end = period_days(key, now.astimezone(z).date())
    return datetime.combine(first, time(0), z), datetime.combine(end, time(0), z)


def _labels(key: str, now: datetime) -> dict[str, tuple[str, str]]:
    """zone name -> [first, end) day labels of a period in that zone."""
    out = {}
    for name in _ZONES:
        first, end = period_days(key, now.astimezone(zone(name)).date())
        out[name] = (first.isoformat(), end.isoformat())
    return out


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
class Dashboard:
    period: str
    start: datetime  # local midnights in `time_zone`
    end: datetime
    marketplace_id: str  # "" = all
    tiles: tuple[Tile, ...]
    figures: tuple[CurrencyFigures, ...]  # the selected period
    sales_by_day: dict[str, list[tuple[str, Money]]]  # currency -> [(local day, sales)]
    by_sku: tuple[SkuFigure, ...]  # top SKUs by units
    by_channel: dict[str, int]  # MFN/AFN -> orders
    by_marketplace: tuple[tuple[str, str, int, Money], ...]  # (market, currency, orders, sales)
    top_movers: tuple[SkuFigure, ...]
    low_stock: tuple[StockRow, ...]
    profit: tuple[ProfitRow, ...]  # per currency: SKU rows, "no SKU", then the total
    settlement_note: str
    time_zone: str = "UTC"  # the zone of start/end
    time_zones: tuple[str, ...] = ()  # the zones of the marketplaces in the period
    as_of: datetime | None = None  # the moment "today" was taken at (breakdowns reuse it)
    profit_note: str = ""
    profit_covered: bool = False  # a downloaded settlement overlaps the period


def _in(
    rows: Iterable[DayRow | SettlementLine], spans: dict[str, tuple[str, str]]
) -> list[DayRow | SettlementLine]:
    out = []
    for r in rows:
        lo, hi = spans[zone_name(r.marketplace_id)]
        if lo <= r.day < hi:
            out.append(r)
    return out


def _figures(
    days: Iterable[DayRow], covered: tuple[list[SettlementLine], frozenset[str]]
) -> tuple[CurrencyFigures, ...]:
    """Per currency; fees, refunds and net proceeds only for the currencies whose downloaded
    settlements cover the whole period (`covered`: the period's lines, those currencies)."""
    lines, settled_in = covered
    sales: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for d in days:
        s = sales[d.currency]
        s[0] += d.sales_minor
        s[1] += d.orders
        s[2] += d.units
    settled = figures_from_lines(ln for ln in lines if ln.currency in settled_in)
    out = []
    for cur in sorted(set(sales) | set(settled)):
        s = sales.get(cur, [0, 0, 0])
        fees = refunds = net = None
        if cur in settled_in:  # a settlement in one currency says nothing of another
            f = settled.get(cur, {})
            fees, refunds, net = (money(f.get(k, 0), cur) for k in ("fees", "refunds", "net"))
        out.append(CurrencyFigures(cur, money(s[0], cur), s[1], s[2], refunds, fees, net))
    return tuple(out)


def _covering(found: list[Settlement], a: datetime, b: datetime) -> frozenset[str]:
    """The currencies whose settlements span [a, b) (first start to last end)."""
    out = set()
    for cur in {s.currency for s in found}:
        starts = [s.start for s in found if s.currency == cur and s.start and s.end]
        ends = [s.end for s in found if s.currency == cur and s.start and s.end]
        if starts and ends and min(starts) <= a and max(ends) >= b:
            out.add(cur)
    return frozenset(out)


class DashboardService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._q = DashboardQueries(db.engine)
        self._s = SettlementQueries(db.engine)
        self._clock = clock

    def _settlements(self, market: str) -> list[Settlement]:
        return [s for s in self._s.settlements() if not market or s.marketplace_id in ("", market)]

    def _lines(
        self, spans: list[dict[str, tuple[str, str]]], market: str, found: list[Settlement]
    ) -> list[SettlementLine]:
        lo = min(v[0] for s in spans for v in s.values())
        hi = max(v[1] for s in spans for v in s.values())
        lines = self._s.lines(lo, hi, found) if found else []
        return [ln for ln in lines if not market or ln.marketplace_id == market]

    def load(self, period: str = "30d", marketplace_id: str = "") -> Dashboard:
        self._q.refresh()  # days whose orders changed since the last load
        now = self._clock()
        keys = (*TILES, period)
        spans = {k: _labels(k, now) for k in keys}
        lo = min(v[0] for s in spans.values() for v in s.values())
        hi = max(v[1] for s in spans.values() for v in s.values())
        days = self._q.days(lo, hi, marketplace_id)
        found = self._settlements(marketplace_id)
        lines = self._lines(list(spans.values()), marketplace_id, found)
        in_period: list[DayRow] = _in(days, spans[period])  # type: ignore[assignment]
        zones: Counter[str] = Counter()
        for d in in_period:
            zones[zone_name(d.marketplace_id)] += d.orders
        ref = zone_name(marketplace_id or DEFAULT_MARKETPLACE_ID)
        if not marketplace_id and zones:
            ref = zones.most_common(1)[0][0]

        def covered(key: str) -> tuple[list[SettlementLine], frozenset[str]]:
            a, b = period_range(key, now, ref)
            return _in(lines, spans[key]), _covering(found, a, b)  # type: ignore[return-value]

        tiles = []
        for k in TILES:
            a, b = period_range(k, now, ref)
            tile_days: list[DayRow] = _in(days, spans[k])  # type: ignore[assignment]
            tiles.append(Tile(k, PERIODS[k], a, b, _figures(tile_days, covered(k))))
        start, end = period_range(period, now, ref)
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
            for s in self._q.skus(_sku_bounds(period, now), marketplace_id)
        ]
        movers = sorted((s for s in skus if s.change), key=lambda s: (-abs(s.change), s.sku))[:8]
        period_lines: list[SettlementLine] = _in(lines, spans[period])  # type: ignore[assignment]
        profit_note, profit_covered = coverage_note(found, start, end, bool(period_lines))
        return Dashboard(
            period=period,
            start=start,
            end=end,
            marketplace_id=marketplace_id,
            tiles=tuple(tiles),
            figures=_figures(in_period, covered(period)),
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
            profit=profit_rows(period_lines),
            settlement_note=_note(found),
            time_zone=ref,
            time_zones=tuple(sorted(zones)),
            as_of=now,
            profit_note=profit_note,
            profit_covered=profit_covered,
        )

    def breakdown(
        self,
        period: str,
        marketplace_id: str,
        measure: str,
        currency: str,
        sku: str | None = None,
        as_of: datetime | None = None,
    ) -> Breakdown:
        """The settlement lines behind one figure of the profit view or a tile: `measure`
        (MEASURES) in `currency` over the period, for one SKU ("" = lines without a SKU) or
        all (None). The lines' amounts add up to the figure shown for the same `as_of`."""
        now = as_of or self._clock()
        spans = _labels(period, now)
        found = self._settlements(marketplace_id)
        lines: list[SettlementLine] = _in(  # type: ignore[assignment]
            self._lines([spans], marketplace_id, found), spans
        )
        start, end = period_range(period, now, zone_name(marketplace_id or DEFAULT_MARKETPLACE_ID))
        note, _covered = coverage_note(found, start, end, bool(lines))
        return breakdown_of(lines, measure, currency, sku, PERIODS[period], note)


def _sku_bounds(period: str, now: datetime) -> dict[str, tuple[str, str, str]]:
    """Per marketplace ("" = any other, UTC): the period before, the period's first and end."""
    out = {}
    for mid, name in [("", "UTC"), *((m.marketplace_id, m.time_zone) for m in MARKETPLACES)]:
        first, end = period_days(period, now.astimezone(zone(name)).date())
        prev = first - (end - first)
        out[mid] = (prev.isoformat(), first.isoformat(), end.isoformat())
    return out


def _note(found: list[Settlement]) -> str:
    starts = [s.start for s in found if s.start is not None]
    ends = [s.end for s in found if s.end is not None]
    if not found or not starts or not ends:
        return (
            "No settlement downloaded yet: fees, refunds and net proceeds appear once "
            "Reports ▸ Find settlements has found one covering the period."
        )
    return (
        f"Downloaded settlements cover {min(starts):%Y-%m-%d} to {max(ends):%Y-%m-%d}: fees, "
        "refunds and net proceeds show for periods inside that span (Amazon settles every two "
        "weeks)."
    )
