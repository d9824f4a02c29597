"""The profit export: fees, refunds and net proceeds per SKU and currency from settlement lines,
for an accountant. The rows are the profit view's own (dashboard_profit.profit_rows over the
same settlement lines), so the file and the dashboard cannot disagree; each currency gets its
own total (never added across currencies) and the file says which settlement period its lines
come from (dashboard_profit.coverage_note).

Which lines: each marketplace's lines on that marketplace's own days (Pacific days for
Amazon.com, Tokyo days for Amazon.co.jp), as the dashboard counts them. A `ProfitScope` carries
the dashboard's period key and the moment it was loaded at, so the export from the profit view
takes exactly the days the view took; a plain ExportScope (the command line's --from/--to)
takes its dates as each marketplace's local days."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from kinxpro_desktop.core.marketplaces import MARKETPLACES
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.models import Money
from kinxpro_desktop.services.dashboard import PERIODS, period_days, period_range
from kinxpro_desktop.services.dashboard_profit import ProfitRow, coverage_note, profit_rows
from kinxpro_desktop.services.exports_tables import Row, Table, money
from kinxpro_desktop.store.exports import ExportScope
from kinxpro_desktop.store.local_days import zone, zone_name
from kinxpro_desktop.store.settlement_lines import Settlement, SettlementLine, SettlementQueries

COLUMNS = ("SKU", "Currency", "Sales", "Fees", "Refunds", "Net proceeds")
OTHER = "Other (no SKU)"
_ZONES = sorted({m.time_zone for m in MARKETPLACES if m.time_zone} | {"UTC"})

Span = tuple[str, str]  # [first, end) local day labels


@dataclass(frozen=True)
class ProfitScope(ExportScope):
    """The dashboard's period as its profit view counts it: `period` (a dashboard period key,
    services.dashboard.PERIODS) taken at `as_of`; start/end are the period's bounds in the
    dashboard's time zone (for the coverage note and the file's period line)."""

    period: str = ""
    as_of: datetime | None = None


@dataclass(frozen=True)
class _Days:
    spans: Callable[[str], Span]  # zone name -> that zone's [first, end) day labels
    lo: str
    hi: str
    start: datetime
    end: datetime
    text: str


def _days(scope: ExportScope, now: datetime) -> _Days:
    market = f" · {market_label(scope.marketplace_id)}" if scope.marketplace_id else ""
    if isinstance(scope, ProfitScope) and scope.period:
        if scope.period not in PERIODS:
            raise ValueError(f"unknown dashboard period {scope.period!r}")
        as_of, key = scope.as_of or now, scope.period
        cache: dict[str, Span] = {}

        def span(name: str) -> Span:
            got = cache.get(name)
            if got is None:
                first, end = period_days(key, as_of.astimezone(zone(name)).date())
                got = cache[name] = (first.isoformat(), end.isoformat())
            return got

        every = [span(z) for z in _ZONES]
        a, b = period_range(key, as_of, "UTC")
        start, end = scope.start or a, scope.end or b
        last = end - timedelta(days=1)
        text = f"{PERIODS[key]}: {start:%Y-%m-%d} to {last:%Y-%m-%d} (each marketplace's own days)"
        return _Days(
            span, min(s[0] for s in every), max(s[1] for s in every), start, end, text + market
        )
    end = scope.end or datetime.combine(now.date() + timedelta(days=1), time(0), UTC)
    start = scope.start or end - timedelta(days=30)
    labels = (f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}")
    final = f"{end - timedelta(days=1):%Y-%m-%d}"
    text = f"{labels[0]} to {final} (each marketplace's own days)"
    return _Days(lambda _zone: labels, labels[0], labels[1], start, end, text + market)


def profit_lines(
    settlements: SettlementQueries, scope: ExportScope, now: datetime
) -> tuple[list[SettlementLine], list[Settlement], _Days]:
    """The settlement lines the profit view counts for `scope` (the dashboard's own filter:
    settlements of the marketplace or of none, lines of the marketplace, on local days)."""
    days = _days(scope, now)
    market = scope.marketplace_id or ""
    found = [s for s in settlements.settlements() if not market or s.marketplace_id in ("", market)]
    lines = settlements.lines(days.lo, days.hi, found) if found else []
    chosen = []
    for ln in lines:
        if market and ln.marketplace_id != market:
            continue
        first, end = days.spans(zone_name(ln.marketplace_id))
        if first <= ln.day < end:
            chosen.append(ln)
    return chosen, found, days


def _text(m: Money) -> str:
    return money(m.minor_units, m.currency)


def _cells(label: str, row: ProfitRow) -> Row:
    return [
        label,
        row.currency,
        _text(row.sales),
        _text(row.fees),
        _text(row.refunds),
        _text(row.net),
    ]


def _settlements_text(found: list[Settlement], start: datetime, end: datetime) -> str:
    spans = sorted(
        (s.start, s.end, s.currency, s.settlement_id)
        for s in found
        if s.start is not None and s.end is not None and s.start < end and s.end > start
    )
    return "; ".join(f"{sid} {a:%Y-%m-%d} to {b:%Y-%m-%d} {cur}" for a, b, cur, sid in spans)


def profit_table(settlements: SettlementQueries, scope: ExportScope, now: datetime) -> Table:
    lines, found, days = profit_lines(settlements, scope, now)
    rows = profit_rows(lines)
    note, _covered = coverage_note(found, days.start, days.end, bool(lines))
    used = _settlements_text(found, days.start, days.end)
    if used:
        note += f" Settlements: {used}."
    out: list[Row] = [
        _cells(OTHER if r.kind == "other" else r.sku, r) for r in rows if r.kind != "total"
    ]
    totals = [r for r in rows if r.kind == "total"]

    def summary() -> list[str]:
        return [
            f"{r.currency}: sales {_text(r.sales)}, fees {_text(r.fees)}, refunds "
            f"{_text(r.refunds)}, net proceeds {_text(r.net)}"
            for r in totals
        ] + [note]

    return Table(
        "Profit by SKU (settlements)",
        COLUMNS,
        [2.4, 0.8, 1.1, 1.1, 1.1, 1.2],
        len(out),
        iter([out] if out else []),
        lambda: [_cells(f"TOTAL {r.currency}", r) for r in totals],
        frozenset({2, 3, 4, 5}),
        max(1, len(totals)),
        summary,
        note=note,
        period=days.text,
    )
