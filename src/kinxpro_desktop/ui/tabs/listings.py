"""Listings tab: every listing with price, quantity, status and issues."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.changes import Changes, Ids
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.listings import ListingsTableModel
from kinxpro_desktop.ui.tabs.data_tab import DataTab
from kinxpro_desktop.ui.widgets.tables import setup_table


class ListingsTab(DataTab):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Listings", ctx, parent)
        self.model = ListingsTableModel(ctx.runner, ctx.views, self)
        self.search = QLineEdit()
        self.search.setObjectName("listingsSearch")
        self.search.setPlaceholderText("Search SKU, ASIN or title (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search_as_you_type(self.search)
        self.issues_only = QCheckBox("Only listings with &issues")
        self.issues_only.toggled.connect(self.apply_filter)
        self.count_label = QLabel("")
        self.count_label.setObjectName("countLabel")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.issues_only)
        bar.addWidget(self.count_label, 1, Qt.AlignmentFlag.AlignRight)
        self.table = QTableView()
        self.table.setObjectName("listingsTable")
        self.table.setModel(self.model)
        setup_table(self.table, self.model)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.set_content(bar, self.table, self.model)

    def apply_filter(self) -> None:
        self.search_timer.stop()
        self.model.set_filter(self.search.text().strip(), self.issues_only.isChecked())

    def is_filtered(self) -> bool:
        return bool(self.search.text().strip()) or self.issues_only.isChecked()

    def changed_ids(self, changes: Changes) -> tuple[bool, Ids]:
        return Changes.touches(changes.listings), changes.listings

    def on_loaded(self, total: int) -> None:
        self.count_label.setText(fmt.plural(total, "listing"))
