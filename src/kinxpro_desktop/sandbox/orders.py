"""Orders API 2026-01-01: ``searchOrders`` and ``getOrder`` (PII gated by the account's roles)."""

from __future__ import annotations

from .catalog import MARKETS
from .clock import iso, parse_iso
from .data import Order
from .orders_v0 import ROUTES as V0_ROUTES
from .render import PII_STATUSES, V0_TO_2026, check_order_id, marketplace_filter, money
from .state import SimState
from .wire import JsonObj, Request, Response, Route, invalid_input, json_response, not_found

INCLUDED = frozenset(
    {
        "BUYER",
        "RECIPIENT",
        "PROCEEDS",
        "EXPENSE",
        "PROMOTION",
        "CANCELLATION",
        "FULFILLMENT",
        "PACKAGES",
        "TAX",
        "PAYMENT",
        "FULFILLMENT_ORDERS",
    }
)
STATUSES = frozenset(
    {
        "PENDING_AVAILABILITY",
        "PENDING",
        "UNSHIPPED",
        "PARTIALLY_SHIPPED",
        "SHIPPED",
        "CANCELLED",
        "UNFULFILLABLE",
    }
)


def _included(req: Request) -> set[str]:
    values = set(req.values("includedData"))
    bad = values - INCLUDED
    if bad:
        raise invalid_input(f"Invalid includedData value(s): {', '.join(sorted(bad))}.")
    return values


def render_order(
    state: SimState, order: Order, now: float, included: set[str]
) -> tuple[JsonObj, bool]:
    """One order in the 2026-01-01 shape; returns (json, whether it carries PII)."""
    updated, status = order.stage_at(now)
    mp = order.marketplace_id
    market = MARKETS[mp]
    shipped_all = status == "Shipped"
    items: list[JsonObj] = []
    for n, line in enumerate(order.lines):
        shipped = line.quantity if shipped_all or (status == "PartiallyShipped" and n == 0) else 0
        item: JsonObj = {
            "orderItemId": line.item_id,
            "quantityOrdered": line.quantity,
            "product": {
                "asin": line.listing.asin,
                "title": line.listing.title,
                "sellerSku": line.listing.sku,
                "condition": {"conditionType": "New", "conditionSubtype": "New"},
                "price": {"unitPrice": money(line.unit_cents, mp)},
            },
        }
        if "PROCEEDS" in included:
            subtotal = line.unit_cents * line.quantity
            item["proceeds"] = {
                "proceedsTotal": money(subtotal + line.tax_cents + line.shipping_cents, mp),
                "breakdowns": [
                    {"type": "ITEM", "subtotal": money(subtotal, mp)},
                    {"type": "SHIPPING", "subtotal": money(line.shipping_cents, mp)},
                    {"type": "TAX", "subtotal": money(line.tax_cents, mp)},
                ],
            }
        if "FULFILLMENT" in included:
            item["fulfillment"] = {
                "quantityFulfilled": shipped,
                "quantityUnfulfilled": 0 if status == "Canceled" else line.quantity - shipped,
            }
        if "TAX" in included:
            item["tax"] = {
                "taxCollections": [
                    {"model": "MARKETPLACE_FACILITATOR", "responsibleParty": "AMAZON_SERVICES"}
                ]
            }
        items.append(item)
    out: JsonObj = {
        "orderId": order.order_id,
        "createdTime": iso(order.created),
        "lastUpdatedTime": iso(updated),
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": mp,
            "marketplaceName": market.name,
        },
        "orderItems": items,
    }
    programs = [p for p, on in (("PRIME", order.prime), ("AMAZON_BUSINESS", order.business)) if on]
    if programs:
        out["programs"] = programs
    if "FULFILLMENT" in included:
        out["fulfillment"] = {
            "fulfillmentStatus": V0_TO_2026[status],
            "fulfilledBy": "AMAZON" if order.channel == "AFN" else "MERCHANT",
            "fulfillmentServiceLevel": "EXPEDITED"
            if order.service_level != "Std US D2D Dom"
            else "STANDARD",
            "shipByWindow": {
                "earliestDateTime": iso(order.created),
                "latestDateTime": iso(order.ship_by),
            },
            "deliverByWindow": {
                "earliestDateTime": iso(order.ship_by + 86400),
                "latestDateTime": iso(order.deliver_by),
            },
        }
    if "PROCEEDS" in included:
        out["proceeds"] = {"grandTotal": money(order.total_cents(), mp)}
    pii = False
    pii_allowed = state.pii_roles and status in PII_STATUSES
    if "BUYER" in included and pii_allowed:
        buyer = state.world.buyer(order)
        out["buyer"] = {"buyerName": buyer.name}
        if order.channel == "MFN":
            out["buyer"]["buyerEmail"] = buyer.email
        pii = True
    if "RECIPIENT" in included and status != "Canceled":
        buyer = state.world.buyer(order)
        address: JsonObj = {
            "city": buyer.city,
            "stateOrRegion": buyer.state,
            "postalCode": buyer.postal,
            "countryCode": buyer.country,
        }
        if pii_allowed:
            address = {
                "name": buyer.name,
                "addressLine1": buyer.line1,
                **({"addressLine2": buyer.line2} if buyer.line2 else {}),
                **address,
                "phone": buyer.phone,
                "addressType": "RESIDENTIAL",
            }
            pii = True
        out["recipient"] = {"deliveryAddress": address}
    if "PACKAGES" in included and order.packages:
        out["packages"] = [dict(p) for p in order.packages]
    return out, pii


def _window(req: Request, now: float) -> tuple[str, float, float]:
    created_after = req.first("createdAfter")
    updated_after = req.first("lastUpdatedAfter")
    if (created_after is None) == (updated_after is None):
        raise invalid_input("Exactly one of createdAfter and lastUpdatedAfter is required.")
    kind = "created" if created_after is not None else "updated"
    before_name = "createdBefore" if kind == "created" else "lastUpdatedBefore"
    other_before = "lastUpdatedBefore" if kind == "created" else "createdBefore"
    if req.first(other_before) is not None:
        raise invalid_input(f"{other_before} cannot be combined with {kind} filters.")
    try:
        after = parse_iso(created_after or updated_after or "")
        raw_before = req.first(before_name)
        before = parse_iso(raw_before) if raw_before else now
    except ValueError:
        raise invalid_input("Invalid Input", "Dates must be ISO 8601 date-times.") from None
    if before > now:
        raise invalid_input(f"{before_name} must not be in the future.")
    if after >= before:
        raise invalid_input(f"The after date must be earlier than {before_name}.")
    return kind, after, before


def search_orders(state: SimState, req: Request) -> Response:
    now = state.now()
    included = _included(req)
    size = req.integer("maxResultsPerPage", 100, 1, 100)
    statuses = set(req.values("fulfillmentStatuses"))
    if statuses - STATUSES:
        raise invalid_input(
            f"Invalid fulfillmentStatuses: {', '.join(sorted(statuses - STATUSES))}."
        )
    fulfilled_by = set(req.values("fulfilledBy"))
    if fulfilled_by - {"MERCHANT", "AMAZON"}:
        raise invalid_input("fulfilledBy must be MERCHANT or AMAZON.")
    markets = marketplace_filter(req, "marketplaceIds")
    kind, after, before = _window(req, now)
    signature = "|".join(
        [
            kind,
            iso(after),
            req.first("createdBefore", "lastUpdatedBefore") or "",
            ",".join(sorted(statuses)),
            ",".join(sorted(fulfilled_by)),
            ",".join(sorted(markets or ())),
        ]
    )
    token = req.first("paginationToken")
    if token:
        ids, next_token, extra = state.pager.resume(token, signature, size)
    else:
        with state.world.lock:
            if kind == "created":
                candidates = state.world.created_between(after, before)
            else:
                candidates = state.world.updated_between(after, before, now)
        channels = {"AMAZON": "AFN", "MERCHANT": "MFN"}
        wanted_channels = {channels[f] for f in fulfilled_by}
        matched = [
            o.order_id
            for o in candidates
            if (markets is None or o.marketplace_id in markets)
            and (not wanted_channels or o.channel in wanted_channels)
            and (not statuses or V0_TO_2026[o.status_at(now)] in statuses)
        ]
        ids, next_token, extra = state.pager.page(
            signature, matched, size, {"before": iso(before), "kind": kind}
        )
    orders: list[JsonObj] = []
    pii_ids: list[str] = []
    with state.world.lock:
        for order_id in ids:
            rendered, pii = render_order(state, state.world.by_id[order_id], now, included)
            orders.append(rendered)
            if pii:
                pii_ids.append(order_id)
    body: JsonObj = {"orders": orders}
    if next_token:
        body["pagination"] = {"nextToken": next_token}
    body["createdBefore" if extra.get("kind") == "created" else "lastUpdatedBefore"] = extra.get(
        "before", iso(before)
    )
    return json_response(200, body, pii_ids)


def get_order(state: SimState, req: Request) -> Response:
    now = state.now()
    order_id = req.params["orderId"]
    check_order_id(order_id)
    included = _included(req)
    with state.world.lock:
        order = state.world.by_id.get(order_id)
        if order is None or order.created > now:
            raise not_found(f"Order {order_id} was not found.")
        rendered, pii = render_order(state, order, now, included)
    return json_response(200, {"order": rendered}, [order_id] if pii else [])


ROUTES = [
    Route("GET", "/orders/2026-01-01/orders", "searchOrders", search_orders),
    Route("GET", "/orders/2026-01-01/orders/{orderId}", "getOrder2026", get_order),
    *V0_ROUTES,
]
