"""One order: status, dates, items with prices, totals that add up, and buyer data.

Buyer data is masked until revealed (audited), and "masked" is shown only where buyer data
IS held; otherwise the pane says why there is none. Revealing and hiding never change the
pane's size, so the splitter stays where the seller put it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.marketplaces import by_id
from kinxpro_desktop.core.models import OrderPii
from kinxpro_desktop.core.retention import expires_at
from kinxpro_desktop.core.vocabulary import status_label
from kinxpro_desktop.services.views import OrderDetail
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.orders import channel_label

MASKED = "•••• masked ••••"
NONE_HELD = "—"
ADDRESS_LINES = 4


def _label(selectable: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    # Ignored: long text wraps instead of widening the pane (which would move the splitter).
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class OrderDetailPane(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderDetail")
        self.setMinimumWidth(320)
        self._ctx = ctx
        self.order_id: str | None = None
        self.revealed = False
        self.detail: OrderDetail | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        self.title = _label()
        self.title.setObjectName("detailTitle")
        layout.addWidget(self.title)
        info = QFormLayout()
        self.status_label = _label()
        self.channel_label = _label()
        self.market_label = _label()
        self.ship_by_label = _label()
        self.deliver_by_label = _label()
        self.ship_to_label = _label()
        info.addRow("Status:", self.status_label)
        info.addRow("Fulfilled by:", self.channel_label)
        info.addRow("Marketplace:", self.market_label)
        info.addRow("Ship by:", self.ship_by_label)
        info.addRow("Deliver by:", self.deliver_by_label)
        info.addRow("Ship to:", self.ship_to_label)
        layout.addLayout(info)
        self.items = QTableWidget(0, 5)
        self.items.setObjectName("detailItems")
        self.items.setHorizontalHeaderLabels(["SKU", "Product", "Qty", "Price", "Tax"])
        self.items.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in (0, 2, 3, 4):
            self.items.horizontalHeader().setSectionResizeMode(
                col, QHeaderView.ResizeMode.ResizeToContents
            )
        self.items.verticalHeader().setVisible(False)
        self.items.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.items.setWordWrap(False)
        layout.addWidget(self.items)
        self._fit_items(0)

        totals = QFormLayout()
        totals.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.items_total_label = QLabel()
        self.tax_label = QLabel()
        self.other_label = QLabel()
        self.other_label.setToolTip(
            "The order total minus item prices and item tax: shipping, gift wrap and promotion "
            "discounts, which Amazon includes in the order total."
        )
        self.total_label = QLabel()
        self.total_label.setObjectName("orderTotal")
        for label in (self.items_total_label, self.tax_label, self.other_label, self.total_label):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        totals.addRow("Items:", self.items_total_label)
        totals.addRow("Item tax:", self.tax_label)
        totals.addRow("Shipping, discounts and other:", self.other_label)
        totals.addRow("<b>Order total:</b>", self.total_label)
        layout.addLayout(totals)

        buyer = QGroupBox("Buyer and shipping address")
        buyer.setObjectName("buyerBox")
        bl = QFormLayout(buyer)
        self.buyer_note = _label()
        bl.addRow(self.buyer_note)
        self.name_label = _label(selectable=True)
        self.address_label = _label(selectable=True)
        line = self.address_label.fontMetrics().lineSpacing()
        self.address_label.setFixedHeight(line * ADDRESS_LINES + 4)  # room for the address
        self.address_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.contact_label = _label(selectable=True)
        bl.addRow("Recipient:", self.name_label)
        bl.addRow("Address:", self.address_label)
        bl.addRow("Contact:", self.contact_label)
        self.reveal_button = QPushButton("&Reveal buyer data")
        self.reveal_button.setToolTip("Shows the buyer's name and address; the reveal is audited.")
        self.reveal_button.clicked.connect(self.reveal)
        self.hide_button = QPushButton("&Hide")
        self.hide_button.setToolTip("Mask the buyer data again")
        self.hide_button.clicked.connect(self.hide_buyer_data)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reveal_button)
        buttons.addWidget(self.hide_button)
        buttons.addStretch(1)
        bl.addRow(buttons)
        layout.addWidget(buyer)
        layout.addStretch(1)
        self.show_detail(None)

    def _fit_items(self, rows: int) -> None:
        """The items table is as tall as its rows (3 to 8 visible), not a blank expanse."""
        row_h = self.items.verticalHeader().defaultSectionSize()
        header_h = self.items.horizontalHeader().sizeHint().height()
        shown = min(max(rows, 3), 8)
        self.items.setFixedHeight(header_h + row_h * shown + 2 * self.items.frameWidth() + 2)

    # -- showing ---------------------------------------------------------------------------
    def loading(self, order_id: str) -> None:
        self.order_id = order_id
        self.revealed = False
        self.title.setText(f"<b>Order {order_id}</b> …")
        self._set_buyer(NONE_HELD, "")
        self.reveal_button.setEnabled(False)
        self.hide_button.setEnabled(False)

    def show_error(self, exc: BaseException) -> None:
        text = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}; see the log"
        self.title.setText(text)

    def show_detail(self, detail: OrderDetail | None) -> None:
        keep_revealed = (
            detail is not None
            and self.revealed
            and detail.order.order_id == self.order_id
            and detail.has_buyer_data
        )
        self.detail = detail
        if detail is None:
            self.order_id = None
            self.revealed = False
            self.title.setText("Select an order to see its items and totals.")
            for label in (
                self.status_label,
                self.channel_label,
                self.market_label,
                self.ship_by_label,
                self.deliver_by_label,
                self.ship_to_label,
                self.items_total_label,
                self.tax_label,
                self.other_label,
                self.total_label,
            ):
                label.setText("")
            self.items.setRowCount(0)
            self._set_buyer("", "")
            self.reveal_button.setEnabled(False)
            self.hide_button.setEnabled(False)
            return
        o = detail.order
        self.order_id = o.order_id
        self.title.setText(
            f"<b>Order {o.order_id}</b><br>placed {fmt.local_datetime(o.purchase_date)}"
        )
        self.status_label.setText(status_label(o.status))
        self.channel_label.setText(channel_label(o.fulfillment_channel))
        m = by_id(o.marketplace_id)
        self.market_label.setText(m.label if m else o.marketplace_id)
        self.ship_by_label.setText(fmt.local_datetime(o.ship_by) if o.ship_by else "")
        self.deliver_by_label.setText(fmt.local_datetime(o.deliver_by) if o.deliver_by else "")
        self.ship_to_label.setText(
            ", ".join(
                p for p in (o.ship_city, o.ship_state, o.ship_postal_code, o.ship_country) if p
            )
        )
        self.items.setRowCount(len(o.items))
        self._fit_items(len(o.items))
        for row, item in enumerate(o.items):
            values = (
                (item.sku, False),
                (item.title, False),
                (fmt.number(item.quantity_ordered), True),
                (fmt.money(item.item_price), True),
                (fmt.money(item.item_tax), True),
            )
            for col, (value, right) in enumerate(values):
                cell = QTableWidgetItem(value)
                if right:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if col == 1:
                    cell.setToolTip(item.title)
                self.items.setItem(row, col, cell)
        t = detail.totals
        self.items_total_label.setText(fmt.money(t.items))
        self.tax_label.setText(fmt.money(t.tax))
        self.other_label.setText(fmt.money(t.other))
        self.total_label.setText(f"<b>{fmt.money(t.order_total)}</b>")
        self._show_buyer_state(detail, keep_revealed)

    def _show_buyer_state(self, detail: OrderDetail, keep_revealed: bool) -> None:
        if detail.has_buyer_data:
            expires = detail.buyer_data_expires
            self.buyer_note.setText(
                "Held only to ship this order; deleted automatically"
                + (f" on {fmt.local_date(expires)}." if expires else ".")
            )
            if not keep_revealed:
                self.revealed = False
                self._set_buyer(MASKED, MASKED)
            self.reveal_button.setEnabled(not self.revealed)
            self.hide_button.setEnabled(self.revealed)
            return
        self.revealed = False
        days = fmt.plural(detail.retention_days, "day")
        if detail.past_retention:
            deleted = expires_at(detail.order.purchase_date, detail.retention_days)
            note = (
                f"Buyer data deleted on {fmt.local_date(deleted)} under the "
                f"{detail.retention_days}-day policy (removed {days} after the order was placed)."
            )
        elif detail.fetches_buyer_data:
            note = (
                "No buyer data held for this order yet: it is fetched at the next sync, "
                "because the order is waiting to be shipped."
            )
        else:
            note = (
                "No buyer data held for this order. Kinxpro fetches it only for "
                "merchant-fulfilled orders awaiting shipment."
            )
        self.buyer_note.setText(note)
        self._set_buyer(NONE_HELD, NONE_HELD)
        self.reveal_button.setEnabled(False)
        self.hide_button.setEnabled(False)

    def _set_buyer(self, name: str, rest: str) -> None:
        self.name_label.setText(name)
        self.address_label.setText(rest)
        self.contact_label.setText(rest)

    # -- reveal / hide ---------------------------------------------------------------------
    def hide_buyer_data(self) -> None:
        if self.detail is not None and self.detail.has_buyer_data:
            self.revealed = False
            self._set_buyer(MASKED, MASKED)
            self.reveal_button.setEnabled(True)
            self.hide_button.setEnabled(False)

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
        self.revealed = True
        self.name_label.setText(pii.recipient_name + (f" ({pii.company})" if pii.company else ""))
        lines = [pii.address_line1, pii.address_line2, pii.address_line3, self.ship_to_label.text()]
        self.address_label.setText("\n".join(line for line in lines if line))
        self.contact_label.setText(" · ".join(v for v in (pii.buyer_phone, pii.buyer_email) if v))
        self.hide_button.setEnabled(True)
        self._ctx.events.audit_changed.emit()

    def _reveal_failed(self, exc: BaseException) -> None:
        self.reveal_button.setEnabled(True)
        message = (
            exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}; see the log"
        )
        self.buyer_note.setText(message)
