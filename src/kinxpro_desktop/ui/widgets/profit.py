"""The profit view: fees, refunds and net proceeds per SKU from settlements, one currency's
rows after another (never added across currencies), each currency closed by its total. Every
money cell is one click (or Enter) away from the settlement lines that make it up; its Export
button writes the same rows (CSV, Excel, PDF) for the period and marketplace shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.services.dashboard import Dashboard, ProfitRow
from kinxpro_desktop.services.exports import ExportScope, ProfitScope
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.rows import RowsModel
from kinxpro_desktop.ui.widgets.export_button import ChoosePath, ExportButton

Index = QModelIndex | QPersistentModelIndex

#: (header, measure or None)
COLUMNS = (
    ("SKU", None),
    ("Currency", None),
    ("Sales", "sales"),
    ("Fees", "fees"),
    ("Refunds", "refunds"),
    ("Net proceeds", "net"),
)
CLICK_HINT = "Click or press Enter to see the settlement lines behind this total"


class ProfitModel(RowsModel):
    COLUMNS = tuple(title for title, _measure in COLUMNS)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[ProfitRow, ...] = ()

    def set_rows(self, rows: tuple[ProfitRow, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_count(self) -> int:
        return len(self.rows)

    def cell(self, index: Index) -> tuple[str, str, str | None] | None:
        """(measure, currency, sku) behind a money cell (sku None: the currency's total, ""
        the lines without a SKU); None for the other columns."""
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        measure = COLUMNS[index.column()][1]
        if measure is None:
            return None
        row = self.rows[index.row()]
        return measure, row.currency, None if row.kind == "total" else row.sku

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        measure = COLUMNS[index.column()][1]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return {"total": f"Total {row.currency}", "other": "Other (no SKU)"}.get(
                    row.kind, row.sku
                )
            if index.column() == 1:
                return row.currency
            return fmt.money(row.value(measure or "net"))
        if role == Qt.ItemDataRole.TextAlignmentRole and measure is not None:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.kind == "total":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and measure is not None:
            return CLICK_HINT
        return None


class ProfitTable(QTableView):
    """A table whose money cells open their breakdown on a click or on Enter/Return."""

    chosen = Signal(object)  # QModelIndex

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clicked.connect(self.chosen.emit)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.chosen.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


def profit_scope(dash: Dashboard | None) -> ExportScope:
    """What the profit view shows, for its export: the dashboard's period key and the moment
    it was loaded at (each marketplace's own days, as the view took them) and its marketplace."""
    if dash is None:
        return ExportScope()
    return ProfitScope(
        start=dash.start,
        end=dash.end,
        marketplace_id=dash.marketplace_id or None,
        period=dash.period,
        as_of=dash.as_of,
    )


class ProfitView(QWidget):
    """`ctx` and `dashboard` (the dashboard shown) give the view its Export button."""

    breakdown_requested = Signal(str, str, object)  # measure, currency, sku (None = all)

    def __init__(
        self,
        ctx: AppContext | None = None,
        dashboard: Callable[[], Dashboard | None] = lambda: None,
        parent: QWidget | None = None,
        *,
        choose_path: ChoosePath | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardProfit")
        self.title = QLabel("<b>Profit by SKU (settlements)</b>")
        self.note = QLabel()
        self.note.setObjectName("profitNote")
        self.note.setWordWrap(True)
        self.model = ProfitModel(self)
        self.table = ProfitTable()
        self.table.setObjectName("profitTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(180)
        self.table.setToolTip(CLICK_HINT)
        self.table.chosen.connect(self._chosen)
        self.export: ExportButton | None = None
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        if ctx is not None:
            self.export = ExportButton(
                ctx, "profit", lambda: profit_scope(dashboard()), choose_path=choose_path
            )
            self.export.setText("Export profit")
            self.export.setToolTip(
                "Export fees, refunds and net proceeds per SKU for this period to CSV, Excel or PDF"
            )
            head.addWidget(self.export)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.note)
        layout.addWidget(self.table)

    def show_profit(self, rows: tuple[ProfitRow, ...], note: str) -> None:
        self.model.set_rows(rows)
        self.note.setText(note)
        self.table.setVisible(bool(rows))

    def _chosen(self, index: QModelIndex) -> None:
        cell = self.model.cell(index)
        if cell is not None:
            self.breakdown_requested.emit(*cell)
