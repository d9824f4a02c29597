"""Tab-separated report documents, parsed by header name (column order is not relied on).

* ``GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL``: one row per order item, no buyer
  identity. The report has no order-item id, so items get a stable synthetic id
  ``report:<sku>`` (``#n`` for a repeated SKU) until the order is next read from the API.
* ``GET_MERCHANT_LISTINGS_ALL_DATA``: one row per listing of one marketplace.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from kinxpro_desktop.core import marketplaces
from kinxpro_desktop.core.models import Listing, Money, Order, OrderItem
from kinxpro_desktop.spapi.errors import BadResponse
from kinxpro_desktop.spapi.mapping import parse_time

REPORT_ITEM_PREFIX = "report:"

ORDER_COLUMNS = (
    "amazon-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "sku",
    "quantity",
)
LISTING_COLUMNS = ("seller-sku", "item-name", "price", "quantity", "fulfillment-channel", "status")


def _rows(text: str, required: tuple[str, ...], report: str) -> Iterator[dict[str, str]]:
    reader = csv.DictReader(
        io.StringIO(text.lstrip("\ufeff")), delimiter="\t", quoting=csv.QUOTE_NONE
    )
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise BadResponse(
            f"The {report} report lacks the column(s) {', '.join(missing)}; Amazon may have "
            "changed its format. Nothing from it was saved."
        )
    reader.fieldnames = header
    for n, row in enumerate(reader, start=2):
        if None in row:  # more cells than headers: a broken line
            raise BadResponse(f"The {report} report has a malformed line {n}.")
        yield {k: (v or "").strip() for k, v in row.items()}


def _decimal(value: str, what: str) -> Decimal:
    if not value:
        return Decimal(0)
    try:
        out = Decimal(value.replace(",", ""))
    except InvalidOperation as exc:
        raise BadResponse(f"{what} is not a number ({value[:20]!r}).") from exc
    if not out.is_finite():
        raise BadResponse(f"{what} is not a number.")
    return out


def _int(value: str, what: str) -> int:
    if not value:
        return 0
    if not value.lstrip("-").isdigit():
        raise BadResponse(f"{what} is not a whole number ({value[:20]!r}).")
    return int(value)


@dataclass
class _Building:
    first: dict[str, str]
    items: list[OrderItem]
    total: Decimal
    updated: datetime


def parse_orders_report(text: str) -> list[Order]:
    """Orders (with items, without PII) from an all-orders flat file."""
    building: dict[str, _Building] = {}
    for row in _rows(text, ORDER_COLUMNS, "orders"):
        order_id = row["amazon-order-id"]
        if not order_id:
            raise BadResponse("The orders report has a row without amazon-order-id.")
        where = f"orders report, order {order_id}"
        currency = row.get("currency") or "USD"
        updated = parse_time(row["last-updated-date"], f"{where}: last-updated-date")
        b = building.get(order_id)
        if b is None:
            b = building[order_id] = _Building(row, [], Decimal(0), updated)
        sku = row["sku"]
        used = {i.order_item_id for i in b.items}
        item_id = f"{REPORT_ITEM_PREFIX}{sku}"
        n = 1
        while item_id in used:
            item_id = f"{REPORT_ITEM_PREFIX}{sku}#{n}"
            n += 1
        price = _decimal(row.get("item-price", ""), f"{where}: item-price")
        tax = _decimal(row.get("item-tax", ""), f"{where}: item-tax")
        charges = sum(
            (
                _decimal(row.get(col, ""), f"{where}: {col}")
                for col in ("shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax")
            ),
            Decimal(0),
        )
        discounts = sum(
            (
                abs(_decimal(row.get(col, ""), f"{where}: {col}"))
                for col in ("item-promotion-discount", "ship-promotion-discount")
            ),
            Decimal(0),
        )
        b.total += price + tax + charges - discounts
        quantity = _int(row["quantity"], f"{where}: quantity")
        status = row["order-status"]
        b.items.append(
            OrderItem(
                order_item_id=item_id,
                asin=row.get("asin", ""),
                sku=sku,
                title=row.get("product-name", ""),
                quantity_ordered=quantity,
                quantity_shipped=quantity if status == "Shipped" else 0,
                item_price=Money(price, currency),
                item_tax=Money(tax, currency),
            )
        )
        b.updated = max(b.updated, updated)
    orders: list[Order] = []
    for order_id, b in building.items():
        row = b.first
        where = f"orders report, order {order_id}"
        channel = row["fulfillment-channel"].lower()
        market = marketplaces.by_domain(row["sales-channel"])
        if market is None:
            raise BadResponse(f"{where}: unknown sales-channel {row['sales-channel'][:30]!r}.")
        currency = b.items[0].item_price.currency
        orders.append(
            Order(
                order_id=order_id,
                marketplace_id=market.marketplace_id,
                purchase_date=parse_time(row["purchase-date"], f"{where}: purchase-date"),
                last_updated=b.updated,
                status=row["order-status"],
                fulfillment_channel="AFN" if channel.startswith("amazon") else "MFN",
                order_total=Money(b.total, currency),
                ship_city=row.get("ship-city", ""),
                ship_state=row.get("ship-state", ""),
                ship_postal_code=row.get("ship-postal-code", ""),
                ship_country=row.get("ship-country", ""),
                items=tuple(b.items),
            )
        )
    return orders


def parse_listings_report(text: str, marketplace_id: str, currency: str) -> list[Listing]:
    """Listings of one marketplace from an all-listings flat file."""
    out: dict[str, Listing] = {}
    for row in _rows(text, LISTING_COLUMNS, "listings"):
        sku = row["seller-sku"]
        if not sku:
            continue
        where = f"listings report, SKU {sku}"
        channel = "MFN" if row["fulfillment-channel"].upper() in ("DEFAULT", "") else "AFN"
        price_text = row["price"]
        quantity_text = row["quantity"]
        out[sku] = Listing(
            sku=sku,
            marketplace_id=marketplace_id,
            asin=row.get("asin1", "") or row.get("product-id", ""),
            title=row["item-name"],
            price=Money(_decimal(price_text, f"{where}: price"), currency) if price_text else None,
            quantity=_int(quantity_text, f"{where}: quantity") if quantity_text else None,
            status=row["status"],
            fulfillment_channel=channel,
        )
    return list(out.values())
