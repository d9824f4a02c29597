"""The settlement lines behind one total of the dashboard (a per-SKU fee, refund or net cell of
the profit view, or a tile's fees, refunds or net proceeds): posted time in the marketplace's
own time zone, order, transaction, amount type and description, amount. The lines are read on
the task runner; their total is the figure that was clicked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.services.dashboard import Breakdown
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.rows import RowsModel

Index = QModelIndex | QPersistentModelIndex
Loader = Callable[[], Breakdown]

COLUMNS = ("Posted (marketplace time)", "Order", "Transaction", "Amount type", "Description")
HEADERS = (*COLUMNS, "SKU", "Amount")


def posted_text(moment: datetime | None, day: str) -> str:
    """A posted time as the seller's locale writes it, in the marketplace's zone ("11/24/26
    2:11 AM PST"); the bare date when the settlement gives only a date."""
    loc = QLocale()
    if moment is None:
        d = QDate.fromString(day, "yyyy-MM-dd")
        return loc.toString(d, QLocale.FormatType.ShortFormat) if d.isValid() else day
    when = QDateTime(
        QDate(moment.year, moment.month, moment.day),
        QTime(moment.hour, moment.minute, moment.second),
    )
    return f"{loc.toString(when, QLocale.FormatType.ShortFormat)} {moment.strftime('%Z')}".strip()


class BreakdownModel(RowsModel):
    COLUMNS = HEADERS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.breakdown: Breakdown | None = None

    def set_breakdown(self, breakdown: Breakdown) -> None:
        self.beginResetModel()
        self.breakdown = breakdown
        self.endResetModel()

    def row_count(self) -> int:
        return 0 if self.breakdown is None else len(self.breakdown.lines)

    def text(self, row: int, column: int) -> str:
        assert self.breakdown is not None
        ln = self.breakdown.lines[row]
        values = (
            posted_text(ln.posted_at, ln.day),
            ln.order_id,
            ln.transaction_type,
            ln.amount_type,
            ln.amount_description,
            ln.sku,
            fmt.money(ln.amount),
        )
        return values[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.breakdown is None:
            return None
        if index.row() >= len(self.breakdown.lines):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == len(HEADERS) - 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ProfitBreakdownDialog(QDialog):
    loaded = Signal(object)  # Breakdown
    failed = Signal(str)

    def __init__(self, ctx: AppContext, load: Loader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._load = load
        self.breakdown: Breakdown | None = None
        self.setObjectName("profitBreakdown")
        self.setWindowTitle("Settlement lines")
        self.resize(860, 460)
        self.heading = QLabel("Loading settlement lines…")
        self.heading.setObjectName("breakdownHeading")
        self.heading.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("breakdownNote")
        self.note.setWordWrap(True)
        self.model = BreakdownModel(self)
        self.table = QTableView()
        self.table.setObjectName("breakdownTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)  # the description
        self.total = QLabel()
        self.total.setObjectName("breakdownTotal")
        self.copy = QPushButton("Copy lines")
        self.copy.setObjectName("breakdownCopy")
        self.copy.setToolTip("Copy the lines as tab-separated text (pastes into a spreadsheet)")
        self.copy.setEnabled(False)
        self.copy.clicked.connect(self.copy_lines)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total)
        layout.addWidget(buttons)

    def start(self) -> None:
        """Read the lines on the task runner; the dialog shows them when they arrive."""
        self._ctx.runner.submit(self._load, on_done=self._loaded, on_error=self._error)

    def _loaded(self, breakdown: Breakdown) -> None:
        self.breakdown = breakdown
        self.setWindowTitle(breakdown.title)
        self.heading.setText(breakdown.title)
        self.note.setText(breakdown.note)
        self.model.set_breakdown(breakdown)
        self.table.setVisible(bool(breakdown.lines))
        self.copy.setEnabled(bool(breakdown.lines))
        n = len(breakdown.lines)
        self.total.setText(
            f"Total {fmt.money(breakdown.total)} from {fmt.plural(n, 'settlement line')}"
            if n
            else "No settlement line makes up this total."
        )
        self.loaded.emit(breakdown)

    def _error(self, exc: BaseException) -> None:
        message = (
            exc.message if isinstance(exc, UserError) else "The settlement lines could not load."
        )
        self.heading.setText(message)
        self.failed.emit(message)

    def copy_lines(self) -> None:
        rows = ["\t".join(HEADERS)]
        for r in range(self.model.rowCount()):
            rows.append("\t".join(self.model.text(r, c) for c in range(len(HEADERS))))
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText("\n".join(rows) + "\n")
