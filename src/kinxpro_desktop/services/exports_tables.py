"""The exportable tables: columns, widths, rows in pages (typed cells, money as exact text)
and totals per currency, for the Exporter to write as CSV, XLSX or PDF."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.listing_issues import decode_issues, issues_text
from kinxpro_desktop.core.marketplaces import currency_decimals
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.vocabulary import status_label
from kinxpro_desktop.services.exports_files import Cell
from kinxpro_desktop.services.reports import KINDS as REPORT_KINDS
from kinxpro_desktop.store.exports import PII_COLUMNS, ExportQueries, ExportScope
from kinxpro_desktop.store.reports import ReportRepository
from kinxpro_desktop.store.reports_dashboard import DashboardQueries

Row = list[Cell]


_DECIMALS: dict[str, int] = {}


def money(minor: int | None, currency: str) -> str:
    """Exact decimal text from minor units ("-12.05"; JPY "1200"); XLSX turns the numeric
    columns back into numbers."""
    if minor is None:
        return ""
    places = _DECIMALS.get(currency)
    if places is None:
        places = _DECIMALS[currency] = currency_decimals(currency)
    if places == 2 and minor >= 0:  # the common case, without divmod and abs
        return f"{minor // 100}.{minor % 100:02d}"
    if places == 0:
        return str(minor)
    whole, part = divmod(abs(minor), 10**places)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{places}d}"


@dataclass
class Table:
    title: str
    columns: Sequence[str]
    weights: Sequence[float]
    count: int
    pages: Iterator[list[Row]]
    totals: Callable[[], list[Row]]
    numeric: frozenset[int] = frozenset()
    totals_rows: int = 1
    summary: Callable[[], list[str]] = field(default=lambda: [])
    note: str = ""  # what the data covers: under the PDF's title, a last line in CSV and XLSX
    period: str = ""  # the PDF's period line, when the table knows it better than the scope


class Sums:
    """Money totals per currency (never across currencies) plus plain counters."""

    def __init__(self) -> None:
        self.money: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.count: dict[str, int] = defaultdict(int)

    def currencies(self) -> list[str]:
        return sorted(self.count)


def period_text(scope: ExportScope) -> str:
    if scope.start is None and scope.end is None:
        text = "All dates"
    else:
        start = f"{scope.start:%Y-%m-%d}" if scope.start else "the start"
        end = f"{(scope.end - timedelta(seconds=1)):%Y-%m-%d}" if scope.end else "today"
        text = f"{start} to {end} (UTC)"
    if scope.marketplace_id:
        text += f" · {market_label(scope.marketplace_id)}"
    if scope.search:
        text += f" · matching “{scope.search}”"
    return text


def orders_table(q: ExportQueries, scope: ExportScope, buyer: bool) -> Table:
    sums = Sums()
    columns = [
        "Order",
        "Purchased (UTC)",
        "Marketplace",
        "Status",
        "Channel",
        "Items",
        "Units",
        "Total",
        "Currency",
        "City",
        "State",
        "Postal code",
        "Country",
    ]
    weights = [2.2, 1.9, 1.3, 1.1, 0.7, 0.6, 0.6, 1.0, 0.8, 1.3, 0.7, 0.9, 0.7]
    if buyer:
        columns += [c.replace("_", " ").capitalize() for c in PII_COLUMNS]
        weights += [1.4, 2.0, 1.2, 1.4, 2.0, 1.2, 0.8, 1.2]
    market_names: dict[str, str] = {}
    statuses: dict[str, str] = {}

    def pages() -> Iterator[list[Row]]:
        # the hot loop of a 100k export: plain lists for the running totals, labels cached
        acc: dict[str, list[int]] = {}
        try:
            for page in q.order_pages(scope, buyer_data=buyer):
                out: list[Row] = []
                append = out.append
                for r in page:
                    currency = r[8]
                    a = acc.get(currency)
                    if a is None:
                        a = acc[currency] = [0, 0, 0, 0]
                    a[0] += 1
                    a[1] += r[7]
                    a[2] += r[6]
                    a[3] += r[5]
                    market = market_names.get(r[2])
                    if market is None:
                        market = market_names[r[2]] = market_label(r[2])
                    status = statuses.get(r[3])
                    if status is None:
                        status = statuses[r[3]] = status_label(r[3])
                    row: Row = [
                        r[0],
                        r[1][:19].replace("T", " "),
                        market,
                        status,
                        r[4],
                        r[5],
                        r[6],
                        money(r[7], currency),
                        currency,
                        r[9],
                        r[10],
                        r[11],
                        r[12],
                    ]
                    if buyer:
                        row.extend(r[13:-1])  # the last column is the paging key
                    append(row)
                yield out
        finally:
            for cur, (n, total, units, items) in acc.items():
                sums.count[cur] += n
                sums.money[cur]["total"] += total
                sums.money[cur]["units"] += units
                sums.money[cur]["items"] += items

    def totals() -> list[Row]:
        rows: list[Row] = []
        for cur in sums.currencies():
            t = sums.money[cur]
            row: Row = [
                f"TOTAL {cur}",
                f"{sums.count[cur]} orders",
                "",
                "",
                "",
                t["items"],
                t["units"],
                money(t["total"], cur),
                cur,
                "",
                "",
                "",
                "",
            ]
            rows.append(row + [""] * (len(columns) - len(row)))
        return rows

    def summary() -> list[str]:
        return [
            f"{sums.count[c]} orders, {sums.money[c]['units']} units, total "
            f"{money(sums.money[c]['total'], c)} {c}"
            for c in sums.currencies()
        ]

    count = q.count_orders(scope)
    return Table(
        "Orders",
        columns,
        weights,
        count,
        pages(),
        totals,
        frozenset({5, 6, 7}),
        max(1, len(q.order_currencies(scope))),
        summary,
    )


def _issues_cell(stored: object) -> str:
    """Each issue's line ("Error 90220 · item_name: …"), not the stored JSON."""
    return "" if stored in (None, "", "[]") else issues_text(decode_issues(stored))


def listings_table(q: ExportQueries, scope: ExportScope) -> Table:
    n = [0]
    columns = [
        "SKU",
        "Marketplace",
        "ASIN",
        "Title",
        "Price",
        "Currency",
        "Quantity",
        "Status",
        "Channel",
        "Issues",
    ]

    def pages() -> Iterator[list[Row]]:
        for page in q.listing_pages(scope):
            n[0] += len(page)
            yield [
                [
                    r[0],
                    market_label(r[1]),
                    r[2],
                    r[3],
                    money(r[4], r[5] or "USD") if r[4] is not None else "",
                    r[5] or "",
                    "" if r[6] is None else r[6],
                    r[7],
                    r[8],
                    _issues_cell(r[9]),
                ]
                for r in page
            ]

    def totals() -> list[Row]:
        return [[f"TOTAL {n[0]} listings", "", "", "", "", "", "", "", "", ""]]

    return Table(
        "Listings",
        columns,
        [1.6, 1.0, 1.1, 4.0, 0.8, 0.7, 0.7, 0.9, 0.7, 3.0],
        q.count_listings(scope),
        pages(),
        totals,
        frozenset({4, 6}),
        summary=lambda: [f"{n[0]} listings"],
    )


def audit_table(q: ExportQueries, scope: ExportScope) -> Table:
    n = [0]

    def pages() -> Iterator[list[Row]]:
        for page in q.audit_pages(scope):
            n[0] += len(page)
            yield [[r[0], r[1][:19].replace("T", " "), r[2], r[3], r[4], r[5]] for r in page]

    return Table(
        "Audit log",
        ["#", "When (UTC)", "Event", "Who", "Orders", "Detail"],
        [0.5, 1.5, 1.2, 0.8, 3.0, 5.0],
        q.count_audit(scope),
        pages(),
        lambda: [[f"TOTAL {n[0]} entries", "", "", "", "", ""]],
        frozenset({0}),
        summary=lambda: [f"{n[0]} audit entries"],
    )


def sales_table(dash: DashboardQueries, scope: ExportScope, now: datetime) -> Table:
    """Sales per marketplace day (each marketplace's own local days); without dates, the 30
    days up to and including today."""
    end = scope.end or datetime.combine(now.date() + timedelta(days=1), time(0), UTC)
    start = scope.start or end - timedelta(days=30)
    rows = dash.days(start, end, scope.marketplace_id or "")
    period = f"{start:%Y-%m-%d} to {end - timedelta(days=1):%Y-%m-%d} (each marketplace's own days)"
    if scope.marketplace_id:
        period += f" · {market_label(scope.marketplace_id)}"
    sums = Sums()
    out: list[Row] = []
    for d in rows:
        sums.count[d.currency] += d.orders
        sums.money[d.currency]["units"] += d.units
        sums.money[d.currency]["sales"] += d.sales_minor
        out.append(
            [
                d.day,
                market_label(d.marketplace_id),
                d.channel,
                d.currency,
                d.orders,
                d.units,
                money(d.sales_minor, d.currency),
            ]
        )

    def totals() -> list[Row]:
        return [
            [
                f"TOTAL {c}",
                "",
                "",
                c,
                sums.count[c],
                sums.money[c]["units"],
                money(sums.money[c]["sales"], c),
            ]
            for c in sums.currencies()
        ]

    def summary() -> list[str]:
        return [
            f"{money(sums.money[c]['sales'], c)} {c} sales, {sums.count[c]} orders"
            for c in sums.currencies()
        ]

    return Table(
        "Sales by day",
        ["Date", "Marketplace", "Channel", "Currency", "Orders", "Units", "Sales"],
        [1.2, 1.6, 0.8, 0.8, 0.8, 0.8, 1.2],
        len(out),
        iter([out] if out else []),
        totals,
        frozenset({4, 5, 6}),
        max(1, len(sums.currencies()) or 1),
        summary,
        period=period,
    )


def report_rows_table(reports: ReportRepository, run_id: int | None) -> Table:
    run = reports.run(run_id) if run_id is not None else None
    if run is None:
        raise UserError(
            "Choose which report run to export (`report list` shows the run numbers; pass --run N)."
        )
    first = reports.rows_page(run.run_id, 0, 1)
    columns: list[str] = list(first[0][1]) if first else ["(no rows)"]
    label = REPORT_KINDS[run.report_type].label if run.report_type in REPORT_KINDS else ""
    n = [0]

    def pages() -> Iterator[list[Row]]:
        after = 0
        while True:
            batch = reports.rows_page(run.run_id, after, 2000)
            if not batch:
                return
            after = batch[-1][0]
            n[0] += len(batch)
            yield [[_cell(data.get(c, "")) for c in columns] for _no, data in batch]

    def totals() -> list[Row]:
        row: Row = [f"TOTAL {n[0]} rows"]
        return [row + [""] * (len(columns) - 1)]

    return Table(
        f"{label or run.report_type} — run {run.run_id}",
        columns,
        [1.0] * len(columns),
        run.row_count,
        pages(),
        totals,
        summary=lambda: [f"{n[0]} rows"],
    )


def _cell(value: Any) -> Cell:
    if isinstance(value, str | int):
        return value
    return str(value)
