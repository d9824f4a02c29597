"""The Orders table: columns over OrderRow, keyed by order id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import AWAITING_SHIPMENT, Channel, status_label
from kinxpro_desktop.services.views import OrderFilter, OrderRow, ViewService
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.paged import Column, PagedTableModel


def channel_label(value: str) -> str:
    try:
        return Channel(value).label
    except ValueError:
        return value


def is_late(r: OrderRow) -> bool:
    return (
        r.fulfillment_channel == Channel.MFN
        and r.status in AWAITING_SHIPMENT
        and r.ship_by is not None
        and r.ship_by < utcnow()
    )


def order_chip(r: OrderRow) -> str:
    """Chip kind for the status column: late and unshipped stand out, done is quiet."""
    if is_late(r):
        return "late"
    if r.status in AWAITING_SHIPMENT:
        return "warn" if r.fulfillment_channel == Channel.MFN else "info"  # FBA: Amazon ships
    if r.status == "Shipped":
        return "ok"
    if r.status in ("Canceled", "Unfulfillable"):
        return "muted"
    return "info"


def order_status_text(r: OrderRow) -> str:
    return ("Late · " if is_late(r) else "") + status_label(r.status)


def _buyer_data(r: OrderRow) -> str:
    return "Held" if r.has_buyer_data else ""


def _sample_datetime() -> str:
    return fmt.local_datetime(datetime(2026, 12, 28, 22, 58, tzinfo=UTC))


def _sample_date() -> str:
    return fmt.local_date(datetime(2026, 12, 28, 22, 58, tzinfo=UTC))


COLUMNS = (
    Column("Order", "order_id", lambda r: r.order_id, width_sample="000-0000000-0000000"),
    Column(
        "Placed",
        "purchase_date",
        lambda r: fmt.local_datetime(r.purchase_date),
        width_sample=_sample_datetime,
    ),
    Column(
        "Status",
        "status",
        order_status_text,
        chip=order_chip,
        width_sample="Partially shipped",
    ),
    Column("Ship by", "ship_by", lambda r: fmt.local_date(r.ship_by), width_sample=_sample_date),
    Column(
        "Total",
        "total",
        lambda r: fmt.money(r.total),
        align_right=True,
        width_sample="0,000.00 USD",
    ),
    Column(
        "Items", None, lambda r: fmt.number(r.item_count), align_right=True, width_sample="Items"
    ),
    Column(
        "Fulfilled by",
        "fulfillment_channel",
        lambda r: channel_label(r.fulfillment_channel),
        width_sample="Merchant (FBM)",
    ),
    Column("Ship to", None, lambda r: r.ship_to, width_sample="Springfield, IL, US"),
    Column(
        "Buyer data",
        None,
        _buyer_data,
        tooltip=lambda r: (
            "Buyer name and address held to ship this order"
            if r.has_buyer_data
            else "No buyer data held"
        ),
    ),
)
PLACED_COLUMN = 1


class OrdersTableModel(PagedTableModel):
    def __init__(self, runner: TaskRunner, views: ViewService, parent: Any = None) -> None:
        self.filter = OrderFilter()
        self._views = views
        super().__init__(
            runner,
            COLUMNS,
            keys=lambda sort, desc, stop: views.order_keys(self.filter, sort, desc, stop),
            rows=views.orders_by_id,
            default_sort=("purchase_date", True),
            change_id=lambda r: r.order_id,
            parent=parent,
            head=lambda sort, desc, limit: views.order_head(self.filter, sort, desc, limit),
            interruptible_keys=True,
        )

    def set_filter(self, f: OrderFilter) -> None:
        if f == self.filter:
            return
        self.filter = f
        self.reload()

    def order_at(self, row: int) -> OrderRow | None:
        obj = self.row_object(row)
        return obj if isinstance(obj, OrderRow) else None
