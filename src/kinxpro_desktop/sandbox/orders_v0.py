"""Orders API v0: ``getOrders``, ``getOrderItems`` (naive-client baseline) and ``confirmShipment``.

PII (``BuyerInfo``, the full ``ShippingAddress``) only with a Restricted Data Token whose
``dataElements`` ask for it; with an LWA token the address is city, state, postal code, country.
"""

from __future__ import annotations

from .catalog import MARKETS
from .clock import iso, parse_iso
from .data import Order
from .render import PII_STATUSES, check_order_id, marketplace_filter, money_v0
from .state import SimState
from .wire import (
    JsonObj,
    Request,
    Response,
    Route,
    invalid_input,
    json_response,
    not_found,
    require_list,
    require_str,
)

V0_STATUSES = frozenset(
    {
        "PendingAvailability",
        "Pending",
        "Unshipped",
        "PartiallyShipped",
        "Shipped",
        "InvoiceUnconfirmed",
        "Canceled",
        "Unfulfillable",
    }
)


def _elements(req: Request) -> frozenset[str]:
    token = req.token
    if token is None or token.kind != "rdt":
        return frozenset()
    return token.data_elements


def render_order_v0(
    state: SimState, order: Order, now: float, elements: frozenset[str]
) -> tuple[JsonObj, bool]:
    updated, status = order.stage_at(now)
    mp = order.marketplace_id
    shipped = sum(ln.quantity for ln in order.lines) if status == "Shipped" else 0
    if status == "PartiallyShipped":
        shipped = order.lines[0].quantity
    total_qty = sum(ln.quantity for ln in order.lines)
    out: JsonObj = {
        "AmazonOrderId": order.order_id,
        "PurchaseDate": iso(order.created),
        "LastUpdateDate": iso(updated),
        "OrderStatus": status,
        "FulfillmentChannel": order.channel,
        "SalesChannel": MARKETS[mp].name,
        "ShipServiceLevel": order.service_level,
        "OrderTotal": money_v0(order.total_cents(), mp),
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": 0 if status == "Canceled" else total_qty - shipped,
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": mp,
        "ShipmentServiceLevelCategory": "Standard"
        if order.service_level.startswith("Std")
        else "Expedited",
        "OrderType": "StandardOrder",
        "EarliestShipDate": iso(order.created),
        "LatestShipDate": iso(order.ship_by),
        "EarliestDeliveryDate": iso(order.ship_by + 86400),
        "LatestDeliveryDate": iso(order.deliver_by),
        "IsBusinessOrder": order.business,
        "IsPrime": order.prime,
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "HasRegulatedItems": False,
    }
    pii = False
    if status != "Canceled" and status != "Pending":
        buyer = state.world.buyer(order)
        address: JsonObj = {
            "City": buyer.city,
            "StateOrRegion": buyer.state,
            "PostalCode": buyer.postal,
            "CountryCode": buyer.country,
        }
        allowed = state.pii_roles and status in PII_STATUSES
        if allowed and "shippingAddress" in elements:
            address = {
                "Name": buyer.name,
                "AddressLine1": buyer.line1,
                **({"AddressLine2": buyer.line2} if buyer.line2 else {}),
                **address,
                "Phone": buyer.phone,
                "AddressType": "Residential",
            }
            pii = True
        out["ShippingAddress"] = address
        if allowed and "buyerInfo" in elements:
            out["BuyerInfo"] = {"BuyerEmail": buyer.email, "BuyerName": buyer.name}
            pii = True
    return out, pii


def get_orders(state: SimState, req: Request) -> Response:
    now = state.now()
    size = req.integer("MaxResultsPerPage", 100, 1, 100)
    elements = _elements(req)
    token = req.first("NextToken")
    if token:
        ids, next_token, extra = state.pager.resume(token, None, size)
    else:
        markets = marketplace_filter(req, "MarketplaceIds", "marketplaceIds", required=True)
        created_after = req.first("CreatedAfter")
        updated_after = req.first("LastUpdatedAfter")
        if (created_after is None) == (updated_after is None):
            raise invalid_input("Exactly one of CreatedAfter and LastUpdatedAfter is required.")
        kind = "created" if created_after is not None else "updated"
        try:
            after = parse_iso(created_after or updated_after or "")
            raw_before = req.first("CreatedBefore" if kind == "created" else "LastUpdatedBefore")
            before = parse_iso(raw_before) if raw_before else now - 120
        except ValueError:
            raise invalid_input("Invalid Input", "Dates must be in ISO 8601 format.") from None
        if before > now or after >= before:
            raise invalid_input("Invalid date range.")
        statuses = set(req.values("OrderStatuses"))
        if statuses - V0_STATUSES:
            raise invalid_input("Invalid OrderStatuses.")
        channels = set(req.values("FulfillmentChannels"))
        with state.world.lock:
            if kind == "created":
                candidates = state.world.created_between(after, before)
            else:
                candidates = state.world.updated_between(after, before, now)
        matched = [
            o.order_id
            for o in candidates
            if (markets is None or o.marketplace_id in markets)
            and (not channels or o.channel in channels)
            and (not statuses or o.status_at(now) in statuses)
        ]
        key = "CreatedBefore" if kind == "created" else "LastUpdatedBefore"
        ids, next_token, extra = state.pager.page("v0", matched, size, {key: iso(before)})
    orders: list[JsonObj] = []
    pii_ids: list[str] = []
    with state.world.lock:
        for order_id in ids:
            rendered, pii = render_order_v0(state, state.world.by_id[order_id], now, elements)
            orders.append(rendered)
            if pii:
                pii_ids.append(order_id)
    payload: JsonObj = {"Orders": orders, **extra}
    if next_token:
        payload["NextToken"] = next_token
    return json_response(200, {"payload": payload}, pii_ids)


def _order(state: SimState, order_id: str, now: float) -> Order:
    check_order_id(order_id)
    order = state.world.by_id.get(order_id)
    if order is None or order.created > now:
        raise not_found(f"Order {order_id} was not found.")
    return order


def get_order_items(state: SimState, req: Request) -> Response:
    now = state.now()
    with state.world.lock:
        order = _order(state, req.params["orderId"], now)
        status = order.status_at(now)
        mp = order.marketplace_id
        items = []
        for n, line in enumerate(order.lines):
            shipped = (
                line.quantity
                if status == "Shipped" or (status == "PartiallyShipped" and n == 0)
                else 0
            )
            items.append(
                {
                    "ASIN": line.listing.asin,
                    "SellerSKU": line.listing.sku,
                    "OrderItemId": line.item_id,
                    "Title": line.listing.title,
                    "QuantityOrdered": line.quantity,
                    "QuantityShipped": shipped,
                    "ProductInfo": {"NumberOfItems": "1"},
                    "ItemPrice": money_v0(line.unit_cents * line.quantity, mp),
                    "ShippingPrice": money_v0(line.shipping_cents, mp),
                    "ItemTax": money_v0(line.tax_cents, mp),
                    "ShippingTax": money_v0(0, mp),
                    "PromotionDiscount": money_v0(0, mp),
                    "PromotionDiscountTax": money_v0(0, mp),
                    "IsGift": "false",
                    "ConditionId": "New",
                    "ConditionSubtypeId": "New",
                    "IsTransparency": False,
                    "SerialNumberRequired": False,
                }
            )
    payload = {"OrderItems": items, "AmazonOrderId": order.order_id}
    return json_response(200, {"payload": payload})


def confirm_shipment(state: SimState, req: Request) -> Response:
    now = state.now()
    body = req.json()
    marketplace_id = require_str(body, "marketplaceId")
    detail = body.get("packageDetail")
    if not isinstance(detail, dict):
        raise invalid_input("Missing or invalid packageDetail in the body.")
    for name in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate"):
        require_str(detail, name, "packageDetail")
    try:
        ship_date = parse_iso(detail["shipDate"])
    except ValueError:
        raise invalid_input("Invalid shipDate; expected an ISO 8601 date-time.") from None
    wanted = require_list(detail, "orderItems", "packageDetail")
    with state.world.lock:
        order = _order(state, req.params["orderId"], now)
        if marketplace_id != order.marketplace_id:
            raise invalid_input("The marketplaceId does not match the order.")
        status = order.status_at(now)
        if order.channel != "MFN":
            raise invalid_input("Only merchant-fulfilled orders can be confirmed.")
        if status not in ("Unshipped", "PartiallyShipped"):
            raise invalid_input(f"The order is {status} and cannot be confirmed.")
        lines = {ln.item_id: ln for ln in order.lines}
        for item in wanted:
            if not isinstance(item, dict) or item.get("orderItemId") not in lines:
                raise invalid_input(f"Unknown orderItemId in {item!r}.")
            quantity = item.get("quantity")
            if (
                not isinstance(quantity, int)
                or not 0 < quantity <= lines[item["orderItemId"]].quantity
            ):
                raise invalid_input(f"Invalid quantity in {item!r}.")
        order.packages.append(
            {
                "packageReferenceId": detail["packageReferenceId"],
                "createdTime": iso(now),
                "packageStatus": {"status": "SHIPPED"},
                "carrier": detail["carrierCode"],
                "shipTime": iso(ship_date),
                "shippingService": str(detail.get("shippingMethod") or "Standard"),
                "trackingNumber": detail["trackingNumber"],
                "packageItems": [
                    {"orderItemId": i["orderItemId"], "quantity": i["quantity"]} for i in wanted
                ],
            }
        )
        shipped_ids = {
            str(i["orderItemId"])
            for p in order.packages
            for i in p["packageItems"]  # type: ignore[attr-defined]
        }
        done = all(ln.item_id in shipped_ids for ln in order.lines)
        state.world.add_stage(order, now, "Shipped" if done else "PartiallyShipped")
    return Response(204, b"")


ROUTES = [
    Route("GET", "/orders/v0/orders", "getOrders", get_orders, rdt="optional"),
    Route(
        "GET",
        "/orders/v0/orders/{orderId}/orderItems",
        "getOrderItems",
        get_order_items,
        rdt="optional",
    ),
    Route(
        "POST",
        "/orders/v0/orders/{orderId}/shipmentConfirmation",
        "confirmShipment",
        confirm_shipment,
    ),
]
