"""Amazon's JSON (Orders 2026-01-01, Listings 2021-08-01, FBA Inventory v1) -> core dataclasses.

Anything that is not the shape Amazon documents raises BadResponse naming the order id and
the field, so a page is refused as a whole and nothing half-read is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from kinxpro_desktop.core.listing_issues import ListingIssue, ordered
from kinxpro_desktop.core.models import Money, Order, OrderItem, OrderPii
from kinxpro_desktop.core.vocabulary import STATUS_2026, Channel
from kinxpro_desktop.spapi.errors import BadResponse

Json = dict[str, Any]


def parse_time(value: object, what: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise BadResponse(f"{what} is missing or not a date-time.")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadResponse(f"{what} is not an ISO 8601 date-time.") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _opt_time(value: object, what: str) -> datetime | None:
    return None if value in (None, "") else parse_time(value, what)


def parse_money(value: object, what: str, default_currency: str = "USD") -> Money:
    if value is None:
        return Money(Decimal(0), default_currency)
    if not isinstance(value, dict):
        raise BadResponse(f"{what} is not a money object.")
    try:
        amount = Decimal(str(value.get("amount", "0")))
    except InvalidOperation as exc:
        raise BadResponse(f"{what} has an amount that is not a number.") from exc
    if not amount.is_finite():
        raise BadResponse(f"{what} has an amount that is not a number.")
    currency = value.get("currencyCode") or default_currency
    if not isinstance(currency, str):
        raise BadResponse(f"{what} has a currency that is not text.")
    return Money(amount, currency)


def _dict(value: object, what: str) -> Json:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadResponse(f"{what} is not an object.")
    return value


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadResponse(f"{what} is not a number.")
    try:
        return int(value)
    except ValueError as exc:
        raise BadResponse(f"{what} is not a whole number.") from exc


def _str(value: object, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadResponse(f"{what} is not text.")
    return value


def order_from_2026(raw: object) -> Order:
    """One searchOrders/getOrder order (includedData FULFILLMENT, PROCEEDS, optionally
    RECIPIENT for city/state/postal/country). Never reads buyer PII."""
    if not isinstance(raw, dict):
        raise BadResponse("searchOrders: an order is not an object.")
    order_id = raw.get("orderId")
    if not isinstance(order_id, str) or not order_id:
        raise BadResponse("searchOrders: an order has no orderId.")
    where = f"order {order_id}"
    channel = _dict(raw.get("salesChannel"), f"{where}: salesChannel")
    marketplace_id = _str(channel.get("marketplaceId"), f"{where}: marketplaceId")
    fulfillment = _dict(raw.get("fulfillment"), f"{where}: fulfillment")
    known = STATUS_2026.get(_str(fulfillment.get("fulfillmentStatus"), f"{where}: status"))
    if known is None:
        raise BadResponse(f"{where}: unknown or missing fulfillmentStatus.")
    status = known.value
    by = fulfillment.get("fulfilledBy")
    fulfillment_channel = {"MERCHANT": Channel.MFN.value, "AMAZON": Channel.AFN.value}.get(str(by))
    if fulfillment_channel is None:
        raise BadResponse(f"{where}: unknown or missing fulfilledBy.")
    ship_window = _dict(fulfillment.get("shipByWindow"), f"{where}: shipByWindow")
    deliver_window = _dict(fulfillment.get("deliverByWindow"), f"{where}: deliverByWindow")
    lines = raw.get("orderItems")
    if not isinstance(lines, list):
        raise BadResponse(f"{where}: orderItems is not a list.")
    items: list[OrderItem] = []
    currency = "USD"
    for line in lines:
        item = _item_from_2026(line, where)
        currency = item.item_price.currency
        items.append(item)
    proceeds = _dict(raw.get("proceeds"), f"{where}: proceeds")
    if proceeds.get("grandTotal") is not None:
        total = parse_money(proceeds.get("grandTotal"), f"{where}: grandTotal", currency)
    else:
        total = Money(sum((i.item_price.amount for i in items), Decimal(0)), currency)
    recipient = _dict(raw.get("recipient"), f"{where}: recipient")
    address = _dict(recipient.get("deliveryAddress"), f"{where}: deliveryAddress")
    return Order(
        order_id=order_id,
        marketplace_id=marketplace_id,
        purchase_date=parse_time(raw.get("createdTime"), f"{where}: createdTime"),
        last_updated=parse_time(raw.get("lastUpdatedTime"), f"{where}: lastUpdatedTime"),
        status=status,
        fulfillment_channel=fulfillment_channel,
        order_total=total,
        ship_city=_str(address.get("city"), f"{where}: city"),
        ship_state=_str(address.get("stateOrRegion"), f"{where}: stateOrRegion"),
        ship_postal_code=_str(address.get("postalCode"), f"{where}: postalCode"),
        ship_country=_str(address.get("countryCode"), f"{where}: countryCode"),
        ship_by=_opt_time(ship_window.get("latestDateTime"), f"{where}: shipBy"),
        deliver_by=_opt_time(deliver_window.get("latestDateTime"), f"{where}: deliverBy"),
        items=tuple(items),
    )


def _item_from_2026(line: object, where: str) -> OrderItem:
    if not isinstance(line, dict):
        raise BadResponse(f"{where}: an order item is not an object.")
    item_id = line.get("orderItemId")
    if not isinstance(item_id, str) or not item_id:
        raise BadResponse(f"{where}: an order item has no orderItemId.")
    what = f"{where} item {item_id}"
    product = _dict(line.get("product"), f"{what}: product")
    quantity = _int(line.get("quantityOrdered", 0), f"{what}: quantityOrdered")
    price = _dict(product.get("price"), f"{what}: price")
    unit = parse_money(price.get("unitPrice"), f"{what}: unitPrice")
    tax = Money(Decimal(0), unit.currency)
    proceeds = _dict(line.get("proceeds"), f"{what}: proceeds")
    breakdowns = proceeds.get("breakdowns") or []
    if not isinstance(breakdowns, list):
        raise BadResponse(f"{what}: proceeds breakdowns is not a list.")
    for part in breakdowns:
        if isinstance(part, dict) and part.get("type") == "TAX":
            tax = parse_money(part.get("subtotal"), f"{what}: tax", unit.currency)
    fulfillment = _dict(line.get("fulfillment"), f"{what}: fulfillment")
    shipped = _int(fulfillment.get("quantityFulfilled", 0), f"{what}: quantityFulfilled")
    return OrderItem(
        order_item_id=item_id,
        asin=_str(product.get("asin"), f"{what}: asin"),
        sku=_str(product.get("sellerSku"), f"{what}: sellerSku"),
        title=_str(product.get("title"), f"{what}: title"),
        quantity_ordered=quantity,
        quantity_shipped=shipped,
        item_price=Money(unit.amount * quantity, unit.currency),
        item_tax=tax,
    )


def pii_from_2026(raw: Json) -> OrderPii | None:
    """Buyer and recipient data of a getOrder answer (includedData BUYER, RECIPIENT), or None
    when Amazon sent none."""
    order_id = _str(raw.get("orderId"), "getOrder: orderId")
    where = f"order {order_id}"
    buyer = _dict(raw.get("buyer"), f"{where}: buyer")
    recipient = _dict(raw.get("recipient"), f"{where}: recipient")
    address = _dict(recipient.get("deliveryAddress"), f"{where}: deliveryAddress")
    pii = OrderPii(
        order_id=order_id,
        buyer_name=_str(buyer.get("buyerName"), f"{where}: buyerName"),
        buyer_email=_str(buyer.get("buyerEmail"), f"{where}: buyerEmail"),
        buyer_phone=_str(address.get("phone"), f"{where}: phone"),
        recipient_name=_str(address.get("name"), f"{where}: name"),
        address_line1=_str(address.get("addressLine1"), f"{where}: addressLine1"),
        address_line2=_str(address.get("addressLine2"), f"{where}: addressLine2"),
        address_line3=_str(address.get("addressLine3"), f"{where}: addressLine3"),
        company=_str(address.get("companyName"), f"{where}: companyName"),
        gift_message="",
        delivery_instructions="",
    )
    if not any((pii.buyer_name, pii.buyer_email, pii.recipient_name, pii.address_line1)):
        return None
    return pii


def listing_issues(raw: object) -> tuple[str, tuple[ListingIssue, ...]]:
    """(sku, issues) of one searchListingsItems or getListingsItem item, as Amazon gives them
    (code, severity, message, attributeNames, categories); errors first."""
    if not isinstance(raw, dict) or not isinstance(raw.get("sku"), str):
        raise BadResponse("searchListingsItems: an item has no sku.")
    issues = raw.get("issues") or []
    if not isinstance(issues, list):
        raise BadResponse(f"searchListingsItems: issues of {raw['sku']} is not a list.")
    found = [ListingIssue.from_json(i) for i in issues if isinstance(i, dict)]
    return raw["sku"], ordered(i for i in found if i.message or i.code)


def inventory_quantity(raw: object) -> tuple[str, int]:
    """(sku, sellable FBA quantity) of one inventory summary."""
    if not isinstance(raw, dict) or not isinstance(raw.get("sellerSku"), str):
        raise BadResponse("getInventorySummaries: a summary has no sellerSku.")
    details = raw.get("inventoryDetails")
    if isinstance(details, dict) and "fulfillableQuantity" in details:
        value = details["fulfillableQuantity"]
    else:
        value = raw.get("totalQuantity", 0)
    return raw["sellerSku"], _int(value, f"inventory of {raw['sellerSku']}")
