"""The Orders table: columns over OrderRow pages."""

from __future__ import annotations

from kinxpro_desktop.services.views import OrderFilter, OrderRow, ViewService
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui.models.paged import Column, PagedTableModel

CHANNEL = {"MFN": "Merchant", "AFN": "Amazon (FBA)"}

COLUMNS = (
    Column("Order", "order_id", lambda r: r.order_id),
    Column("Placed (UTC)", "purchase_date", lambda r: r.purchase_date[:16].replace("T", " ")),
    Column("Status", "status", lambda r: r.status),
    Column(
        "Fulfilled by",
        "fulfillment_channel",
        lambda r: CHANNEL.get(r.fulfillment_channel, r.fulfillment_channel),
    ),
    Column("Items", None, lambda r: str(r.item_count), align_right=True),
    Column(
        "Total", "total", lambda r: f"{r.total.amount:,.2f} {r.total.currency}", align_right=True
    ),
    Column("Ship to", None, lambda r: r.ship_to),
    Column("Ship by", "ship_by", lambda r: r.ship_by[:10]),
    Column("Buyer data", None, lambda r: "held" if r.has_buyer_data else ""),
)


class OrdersTableModel(PagedTableModel):
    def __init__(self, runner: TaskRunner, views: ViewService, parent=None) -> None:
        self.filter = OrderFilter()
        self._views = views
        super().__init__(
            runner,
            COLUMNS,
            count=lambda: views.count_orders(self.filter),
            page=lambda sort, desc, off, lim: views.order_page(self.filter, sort, desc, off, lim),
            default_sort=("purchase_date", True),
            parent=parent,
        )

    def set_filter(self, f: OrderFilter) -> None:
        self.filter = f
        self.reload()

    def order_at(self, row: int) -> OrderRow | None:
        return self.row_object(row)
