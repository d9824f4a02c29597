"""The Listings table: price, quantity, status and issues per SKU and marketplace."""

from __future__ import annotations

from kinxpro_desktop.services.views import ViewService
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui.models.paged import Column, PagedTableModel

MARKETPLACES = {"ATVPDKIKX0DER": "US", "A2EUQ1WTGCTBG2": "CA", "A1AM78C64UM0Y8": "MX"}

COLUMNS = (
    Column("SKU", "sku", lambda r: r.sku),
    Column("Market", None, lambda r: MARKETPLACES.get(r.marketplace_id, r.marketplace_id)),
    Column("ASIN", "asin", lambda r: r.asin),
    Column("Title", "title", lambda r: r.title),
    Column(
        "Price",
        "price",
        lambda r: "" if r.price is None else f"{r.price.amount:,.2f} {r.price.currency}",
        align_right=True,
    ),
    Column(
        "Quantity",
        "quantity",
        lambda r: "" if r.quantity is None else str(r.quantity),
        align_right=True,
    ),
    Column("Status", "status", lambda r: r.status),
    Column("Channel", None, lambda r: r.fulfillment_channel),
    Column("Issues", None, lambda r: "; ".join(r.issues)),
)


class ListingsTableModel(PagedTableModel):
    def __init__(self, runner: TaskRunner, views: ViewService, parent=None) -> None:
        self.text = ""
        self.with_issues = False
        super().__init__(
            runner,
            COLUMNS,
            count=lambda: views.count_listings(self.text, self.with_issues),
            page=lambda sort, desc, off, lim: views.listing_page(
                self.text, self.with_issues, sort, desc, off, lim
            ),
            default_sort=("sku", False),
            parent=parent,
        )

    def set_filter(self, text: str, with_issues: bool) -> None:
        self.text = text
        self.with_issues = with_issues
        self.reload()
