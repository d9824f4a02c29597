"""The profit view: fees, refunds and net proceeds per SKU from settlements, one currency's
rows after another (never added across currencies), each currency closed by its total. Every
money cell is one click (or Enter) away from the settlement lines that make it up."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.services.dashboard import ProfitRow
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.rows import RowsModel

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


class ProfitView(QWidget):
    breakdown_requested = Signal(str, str, object)  # measure, currency, sku (None = all)

    def __init__(self, parent: QWidget | None = None) -> None:
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
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
