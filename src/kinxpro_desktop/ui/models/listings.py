"""The Listings table: price, quantity, status and issues per SKU and marketplace."""

from __future__ import annotations

from typing import Any

from kinxpro_desktop.core.marketplaces import by_id
from kinxpro_desktop.core.marketplaces import label as marketplace_label
from kinxpro_desktop.services.views import ListingRow, ViewService
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.paged import Column, PagedTableModel

FULFILLMENT = {"DEFAULT": "Merchant (FBM)", "MFN": "Merchant (FBM)", "AFN": "Amazon (FBA)"}


def _market_tip(r: ListingRow) -> str:
    m = by_id(r.marketplace_id)
    return f"{m.name} ({m.domain})" if m else r.marketplace_id


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
    Column("Title", "title", lambda r: r.title, tooltip=lambda r: r.title, width_sample="W" * 22),
    Column(
        "Price",
        "price",
        lambda r: fmt.money(r.price),
        align_right=True,
        width_sample="000,000.00 USD",
    ),
    Column(
        "Quantity",
        "quantity",
        lambda r: "" if r.quantity is None else fmt.number(r.quantity),
        align_right=True,
        width_sample="Quantity",
    ),
    Column("Status", "status", lambda r: r.status, chip=listing_chip, width_sample="Incomplete"),
    Column(
        "Fulfilled by",
        None,
        lambda r: _fulfillment(r.fulfillment_channel),
        width_sample="Merchant (FBM)",
    ),
    Column("Issues", None, lambda r: "; ".join(r.issues), tooltip=lambda r: "\n".join(r.issues)),
)


class ListingsTableModel(PagedTableModel):
    def __init__(self, runner: TaskRunner, views: ViewService, parent: Any = None) -> None:
        self.text = ""
        self.with_issues = False
        super().__init__(
            runner,
            COLUMNS,
            keys=lambda sort, desc: views.listing_keys(self.text, self.with_issues, sort, desc),
            rows=views.listings_by_id,
            default_sort=("sku", False),
            change_id=lambda r: r.change_id,
            parent=parent,
        )

    def set_filter(self, text: str, with_issues: bool) -> None:
        if (text, with_issues) == (self.text, self.with_issues):
            return
        self.text = text
        self.with_issues = with_issues
        self.reload()
