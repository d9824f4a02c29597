"""Merchant Fulfillment API v0: eligible services, label purchase (RDT), get and cancel.

Labels are real: rendered with the buyer's address and a Code 128 tracking barcode, returned as
``Contents = base64(gzip(label))`` with ``Checksum = base64(md5(label))`` (the fault kind
``checksum-mismatch`` sends a wrong checksum once). Buying a label marks the order Shipped
(Amazon confirms the shipment for Buy Shipping labels). Cancelling (voiding) it within the
carrier's void window moves the shipment to RefundPending, then RefundApplied a day later; the
order stays Shipped, as on Amazon ("after you request a label refund the status of the order
remains Shipped"), and a new label may be bought while no other label of the order is live.
After the window, cancelShipment is refused. Services carry Amazon's claims-protection benefit
when they arrive by the order's latest delivery date; USPS rejects packages over 70 lb.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import uuid
from typing import Any

from . import labels
from .catalog import MARKETS
from .clock import iso
from .data import DAY, Order
from .render import check_order_id
from .state import Shipment, SimState
from .wire import (
    ApiError,
    JsonObj,
    Request,
    Response,
    Route,
    invalid_input,
    json_response,
    not_found,
    require_str,
)

#: per country: (carrier, service name, service id, base cents, cents per oz, days, formats)
SERVICES: dict[str, tuple[tuple[str, str, str, int, int, int, tuple[str, ...]], ...]] = {
    "US": (
        ("USPS", "USPS Ground Advantage", "USPS_PTP_GA", 455, 18, 5, ("PDF", "PNG", "ZPL203")),
        ("USPS", "USPS Priority Mail", "USPS_PTP_PRI", 845, 22, 3, ("PDF", "PNG", "ZPL203")),
        ("UPS", "UPS Ground", "UPS_PTP_GND", 910, 25, 4, ("PDF", "PNG", "ZPL203", "ZPL300")),
        (
            "FEDEX",
            "FedEx Home Delivery",
            "FEDEX_PTP_HOME",
            960,
            24,
            4,
            ("PDF", "PNG", "ZPL203", "ZPL300"),
        ),
    ),
    "CA": (
        (
            "CANADA_POST",
            "Canada Post Expedited Parcel",
            "CP_EXP",
            1150,
            30,
            4,
            ("PDF", "PNG", "ZPL203"),
        ),
        (
            "PUROLATOR",
            "Purolator Ground",
            "PUROLATOR_GND",
            1320,
            28,
            5,
            ("PDF", "ZPL203", "ZPL300"),
        ),
    ),
    "MX": (
        (
            "ESTAFETA",
            "Estafeta Dia Siguiente",
            "ESTAFETA_NXT",
            14900,
            400,
            2,
            ("PDF", "PNG", "ZPL203"),
        ),
        (
            "DHL",
            "DHL Express Domestico",
            "DHL_EXP_DOM",
            18900,
            450,
            2,
            ("PDF", "PNG", "ZPL203", "ZPL300"),
        ),
    ),
}
#: simulated void windows per carrier (Amazon does not publish them; Seller Central help does)
VOID_WINDOW_DAYS = {"USPS": 28.0}
DEFAULT_VOID_WINDOW_DAYS = 1.0
REFUND_DAYS = 1.0  # RefundPending -> RefundApplied
USPS_MAX_OUNCES = 70 * 16
#: carriers whose terms the demo seller has not accepted in Seller Central
TERMS_NOT_ACCEPTED = {"US": ("DHL_ECOMMERCE",)}
LIVE = ("Purchased", "RefundRejected")
ADDRESS_REQUIRED = ("Name", "AddressLine1", "City", "PostalCode", "CountryCode", "Email", "Phone")


def _relabel_ok(state: SimState, order_id: str) -> bool:
    """A Shipped order may get a new label when every label it had was voided."""
    with state.lock:
        mine = [s.status for s in state.shipments.values() if s.order_id == order_id]
    return bool(mine) and not any(status in LIVE for status in mine)


def _details(
    state: SimState, body: JsonObj, now: float, relabel: bool = False
) -> tuple[JsonObj, Order, float]:
    """Validate ShipmentRequestDetails; returns (details, order, weight in ounces).
    `relabel`: the order's labels were all voided (a Shipped order may be labelled again)."""
    details = body.get("ShipmentRequestDetails")
    if not isinstance(details, dict):
        raise invalid_input("Missing ShipmentRequestDetails.")
    order_id = require_str(details, "AmazonOrderId", "ShipmentRequestDetails")
    check_order_id(order_id)
    ship_from = details.get("ShipFromAddress")
    if not isinstance(ship_from, dict):
        raise invalid_input("Missing ShipFromAddress.")
    for name in ADDRESS_REQUIRED:
        require_str(ship_from, name, "ShipFromAddress")
    if not re.fullmatch(r"[A-Z]{2}", ship_from["CountryCode"]):
        raise invalid_input("ShipFromAddress.CountryCode must be a two-letter ISO 3166 code.")
    weight = details.get("Weight")
    if not isinstance(weight, dict) or weight.get("Unit") not in ("oz", "g", "ounces", "grams"):
        raise invalid_input("Weight needs a Value and a Unit (oz or g).")
    value = weight.get("Value")
    if not isinstance(value, int | float) or value <= 0:
        raise invalid_input("Weight.Value must be a positive number.")
    ounces = float(value) if weight["Unit"] in ("oz", "ounces") else float(value) / 28.3495
    if not isinstance(details.get("PackageDimensions"), dict):
        raise invalid_input("Missing PackageDimensions.")
    options = details.get("ShippingServiceOptions")
    if (
        not isinstance(options, dict)
        or "DeliveryExperience" not in options
        or "CarrierWillPickUp" not in options
    ):
        raise invalid_input(
            "ShippingServiceOptions needs DeliveryExperience and CarrierWillPickUp."
        )
    order = state.world.by_id.get(order_id)
    if order is None or order.created > now:
        raise not_found(f"Order {order_id} was not found.")
    if order.channel != "MFN":
        raise invalid_input(f"Order {order_id} is fulfilled by Amazon.")
    status = order.status_at(now)
    if status not in ("Unshipped", "PartiallyShipped") and not (status == "Shipped" and relabel):
        raise invalid_input(
            f"Order {order_id} is {status}; labels can only be bought for unshipped orders."
        )
    item_ids = {ln.item_id: ln.quantity for ln in order.lines}
    items = details.get("ItemList")
    if not isinstance(items, list) or not items:
        raise invalid_input("ItemList must list the order items in the package.")
    for item in items:
        if not isinstance(item, dict) or item.get("OrderItemId") not in item_ids:
            raise invalid_input(f"Unknown OrderItemId in {item!r}.")
        quantity = item.get("Quantity")
        if not isinstance(quantity, int) or not 0 < quantity <= item_ids[item["OrderItemId"]]:
            raise invalid_input(f"Invalid Quantity in {item!r}.")
    return details, order, ounces


def _services(order: Order, details: JsonObj, ounces: float, now: float) -> list[JsonObj]:
    market = MARKETS[order.marketplace_id]
    options: dict[str, Any] = details["ShippingServiceOptions"]
    out = []
    for carrier, name, service_id, base, per_oz, days, formats in SERVICES[market.country]:
        if carrier == "USPS" and ounces > USPS_MAX_OUNCES:
            continue
        cents = base + round(per_oz * ounces)
        rate = {"CurrencyCode": market.currency, "Amount": cents / 100}
        echo = {
            k: options[k]
            for k in ("DeliveryExperience", "CarrierWillPickUp", "LabelFormat")
            if k in options
        }
        out.append(
            {
                "ShippingServiceName": name,
                "CarrierName": carrier,
                "ShippingServiceId": service_id,
                "ShippingServiceOfferId": f"{service_id}.{order.order_id}.{cents}",
                "ShipDate": iso(now),
                "EarliestEstimatedDeliveryDate": iso(now + (days - 1) * DAY),
                "LatestEstimatedDeliveryDate": iso(now + days * DAY),
                "Rate": rate,
                "RateWithAdjustments": rate,
                "ShippingServiceOptions": echo,
                "AvailableLabelFormats": list(formats),
                "AvailableFormatOptionsForLabel": [
                    {"IncludePackingSlipWithLabel": False, "LabelFormat": f} for f in formats
                ],
                "RequiresAdditionalSellerInputs": False,
                "Benefits": _benefits(now + days * DAY <= order.deliver_by),
            }
        )
    return out


def _benefits(on_time: bool) -> JsonObj:
    if on_time:
        return {"IncludedBenefits": ["CLAIMS_PROTECTED"], "ExcludedBenefits": []}
    return {
        "IncludedBenefits": [],
        "ExcludedBenefits": [
            {"Benefit": "CLAIMS_PROTECTED", "ReasonCodes": ["LATE_DELIVERY_RISK"]}
        ],
    }


def _rejected(order: Order, ounces: float) -> list[JsonObj]:
    market = MARKETS[order.marketplace_id]
    if ounces <= USPS_MAX_OUNCES:
        return []
    return [
        {
            "CarrierName": carrier,
            "ShippingServiceName": name,
            "ShippingServiceId": service_id,
            "RejectionReasonCode": "WEIGHT_EXCEEDED",
            "RejectionReasonMessage": "The package is heavier than 70 lb.",
        }
        for carrier, name, service_id, *_ in SERVICES[market.country]
        if carrier == "USPS"
    ]


def eligible_services(state: SimState, req: Request) -> Response:
    now = state.now()
    body = req.json()
    relabel = _relabel_ok(state, _order_id_of(body))
    with state.world.lock:
        details, order, ounces = _details(state, body, now, relabel)
        services = _services(order, details, ounces, now)
        country = MARKETS[order.marketplace_id].country
        rejected = _rejected(order, ounces)
    payload = {
        "ShippingServiceList": services,
        "RejectedShippingServiceList": rejected,
        "TemporarilyUnavailableCarrierList": [],
        "TermsAndConditionsNotAcceptedCarrierList": [
            {"CarrierName": c} for c in TERMS_NOT_ACCEPTED.get(country, ())
        ],
    }
    return json_response(200, {"payload": payload})


def _order_id_of(body: JsonObj) -> str:
    details = body.get("ShipmentRequestDetails")
    order_id = details.get("AmazonOrderId") if isinstance(details, dict) else None
    return order_id if isinstance(order_id, str) else ""


def _tracking(carrier: str, number: int) -> str:
    digits = f"{number * 7_919 + 104_729:012d}"
    if carrier == "UPS":
        return f"1Z999AA1{digits[-10:]}"
    if carrier == "USPS":
        return f"9400111899{digits}"
    if carrier == "CANADA_POST":
        return f"7023{digits}"
    return digits


def create_shipment(state: SimState, req: Request) -> Response:
    now = state.now()
    body = req.json()
    service_id = require_str(body, "ShippingServiceId")
    number = state.next_number()  # lock order: state.lock is never taken inside world.lock
    relabel = _relabel_ok(state, _order_id_of(body))
    with state.world.lock:
        details, order, ounces = _details(state, body, now, relabel)
        services = {s["ShippingServiceId"]: s for s in _services(order, details, ounces, now)}
        service = services.get(service_id)
        if service is None:
            raise invalid_input(
                f"ShippingServiceId {service_id!r} is not eligible for this package."
            )
        label_format = (
            details["ShippingServiceOptions"].get("LabelFormat") or "ShippingServiceDefault"
        )
        if label_format == "ShippingServiceDefault":
            label_format = "PDF"
        if label_format not in service["AvailableLabelFormats"]:
            raise invalid_input(f"LabelFormat {label_format} is not available for {service_id}.")
        buyer = state.world.buyer(order)
        tracking = _tracking(service["CarrierName"], number)
        ship_from = details["ShipFromAddress"]
        info = labels.LabelInfo(
            carrier=service["CarrierName"],
            service=service["ShippingServiceName"],
            tracking_id=tracking,
            order_id=order.order_id,
            ship_from=(
                ship_from["Name"],
                ship_from["AddressLine1"],
                f"{ship_from['City']}, {ship_from.get('StateOrProvinceCode', '')} "
                f"{ship_from['PostalCode']}",
            ),
            ship_to=tuple(
                x
                for x in (
                    buyer.name,
                    buyer.line1,
                    buyer.line2,
                    f"{buyer.city}, {buyer.state} {buyer.postal}",
                    buyer.country,
                )
                if x
            ),
        )
        content, mime = labels.render(label_format, info)
        shipment_id = str(uuid.uuid4())
        ship_to = {
            "Name": buyer.name,
            "AddressLine1": buyer.line1,
            **({"AddressLine2": buyer.line2} if buyer.line2 else {}),
            "Email": buyer.email,
            "City": buyer.city,
            "StateOrProvinceCode": buyer.state,
            "PostalCode": buyer.postal,
            "CountryCode": buyer.country,
            "Phone": buyer.phone,
        }
        payload: JsonObj = {
            "ShipmentId": shipment_id,
            "AmazonOrderId": order.order_id,
            "ItemList": details["ItemList"],
            "ShipFromAddress": ship_from,
            "ShipToAddress": ship_to,
            "PackageDimensions": details["PackageDimensions"],
            "Weight": details["Weight"],
            "Insurance": {"CurrencyCode": MARKETS[order.marketplace_id].currency, "Amount": 0.0},
            "ShippingService": service,
            "Label": {
                "Dimensions": {"Length": 6.0, "Width": 4.0, "Unit": "inches"},
                "FileContents": {
                    "Contents": base64.b64encode(gzip.compress(content, mtime=0)).decode("ascii"),
                    "FileType": mime,
                    "Checksum": _checksum(content),
                },
                "LabelFormat": label_format,
            },
            "Status": "Purchased",
            "TrackingId": tracking,
            "CreatedDate": iso(now),
            "_createdAt": now,
        }
        order.packages.append(
            {
                "packageReferenceId": shipment_id,
                "createdTime": iso(now),
                "packageStatus": {"status": "SHIPPED"},
                "carrier": service["CarrierName"],
                "shipTime": iso(now),
                "shippingService": service["ShippingServiceName"],
                "trackingNumber": tracking,
                "packageItems": [
                    {"orderItemId": i["OrderItemId"], "quantity": i["Quantity"]}
                    for i in details["ItemList"]
                ],
            }
        )
        state.world.add_stage(order, now, "Shipped")
    with state.lock:
        state.shipments[shipment_id] = Shipment(shipment_id, order.order_id, payload)
    return json_response(
        200, {"payload": _answer(state, "createShipment", payload)}, [order.order_id]
    )


def _public_new(payload: JsonObj) -> JsonObj:
    return {k: v for k, v in payload.items() if not k.startswith("_")}


def _checksum(content: bytes) -> str:
    return base64.b64encode(hashlib.md5(content).digest()).decode("ascii")  # noqa: S324


def _answer(state: SimState, operation: str, payload: JsonObj) -> JsonObj:
    """The payload as sent (private keys dropped); a pending ``checksum-mismatch`` fault for
    `operation` spoils this one answer's label checksum (the stored shipment keeps the right
    one, so getShipment downloads it intact)."""
    out = _public_new(payload)
    label = out.get("Label")
    if not isinstance(label, dict) or not isinstance(label.get("FileContents"), dict):
        return out
    if state.faults.take(operation, frozenset({"checksum-mismatch"})) is not None:
        wrong = dict(label["FileContents"], Checksum=_checksum(b"not the label"))
        out["Label"] = dict(label, FileContents=wrong)
    return out


def _void_deadline(shipment: Shipment) -> float:
    service = shipment.payload.get("ShippingService")
    carrier = str(service.get("CarrierName", "")) if isinstance(service, dict) else ""
    days = VOID_WINDOW_DAYS.get(carrier, DEFAULT_VOID_WINDOW_DAYS)
    created = shipment.payload.get("_createdAt")
    return (float(created) if isinstance(created, int | float) else 0.0) + days * DAY


def _status(shipment: Shipment, now: float) -> str:
    """RefundPending becomes RefundApplied a day after the void."""
    voided = shipment.payload.get("_voidedAt")
    pending = shipment.status == "RefundPending" and isinstance(voided, float)
    if pending and now >= float(voided) + REFUND_DAYS * DAY:  # type: ignore[arg-type]
        shipment.status = "RefundApplied"
    return shipment.status


def _public(shipment: Shipment, now: float) -> JsonObj:
    payload = _public_new(dict(shipment.payload))
    payload["Status"] = _status(shipment, now)
    return payload


def _shipment(state: SimState, shipment_id: str) -> Shipment:
    try:
        uuid.UUID(shipment_id)
    except ValueError:
        raise invalid_input(f"Invalid shipmentId {shipment_id!r}.") from None
    shipment = state.shipments.get(shipment_id)
    if shipment is None:
        raise not_found(f"Shipment {shipment_id} was not found.")
    return shipment


def get_shipment(state: SimState, req: Request) -> Response:
    now = state.now()
    with state.lock:
        shipment = _shipment(state, req.params["shipmentId"])
        payload = _public(shipment, now)
    return json_response(
        200, {"payload": _answer(state, "getShipment", payload)}, [shipment.order_id]
    )


def cancel_shipment(state: SimState, req: Request) -> Response:
    now = state.now()
    with state.lock:
        shipment = _shipment(state, req.params["shipmentId"])
        status = _status(shipment, now)
        if status != "Purchased":
            raise ApiError(400, "InvalidInput", f"Shipment is {status}; it cannot be cancelled.")
        deadline = _void_deadline(shipment)
        if now > deadline:
            raise ApiError(
                400,
                "InvalidInput",
                f"The void window for this label ended at {iso(deadline)}; it can no longer "
                "be cancelled.",
            )
        shipment.status = "RefundPending"
        shipment.payload["_voidedAt"] = float(now)
        payload = dict(_public(shipment, now), LastUpdatedDate=iso(now))
    # The order stays Shipped (Amazon's model); its package stays on the order.
    return json_response(200, {"payload": payload}, [shipment.order_id])


ROUTES = [
    Route(
        "POST", "/mfn/v0/eligibleShippingServices", "getEligibleShipmentServices", eligible_services
    ),
    Route("POST", "/mfn/v0/shipments", "createShipment", create_shipment, rdt="required"),
    Route("GET", "/mfn/v0/shipments/{shipmentId}", "getShipment", get_shipment, rdt="required"),
    Route(
        "DELETE",
        "/mfn/v0/shipments/{shipmentId}",
        "cancelShipment",
        cancel_shipment,
        rdt="required",
    ),
]
