"""One-click exports of every table (orders, listings, report rows, sales, profit, audit log)
to CSV, XLSX or PDF.

Buyer data is left out unless the caller asks for it; then the export is audited (who,
when, which orders, where) and the result says the file is outside Kinxpro's retention.
Rows are read in SQL pages and written as they come (progress and cancel between pages);
the file appears atomically or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.progress import CancelToken, ProgressFn, ProgressUpdate, no_progress
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.documents.table_pdf import PdfTable
from kinxpro_desktop.services.exports_files import (
    ExportFailed,
    atomic_file,
    write_csv,
    write_pdf,
    write_xlsx,
)
from kinxpro_desktop.services.exports_profit import ProfitScope, profit_table
from kinxpro_desktop.services.exports_tables import (
    Row,
    Table,
    audit_table,
    listings_table,
    orders_table,
    period_text,
    report_rows_table,
    sales_table,
)
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.exports import ExportQueries, ExportScope
from kinxpro_desktop.store.reports_dashboard import DashboardQueries
from kinxpro_desktop.store.settlement_lines import SettlementQueries

__all__ = [
    "EXPORT_KINDS",
    "FORMATS",
    "ExportFailed",
    "ExportResult",
    "ExportScope",
    "Exporter",
    "ProfitScope",
]

EXPORT_KINDS = ("orders", "listings", "report-rows", "sales", "profit", "audit")
FORMATS = ("csv", "xlsx", "pdf")
OUTSIDE_RETENTION = (
    "This file holds buyer data and is outside Kinxpro's retention: Kinxpro will not delete "
    "it. Delete it yourself within {days} days of each order, and keep it encrypted meanwhile."
)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    kind: str
    fmt: str
    rows: int
    totals: tuple[str, ...]
    buyer_data: bool = False
    warning: str = ""


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
        self._settlements = SettlementQueries(db.engine)
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
        self._db.access.require(
            Permission.EXPORT_BUYER_DATA if include_buyer_data else Permission.EXPORT
        )
        path = Path(path).expanduser().absolute()
        table = self._table(kind, scope, include_buyer_data, run_id)
        pages = self._paced(table, cancel, progress)
        note = OUTSIDE_RETENTION.format(days=self._retention_days()) if include_buyer_data else ""
        with atomic_file(path) as (out, tmp):
            if fmt == "csv":
                write_csv(out, table.columns, pages, _with_note(table))
            elif fmt == "xlsx":
                write_xlsx(
                    out, tmp, table.title, table.columns, pages, _with_note(table), table.numeric
                )
            else:
                pdf = PdfTable(
                    table.title,
                    (table.period or period_text(scope))
                    + f" · {table.count} rows · made {self._clock():%Y-%m-%d %H:%M} UTC",
                    table.columns,
                    table.weights,
                    table.numeric,
                    note="Contains buyer data: outside Kinxpro's retention."
                    if note
                    else table.note,
                )
                write_pdf(out, pdf, table.count, pages, table.totals, table.totals_rows)
            cancel.check()
        summary = tuple(table.summary())
        self._audit(kind, fmt, path, scope, table.count, include_buyer_data, actor)
        progress(ProgressUpdate("Exported", table.count, table.count))
        return ExportResult(path, kind, fmt, table.count, summary, include_buyer_data, note)

    def _paced(
        self, table: Table, cancel: CancelToken, progress: ProgressFn
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
    def _table(self, kind: str, scope: ExportScope, buyer: bool, run_id: int | None) -> Table:
        if kind == "orders":
            return orders_table(self._q, scope, buyer)
        if kind == "listings":
            return listings_table(self._q, scope)
        if kind == "audit":
            return audit_table(self._q, scope)
        if kind == "sales":
            self._dash.refresh()  # the days whose orders changed since the dashboard last ran
            return sales_table(self._dash, scope, self._clock())
        if kind == "profit":
            return profit_table(self._settlements, scope, self._clock())
        return report_rows_table(self._db.reports, run_id)


def _with_note(table: Table) -> Callable[[], list[Row]]:
    """The totals, then the table's note (what the data covers) as a last line of its own."""
    if not table.note:
        return table.totals
    line: Row = [table.note, *([""] * (len(table.columns) - 1))]
    return lambda: [*table.totals(), line]
