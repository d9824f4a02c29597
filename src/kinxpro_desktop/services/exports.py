"""One-click exports of every table (orders, listings, report rows, sales, audit log) to CSV,
XLSX or PDF.

Buyer data is left out unless the caller asks for it; then the export is audited (who,
when, which orders, where) and the result says the file is outside Kinxpro's retention.
Rows are read in SQL pages and written as they come (progress and cancel between pages);
the file appears atomically or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.marketplaces import currency_decimals
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.progress import CancelToken, ProgressFn, ProgressUpdate, no_progress
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent, status_label
from kinxpro_desktop.documents.table_pdf import PdfTable
from kinxpro_desktop.services.exports_files import (
    Cell,
    ExportFailed,
    atomic_file,
    write_csv,
    write_pdf,
    write_xlsx,
)
from kinxpro_desktop.services.reports import KINDS as REPORT_KINDS
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.exports import PII_COLUMNS, ExportQueries, ExportScope
from kinxpro_desktop.store.reports_dashboard import DashboardQueries

__all__ = ["EXPORT_KINDS", "FORMATS", "ExportFailed", "ExportResult", "ExportScope", "Exporter"]

EXPORT_KINDS = ("orders", "listings", "report-rows", "sales", "audit")
FORMATS = ("csv", "xlsx", "pdf")
OUTSIDE_RETENTION = (
    "This file holds buyer data and is outside Kinxpro's retention: Kinxpro will not delete "
    "it. Delete it yourself within {days} days of each order, and keep it encrypted meanwhile."
)
Row = list[Cell]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    kind: str
    fmt: str
    rows: int
    totals: tuple[str, ...]
    buyer_data: bool = False
    warning: str = ""


_DECIMALS: dict[str, int] = {}


def money(minor: int | None, currency: str) -> str:
    """Exact decimal text from minor units ("-12.05"; JPY "1200"); XLSX turns the numeric
    columns back into numbers."""
    if minor is None:
        return ""
    places = _DECIMALS.get(currency)
    if places is None:
        places = _DECIMALS[currency] = currency_decimals(currency)
    if places == 0:
        return str(minor)
    whole, part = divmod(abs(minor), 10**places)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{places}d}"


@dataclass
class _Table:
    title: str
    columns: Sequence[str]
    weights: Sequence[float]
    count: int
    pages: Iterator[list[Row]]
    totals: Callable[[], list[Row]]
    numeric: frozenset[int] = frozenset()
    totals_rows: int = 1
    summary: Callable[[], list[str]] = field(default=lambda: [])


class _Sums:
    """Money totals per currency (never across currencies) plus plain counters."""

    def __init__(self) -> None:
        self.money: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.count: dict[str, int] = defaultdict(int)

    def currencies(self) -> list[str]:
        return sorted(self.count)


def _period(scope: ExportScope) -> str:
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


class Exporter:
    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
        retention_days: Callable[[], int] = lambda: 30,
        page: int = 2000,
    ) -> None:
        self._db = db
        self._q = ExportQueries(db.engine, page)
        self._dash = DashboardQueries(db.engine)
        self._clock = clock
        self._retention_days = retention_days

    def export(
        self,
        kind: str,
        fmt: str,
        path: Path,
        scope: ExportScope | None = None,
        *,
        include_buyer_data: bool = False,
        run_id: int | None = None,
        actor: str = Actor.OWNER,
        cancel: CancelToken | None = None,
        progress: ProgressFn = no_progress,
    ) -> ExportResult:
        scope = scope or ExportScope()
        cancel = cancel or CancelToken()
        if kind not in EXPORT_KINDS:
            raise UserError(f"Unknown export {kind!r}. Choose one of: {', '.join(EXPORT_KINDS)}.")
        if fmt not in FORMATS:
            raise UserError(f"Unknown format {fmt!r}. Choose one of: {', '.join(FORMATS)}.")
        if include_buyer_data and kind != "orders":
            raise UserError(
                "Only orders exports can include buyer data; the other tables hold none. "
                "Export again without --include-buyer-data."
            )
        path = Path(path).expanduser().absolute()
        table = self._table(kind, scope, include_buyer_data, run_id)
        pages = self._paced(table, cancel, progress)
        note = OUTSIDE_RETENTION.format(days=self._retention_days()) if include_buyer_data else ""
        with atomic_file(path) as (out, tmp):
            if fmt == "csv":
                write_csv(out, table.columns, pages, table.totals)
            elif fmt == "xlsx":
                write_xlsx(out, tmp, table.title, table.columns, pages, table.totals, table.numeric)
            else:
                pdf = PdfTable(
                    table.title,
                    _period(scope)
                    + f" · {table.count} rows · made {self._clock():%Y-%m-%d %H:%M} UTC",
                    table.columns,
                    table.weights,
                    table.numeric,
                    note="Contains buyer data: outside Kinxpro's retention." if note else "",
                )
                write_pdf(out, pdf, table.count, pages, table.totals, table.totals_rows)
            cancel.check()
        summary = tuple(table.summary())
        self._audit(kind, fmt, path, scope, table.count, include_buyer_data, actor)
        progress(ProgressUpdate("Exported", table.count, table.count))
        return ExportResult(path, kind, fmt, table.count, summary, include_buyer_data, note)

    def _paced(
        self, table: _Table, cancel: CancelToken, progress: ProgressFn
    ) -> Iterator[list[Row]]:
        done = 0
        progress(ProgressUpdate(f"Exporting {table.title}", 0, table.count))
        for page in table.pages:
            cancel.check()
            yield page
            done += len(page)
            progress(ProgressUpdate(f"Exporting {table.title}", done, table.count))
        cancel.check()

    def _audit(
        self,
        kind: str,
        fmt: str,
        path: Path,
        scope: ExportScope,
        rows: int,
        buyer_data: bool,
        actor: str,
    ) -> None:
        ids = self._q.orders_with_buyer_data(scope) if buyer_data else []
        detail: dict[str, object] = {
            "kind": kind,
            "format": fmt,
            "rows": rows,
            "path": str(path),
            "buyer_data": buyer_data,
        }
        if buyer_data:
            detail["orders_with_buyer_data"] = len(ids)
            detail["outside_retention"] = True
        with self._db.transaction() as uow:
            uow.audit.append(AuditEvent.EXPORT, actor, ids, detail, at=self._clock())

    # -- tables -------------------------------------------------------------------------
    def _table(self, kind: str, scope: ExportScope, buyer: bool, run_id: int | None) -> _Table:
        if kind == "orders":
            return self._orders(scope, buyer)
        if kind == "listings":
            return self._listings(scope)
        if kind == "audit":
            return self._audit_table(scope)
        if kind == "sales":
            return self._sales(scope)
        return self._report_rows(run_id)

    def _orders(self, scope: ExportScope, buyer: bool) -> _Table:
        sums = _Sums()
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
            for page in self._q.order_pages(scope, buyer_data=buyer):
                out: list[Row] = []
                for r in page:
                    currency = r[8]
                    sums.count[currency] += 1
                    totals = sums.money[currency]
                    totals["total"] += r[7]
                    totals["units"] += r[6]
                    totals["items"] += r[5]
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
                        row.extend(r[13:])
                    out.append(row)
                yield out

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

        count = self._q.count_orders(scope)
        return _Table(
            "Orders",
            columns,
            weights,
            count,
            pages(),
            totals,
            frozenset({5, 6, 7}),
            max(1, len(self._q.order_currencies(scope))),
            summary,
        )

    def _listings(self, scope: ExportScope) -> _Table:
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
        ]

        def pages() -> Iterator[list[Row]]:
            for page in self._q.listing_pages(scope):
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
                    ]
                    for r in page
                ]

        def totals() -> list[Row]:
            return [[f"TOTAL {n[0]} listings", "", "", "", "", "", "", "", ""]]

        return _Table(
            "Listings",
            columns,
            [1.6, 1.0, 1.1, 5.0, 0.8, 0.7, 0.7, 0.9, 0.7],
            self._q.count_listings(scope),
            pages(),
            totals,
            frozenset({4, 6}),
            summary=lambda: [f"{n[0]} listings"],
        )

    def _audit_table(self, scope: ExportScope) -> _Table:
        n = [0]

        def pages() -> Iterator[list[Row]]:
            for page in self._q.audit_pages(scope):
                n[0] += len(page)
                yield [[r[0], r[1][:19].replace("T", " "), r[2], r[3], r[4], r[5]] for r in page]

        return _Table(
            "Audit log",
            ["#", "When (UTC)", "Event", "Who", "Orders", "Detail"],
            [0.5, 1.5, 1.2, 0.8, 3.0, 5.0],
            self._q.count_audit(scope),
            pages(),
            lambda: [[f"TOTAL {n[0]} entries", "", "", "", "", ""]],
            frozenset({0}),
            summary=lambda: [f"{n[0]} audit entries"],
        )

    def _sales(self, scope: ExportScope) -> _Table:
        end = scope.end or self._clock()
        start = scope.start or end - timedelta(days=30)
        rows = self._dash.days(start, end, scope.marketplace_id or "")
        sums = _Sums()
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

        return _Table(
            "Sales by day",
            ["Date", "Marketplace", "Channel", "Currency", "Orders", "Units", "Sales"],
            [1.2, 1.6, 0.8, 0.8, 0.8, 0.8, 1.2],
            len(out),
            iter([out] if out else []),
            totals,
            frozenset({4, 5, 6}),
            max(1, len(sums.currencies()) or 1),
            summary,
        )

    def _report_rows(self, run_id: int | None) -> _Table:
        run = self._db.reports.run(run_id) if run_id is not None else None
        if run is None:
            raise UserError(
                "Choose which report run to export (`report list` shows the run numbers; "
                "pass --run N)."
            )
        first = self._db.reports.rows_page(run.run_id, 0, 1)
        columns: list[str] = list(first[0][1]) if first else ["(no rows)"]
        label = REPORT_KINDS[run.report_type].label if run.report_type in REPORT_KINDS else ""
        n = [0]

        def pages() -> Iterator[list[Row]]:
            after = 0
            while True:
                batch = self._db.reports.rows_page(run.run_id, after, 2000)
                if not batch:
                    return
                after = batch[-1][0]
                n[0] += len(batch)
                yield [[_cell(data.get(c, "")) for c in columns] for _no, data in batch]

        def totals() -> list[Row]:
            row: Row = [f"TOTAL {n[0]} rows"]
            return [row + [""] * (len(columns) - 1)]

        return _Table(
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
