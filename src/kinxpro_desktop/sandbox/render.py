"""Shared rendering helpers: money, order id checks, marketplace filters."""

from __future__ import annotations

import re

from .catalog import MARKETS
from .wire import JsonObj, Request, invalid_input

ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
MARKETPLACE_ID = re.compile(r"^A[0-9A-Z]{9,13}$")

V0_TO_2026 = {
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "Canceled": "CANCELLED",
}
PII_STATUSES = frozenset({"Unshipped", "PartiallyShipped", "Shipped"})


def amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def money(cents: int, marketplace_id: str) -> JsonObj:
    """Orders 2026-01-01 / Listings style money."""
    return {"amount": amount(cents), "currencyCode": MARKETS[marketplace_id].currency}


def money_v0(cents: int, marketplace_id: str) -> JsonObj:
    return {"CurrencyCode": MARKETS[marketplace_id].currency, "Amount": amount(cents)}


def check_order_id(order_id: str) -> None:
    if not ORDER_ID.match(order_id):
        raise invalid_input(f"Invalid orderId {order_id!r}.", "Expected 3-7-7 digits.")


def marketplace_filter(req: Request, *names: str, required: bool = False) -> set[str] | None:
    """The requested marketplace ids (None: no filter). Malformed ids give 400."""
    values = req.values(*names)
    if not values:
        if required:
            raise invalid_input(f"Missing required parameter {names[0]}.")
        return None
    for value in values:
        if not MARKETPLACE_ID.match(value):
            raise invalid_input(f"Invalid marketplace id {value!r}.")
    return set(values)
