"""The Listings table: price, quantity, status and issues per SKU and marketplace.

The Issues cell is a chip with the counts by severity ("2 errors · 1 warning"); its tooltip
lists each of Amazon's issues (code, attribute, message). A damaged stored list shows
"issues unreadable" instead of failing the table.

Price and quantity cells are editable (the tab's delegate validates and stages the value
through the listing edits service; the model itself never writes). FBA quantities are not:
Amazon counts the units in its warehouses.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from kinxpro_desktop.core.listing_issues import WARNING
from kinxpro_desktop.core.listing_issues import summary as issues_summary
from kinxpro_desktop.core.marketplaces import by_id
from kinxpro_desktop.core.marketplaces import label as marketplace_label
from kinxpro_desktop.services.views import ListingFilter, ListingRow, ViewService
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.paged import Column, PagedTableModel

Index = QModelIndex | QPersistentModelIndex
FULFILLMENT = {"DEFAULT": "Merchant (FBM)", "MFN": "Merchant (FBM)", "AFN": "Amazon (FBA)"}
FBA_QUANTITY_TIP = (
    "Amazon fulfils this listing (FBA): its quantity is the stock in Amazon's warehouses "
    "and changes only when you send or remove inventory, so it cannot be edited here."
)
EDIT_TIP = "Double-click or press F2 to change; the change is staged, not sent"


def _market_tip(r: ListingRow) -> str:
    m = by_id(r.marketplace_id)
    return f"{m.name} ({m.domain})" if m else r.marketplace_id


def is_fba(r: ListingRow) -> bool:
    value = r.fulfillment_channel.upper()
    return value.startswith("AMAZON") or value == "AFN"


def _fulfillment(value: str) -> str:
    if value.upper().startswith("AMAZON"):
        return "Amazon (FBA)"
    return FULFILLMENT.get(value.upper(), value)


def listing_chip(r: ListingRow) -> str:
    """The status chip says the status; issues have their own column."""
    status = r.status.lower()
    if status in ("active", "buyable", "discoverable"):
        return "ok"
    if status == "incomplete":
        return "warn"
    if status == "inactive":
        return "muted"
    return "info"


def issues_chip(r: ListingRow) -> str:
    """Red with an error (or a damaged list), amber with a warning, blue with notes only."""
    if not r.issues:
        return ""
    if any(i.is_error for i in r.issues):
        return "bad"
    return "warn" if any(i.severity == WARNING for i in r.issues) else "info"


def issues_tip(r: ListingRow) -> str:
    """Each issue on its own line: severity, Amazon's code, the attribute, the message."""
    return "\n".join(i.text for i in r.issues)


def _quantity_tip(r: ListingRow) -> str:
    return FBA_QUANTITY_TIP if is_fba(r) else EDIT_TIP


COLUMNS = (
    Column("SKU", "sku", lambda r: r.sku, width_sample="KX-000-LONGSKU"),
    Column(
        "Market",
        None,
        lambda r: marketplace_label(r.marketplace_id),
        tooltip=_market_tip,
        width_sample="Market",
    ),
    Column("ASIN", "asin", lambda r: r.asin, width_sample="B0XXXXXXXXX"),
    Column("Title", "title", lambda r: r.title, tooltip=lambda r: r.title, width_sample="W" * 20),
    Column(
        "Price",
        "price",
        lambda r: fmt.money(r.price),
        align_right=True,
        tooltip=lambda _r: EDIT_TIP,
        width_sample="000,000.00 USD",
    ),
    Column(
        "Quantity",
        "quantity",
        lambda r: "" if r.quantity is None else fmt.number(r.quantity),
        align_right=True,
        tooltip=_quantity_tip,
        width_sample="Quantity",
    ),
    Column("Status", "status", lambda r: r.status, chip=listing_chip, width_sample="Incomplete"),
    Column(
        "Fulfilled by",
        "fulfillment_channel",
        lambda r: _fulfillment(r.fulfillment_channel),
        width_sample="Merchant (FBM)",
    ),
    Column(
        "Issues",
        "issues",
        lambda r: issues_summary(r.issues),
        chip=issues_chip,
        tooltip=issues_tip,
        width_sample="2 errors · 2 warnings",
    ),
    Column(
        "Last changed",
        "updated_at",
        lambda r: fmt.local_datetime(r.updated_at) if r.updated_at else "",
        width_sample="00/00/0000 00:00 PM",
    ),
)
PRICE_COLUMN = 4
QUANTITY_COLUMN = 5
ISSUES_COLUMN = 8


class ListingsTableModel(PagedTableModel):
    def __init__(self, runner: TaskRunner, views: ViewService, parent: Any = None) -> None:
        self.filter = ListingFilter()
        super().__init__(
            runner,
            COLUMNS,
            keys=lambda sort, desc: views.listing_keys(self.filter, sort, desc),
            rows=views.listings_by_id,
            default_sort=("sku", False),
            change_id=lambda r: r.change_id,
            parent=parent,
        )

    def set_filter(self, f: ListingFilter) -> None:
        if f == self.filter:
            return
        self.filter = f
        self.reload()

    def listing_at(self, row: int) -> ListingRow | None:
        obj = self.row_object(row)
        return obj if isinstance(obj, ListingRow) else None

    def editable(self, index: Index) -> bool:
        r = self.listing_at(index.row()) if index.isValid() else None
        if r is None:
            return False
        if index.column() == PRICE_COLUMN:
            return True
        return index.column() == QUANTITY_COLUMN and not is_fba(r)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if self.editable(index):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid():
            r = self.listing_at(index.row())
            if r is None:
                return None
            if index.column() == PRICE_COLUMN:
                return "" if r.price is None else fmt.edit_amount(r.price)
            if index.column() == QUANTITY_COLUMN:
                return "" if r.quantity is None else str(r.quantity)
        return super().data(index, role)
