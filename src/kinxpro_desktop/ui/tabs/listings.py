"""Listings tab: every listing with price, quantity, status and issues."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.ui.models.listings import ListingsTableModel
from kinxpro_desktop.ui.tabs.data_tab import DataTab


class ListingsTab(DataTab):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Listings", ctx, parent)
        self.model = ListingsTableModel(ctx.runner, ctx.views, self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search SKU, ASIN or title…")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.apply_filter)
        self.search.textChanged.connect(lambda t: self.apply_filter() if not t else None)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        self.issues_only = QCheckBox("Only listings with &issues")
        self.issues_only.toggled.connect(self.apply_filter)
        self.count_label = QLabel("")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.issues_only)
        bar.addWidget(self.count_label, 1, Qt.AlignmentFlag.AlignRight)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.set_content(bar, self.table, self.model)

    def apply_filter(self) -> None:
        self.model.set_filter(self.search.text(), self.issues_only.isChecked())

    def is_filtered(self) -> bool:
        return bool(self.search.text()) or self.issues_only.isChecked()

    def on_loaded(self, total: int) -> None:
        self.count_label.setText(f"{total:,} listings")
