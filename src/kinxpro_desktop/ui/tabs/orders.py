"""Orders tab: searchable table of synced orders, and one order's items, totals and buyer data.

Buyer data is masked until the seller reveals it; every reveal is audited.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import OrderPii
from kinxpro_desktop.services.views import OrderDetail, OrderFilter
from kinxpro_desktop.ui.models.orders import CHANNEL, OrdersTableModel
from kinxpro_desktop.ui.tabs.data_tab import DataTab

MASKED = "•••• masked ••••"


class OrderDetailPane(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.order_id: str | None = None
        layout = QVBoxLayout(self)
        self.title = QLabel("Select an order to see its items and totals.")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        info = QFormLayout()
        self.status_label = QLabel()
        self.channel_label = QLabel()
        self.ship_by_label = QLabel()
        self.ship_to_label = QLabel()
        self.total_label = QLabel()
        info.addRow("Status:", self.status_label)
        info.addRow("Fulfilled by:", self.channel_label)
        info.addRow("Ship by:", self.ship_by_label)
        info.addRow("Ship to:", self.ship_to_label)
        info.addRow("Order total:", self.total_label)
        layout.addLayout(info)
        self.items = QTableWidget(0, 5)
        self.items.setHorizontalHeaderLabels(["SKU", "Product", "Qty", "Price", "Tax"])
        self.items.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.items.verticalHeader().setVisible(False)
        self.items.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.items, 1)

        buyer = QGroupBox("Buyer and shipping address")
        bl = QFormLayout(buyer)
        self.buyer_note = QLabel("")
        self.buyer_note.setWordWrap(True)
        bl.addRow(self.buyer_note)
        self.name_label = QLabel(MASKED)
        self.address_label = QLabel(MASKED)
        self.address_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.contact_label = QLabel(MASKED)
        bl.addRow("Recipient:", self.name_label)
        bl.addRow("Address:", self.address_label)
        bl.addRow("Contact:", self.contact_label)
        self.reveal_button = QPushButton("&Reveal buyer data")
        self.reveal_button.setToolTip("Shows the buyer's name and address; the reveal is audited.")
        self.reveal_button.clicked.connect(self.reveal)
        bl.addRow(self.reveal_button)
        layout.addWidget(buyer)
        self.show_detail(None)

    def show_detail(self, detail: OrderDetail | None) -> None:
        self._mask()
        if detail is None:
            self.order_id = None
            self.title.setText("Select an order to see its items and totals.")
            for label in (
                self.status_label,
                self.channel_label,
                self.ship_by_label,
                self.ship_to_label,
                self.total_label,
            ):
                label.setText("")
            self.items.setRowCount(0)
            self.buyer_note.setText("")
            self.reveal_button.setEnabled(False)
            return
        o = detail.order
        self.order_id = o.order_id
        self.title.setText(f"<b>Order {o.order_id}</b> placed {o.purchase_date:%Y-%m-%d %H:%M} UTC")
        self.status_label.setText(o.status)
        self.channel_label.setText(CHANNEL.get(o.fulfillment_channel, o.fulfillment_channel))
        self.ship_by_label.setText(f"{o.ship_by:%Y-%m-%d}" if o.ship_by else "")
        self.ship_to_label.setText(
            ", ".join(
                p for p in (o.ship_city, o.ship_state, o.ship_postal_code, o.ship_country) if p
            )
        )
        self.total_label.setText(f"{o.order_total.amount:,.2f} {o.order_total.currency}")
        self.items.setRowCount(len(o.items))
        for row, item in enumerate(o.items):
            values = (
                item.sku,
                item.title,
                str(item.quantity_ordered),
                f"{item.item_price.amount:,.2f}",
                f"{item.item_tax.amount:,.2f}",
            )
            for col, value in enumerate(values):
                self.items.setItem(row, col, QTableWidgetItem(value))
        if detail.has_buyer_data:
            expires = detail.buyer_data_expires
            self.buyer_note.setText(
                "Held only to ship this order; deleted automatically"
                + (f" on {expires:%Y-%m-%d}." if expires else ".")
            )
            self.reveal_button.setEnabled(True)
        else:
            self.buyer_note.setText(
                "No buyer data is held for this order. Kinxpro fetches it only for "
                "merchant-fulfilled orders awaiting shipment, and deletes it when the retention "
                "window ends."
            )
            self.reveal_button.setEnabled(False)

    def _mask(self) -> None:
        for label in (self.name_label, self.address_label, self.contact_label):
            label.setText(MASKED)

    def reveal(self) -> None:
        if self.order_id is None:
            return
        order_id = self.order_id
        self.reveal_button.setEnabled(False)
        self._ctx.runner.submit(
            self._ctx.views.reveal_buyer_data,
            order_id,
            self._ctx.actor,
            on_done=lambda pii: self._revealed(order_id, pii),
            on_error=self._reveal_failed,
        )

    def _revealed(self, order_id: str, pii: OrderPii) -> None:
        if order_id != self.order_id:
            return  # the selection moved on: keep the new order masked
        self.name_label.setText(pii.recipient_name + (f" ({pii.company})" if pii.company else ""))
        lines = [pii.address_line1, pii.address_line2, pii.address_line3, self.ship_to_label.text()]
        self.address_label.setText("\n".join(line for line in lines if line))
        self.contact_label.setText(" · ".join(v for v in (pii.buyer_phone, pii.buyer_email) if v))
        self._ctx.events.audit_changed.emit()

    def _reveal_failed(self, exc: BaseException) -> None:
        self.reveal_button.setEnabled(True)
        message = (
            exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}; see the log"
        )
        self.buyer_note.setText(message)


class OrdersTab(DataTab):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Orders", ctx, parent)
        self.model = OrdersTableModel(ctx.runner, ctx.views, self)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search order id, SKU, ASIN or product…")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self.apply_filter() if not _t else None)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        self.status_combo = QComboBox()
        self.status_combo.addItem("Any status", "")
        for status in ("Pending", "Unshipped", "PartiallyShipped", "Shipped", "Canceled"):
            self.status_combo.addItem(status, status)
        self.status_combo.currentIndexChanged.connect(self.apply_filter)
        self.channel_combo = QComboBox()
        for label, value in (("Any channel", ""), ("Merchant", "MFN"), ("Amazon (FBA)", "AFN")):
            self.channel_combo.addItem(label, value)
        self.channel_combo.currentIndexChanged.connect(self.apply_filter)
        self.needs_shipping = QCheckBox("&Needs shipping")
        self.needs_shipping.toggled.connect(self.apply_filter)
        self.count_label = QLabel("")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.channel_combo)
        bar.addWidget(self.needs_shipping)
        bar.addWidget(self.count_label, 1, Qt.AlignmentFlag.AlignRight)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.detail = OrderDetailPane(ctx)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.set_content(bar, split, self.model)

    def current_filter(self) -> OrderFilter:
        return OrderFilter(
            text=self.search.text(),
            status=self.status_combo.currentData() or "",
            channel=self.channel_combo.currentData() or "",
            needs_shipping=self.needs_shipping.isChecked(),
        )

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())

    def is_filtered(self) -> bool:
        return self.current_filter() != OrderFilter()

    def on_loaded(self, total: int) -> None:
        self.count_label.setText(f"{total:,} orders")
        self.detail.show_detail(None)

    def _selection_changed(self, selected: QItemSelection, _old: QItemSelection) -> None:
        rows = {i.row() for i in selected.indexes()}
        row = self.model.order_at(min(rows)) if rows else None
        if row is None:
            self.detail.show_detail(None)
            return
        self._ctx.runner.submit(
            self._ctx.views.order_detail,
            row.order_id,
            on_done=self.detail.show_detail,
            on_error=lambda exc: self._ctx.events.status_message.emit(str(exc)),
        )
