"""Orders tab: searchable table of synced orders, and one order's items, totals and buyer data.

Buyer data is masked until the seller reveals it; every reveal is audited. A sync updates
the table in place: the selection, the detail pane and a revealed address stay.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QTableView,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.changes import Changes, Ids
from kinxpro_desktop.core.vocabulary import Channel, OrderStatus
from kinxpro_desktop.services.views import OrderDetail, OrderFilter
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.orders import PLACED_COLUMN, OrdersTableModel
from kinxpro_desktop.ui.tabs.data_tab import DataTab
from kinxpro_desktop.ui.widgets.order_detail import MASKED, OrderDetailPane
from kinxpro_desktop.ui.widgets.tables import setup_table

__all__ = ["MASKED", "OrderDetailPane", "OrdersTab"]


class OrdersTab(DataTab):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Orders", ctx, parent)
        self.model = OrdersTableModel(ctx.runner, ctx.views, self)

        self.search = QLineEdit()
        self.search.setObjectName("ordersSearch")
        self.search.setPlaceholderText("Search order id, SKU, ASIN or product (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search_as_you_type(self.search)
        self.status_combo = QComboBox()
        self.status_combo.addItem("Any status", "")
        for status in OrderStatus:
            self.status_combo.addItem(status.label, status.value)
        self.status_combo.currentIndexChanged.connect(self.apply_filter)
        self.channel_combo = QComboBox()
        self.channel_combo.addItem("Any channel", "")
        for channel in Channel:
            self.channel_combo.addItem(channel.label, channel.value)
        self.channel_combo.currentIndexChanged.connect(self.apply_filter)
        self.needs_shipping = QCheckBox("&Needs shipping")
        self.needs_shipping.setToolTip("Merchant-fulfilled orders that are not shipped yet")
        self.needs_shipping.toggled.connect(self.apply_filter)
        self.count_label = QLabel("")
        self.count_label.setObjectName("countLabel")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.channel_combo)
        bar.addWidget(self.needs_shipping)
        bar.addWidget(self.count_label, 1, Qt.AlignmentFlag.AlignRight)

        self.table = QTableView()
        self.table.setObjectName("ordersTable")
        self.table.setModel(self.model)
        setup_table(self.table, self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.sortByColumn(PLACED_COLUMN, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.detail = OrderDetailPane(ctx)
        self.split = QSplitter()
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.table)
        self.detail_scroll = QScrollArea()
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.detail_scroll.setWidget(self.detail)  # a small window scrolls the pane
        self.split.addWidget(self.detail_scroll)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([880, 400])  # the table's key columns fit at the default size
        self._reselect: str | None = None

        self.set_content(bar, self.split, self.model)

    def current_filter(self) -> OrderFilter:
        return OrderFilter(
            text=self.search.text().strip(),
            status=self.status_combo.currentData() or "",
            channel=self.channel_combo.currentData() or "",
            needs_shipping=self.needs_shipping.isChecked(),
        )

    def apply_filter(self) -> None:
        self.search_timer.stop()
        self.model.set_filter(self.current_filter())

    def is_filtered(self) -> bool:
        return self.current_filter() != OrderFilter()

    def changed_ids(self, changes: Changes) -> tuple[bool, Ids]:
        return Changes.touches(changes.orders), changes.orders

    def _remember_selection(self) -> None:
        self._reselect = self.detail.order_id

    def on_loaded(self, total: int) -> None:
        self.count_label.setText(fmt.plural(total, "order"))
        selected = self.table.selectionModel().selectedRows()
        if selected:
            self._refresh_detail(changed=True)
            return
        # after a filter or sort change: keep the same order selected if it is still listed
        row = self.model.row_of(self._reselect) if self._reselect else None
        self._reselect = None
        if row is not None:
            self.select_row(row)
        else:
            self.detail.show_detail(None)

    def select_row(self, row: int) -> None:
        self.table.selectionModel().select(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(self.model.index(row, 0))

    def _refresh_detail(self, changed: bool) -> None:
        """Re-read the selected order after a sync (the pane keeps a revealed address)."""
        order_id = self.detail.order_id
        if order_id is None or not changed:
            return
        self._ctx.runner.submit(
            self._ctx.views.order_detail,
            order_id,
            on_done=self._detail_loaded,
            on_error=lambda exc: self.detail.show_error(exc),
        )

    def _detail_loaded(self, detail: OrderDetail) -> None:
        selected = self.table.selectionModel().selectedRows()
        key = self.model.key_at(selected[0].row()) if selected else None
        if key == detail.order.order_id:
            self.detail.show_detail(detail)

    def _selection_changed(self, selected: QItemSelection, _old: QItemSelection) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        order_id = self.model.key_at(rows[0]) if rows else None
        if order_id is None:
            self.detail.show_detail(None)
            return
        if order_id == self.detail.order_id:
            return
        self.detail.loading(order_id)
        self._ctx.runner.submit(
            self._ctx.views.order_detail,
            order_id,
            on_done=self._detail_loaded,
            on_error=lambda exc: self.detail.show_error(exc),
        )
