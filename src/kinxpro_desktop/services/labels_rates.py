"""Rate shopping for MFN labels: the request Amazon wants, its answer read into quotes, the
default service rule, and the label format that suits a printer.

Default rule: among the services that arrive by the order's deliver-by date, claims-protected
ones first, then the cheapest (then the earliest arrival). When none arrives in time, the one
that arrives first. Carriers Amazon left out are listed with what the seller can do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import Money, Order
from kinxpro_desktop.core.printing import PrinterInfo
from kinxpro_desktop.core.shipping import CarrierNote, Package, RateQuote, ServiceOffer

Json = dict[str, Any]

SHIP_FROM_FIELDS = (
    "Name",
    "AddressLine1",
    "AddressLine2",
    "City",
    "StateOrProvinceCode",
    "PostalCode",
    "CountryCode",
    "Email",
    "Phone",
)
SHIP_FROM_REQUIRED = ("Name", "AddressLine1", "City", "PostalCode", "CountryCode", "Email", "Phone")
NO_SHIP_FROM = (
    "Kinxpro needs your ship-from address before it can ask Amazon for label rates: enter it "
    "in Labels ▸ Ship-from address (or `kinxpro-desktop labels ship-from --name … --line1 … "
    "--city … --postal-code … --country US --email … --phone …`)."
)
#: formats Amazon's model lists; real answers also carry others ("ZPL", ""): kept as strings
KNOWN_FORMATS = ("PDF", "PNG", "ZPL203", "ZPL300", "ShippingServiceDefault")
TERMS_ACTION = (
    "Accept the carrier's terms in Seller Central (Settings ▸ Shipping settings ▸ Buy "
    "Shipping), then get rates again."
)
UNAVAILABLE_ACTION = "The carrier is temporarily unavailable at Amazon: try again later."
REJECTED_ACTION = "Change the package (size or weight) or choose another service."


def check_ship_from(address: Mapping[str, object] | None) -> Json:
    """The seller's own address (not buyer data) as Amazon's Address object."""
    if not address:
        raise UserError(NO_SHIP_FROM)
    out = {
        k: str(address[k]).strip() for k in SHIP_FROM_FIELDS if str(address.get(k) or "").strip()
    }
    missing = [k for k in SHIP_FROM_REQUIRED if k not in out]
    if missing:
        raise UserError(f"The ship-from address lacks {', '.join(missing)}. {NO_SHIP_FROM}")
    if len(out["CountryCode"]) != 2 or not out["CountryCode"].isalpha():
        raise UserError(
            "The ship-from country must be a two-letter code (US, CA, MX, GB, DE…); change it "
            "in the ship-from address."
        )
    out["CountryCode"] = out["CountryCode"].upper()
    return out


def item_list(order: Order) -> list[Json]:
    """Every item still to ship, as Amazon's ItemList."""
    items = [
        {"OrderItemId": i.order_item_id, "Quantity": i.quantity_ordered - i.quantity_shipped}
        for i in order.items
        if i.quantity_ordered - i.quantity_shipped > 0
    ]
    if not items:
        raise UserError(
            f"Order {order.order_id} has no items left to ship; sync again if that is wrong."
        )
    return items


def shipment_details(
    order: Order, package: Package, ship_from: Json, label_format: str = ""
) -> Json:
    package.check()
    options: Json = {
        "DeliveryExperience": "DeliveryConfirmationWithoutSignature",
        "CarrierWillPickUp": False,
    }
    if label_format:
        options["LabelFormat"] = label_format
    return {
        "AmazonOrderId": order.order_id,
        "ItemList": item_list(order),
        "ShipFromAddress": ship_from,
        "PackageDimensions": {
            "Length": round(package.length, 2),
            "Width": round(package.width, 2),
            "Height": round(package.height, 2),
            "Unit": "inches",
        },
        "Weight": {"Value": round(package.weight_oz, 2), "Unit": "oz"},
        "ShippingServiceOptions": options,
    }


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def money_of(rate: object) -> Money | None:
    if not isinstance(rate, dict):
        return None
    try:
        amount = Decimal(str(rate.get("Amount")))
    except (InvalidOperation, ValueError):
        return None
    currency = str(rate.get("CurrencyCode") or "")
    return Money(amount, currency) if currency and amount.is_finite() else None


def _protected(service: Json) -> bool:
    benefits = service.get("Benefits")
    if not isinstance(benefits, dict):
        return False
    included = benefits.get("IncludedBenefits") or []
    return isinstance(included, list) and "CLAIMS_PROTECTED" in included


def parse_quote(order: Order, package: Package, payload: Json) -> RateQuote:
    offers = []
    for s in payload.get("ShippingServiceList") or []:
        if not isinstance(s, dict) or not s.get("ShippingServiceId"):
            continue
        price = money_of(s.get("RateWithAdjustments")) or money_of(s.get("Rate"))
        if price is None:
            continue
        latest = _time(s.get("LatestEstimatedDeliveryDate"))
        formats = s.get("AvailableLabelFormats") or []
        offers.append(
            ServiceOffer(
                service_id=str(s["ShippingServiceId"]),
                offer_id=str(s.get("ShippingServiceOfferId") or ""),
                carrier=str(s.get("CarrierName") or ""),
                name=str(s.get("ShippingServiceName") or s["ShippingServiceId"]),
                price=price,
                earliest=_time(s.get("EarliestEstimatedDeliveryDate")),
                latest=latest,
                formats=tuple(str(f) for f in formats if isinstance(f, str)),
                protected=_protected(s),
                arrives_in_time=order.deliver_by is None
                or (latest is not None and latest <= order.deliver_by),
            )
        )
    offers.sort(key=lambda o: (o.price.amount, o.latest or datetime.max.replace(tzinfo=UTC)))
    notes = _notes(payload)
    default = choose_default(offers)
    return RateQuote(
        order_id=order.order_id,
        package=package,
        offers=tuple(offers),
        notes=tuple(notes),
        default_service_id=default.service_id if default else "",
        error="" if offers else _no_offers(order.order_id, notes),
    )


def _no_offers(order_id: str, notes: Sequence[CarrierNote]) -> str:
    hint = f" ({notes[0].carrier}: {notes[0].reason}; {notes[0].action})" if notes else ""
    return (
        f"Amazon offered no shipping service for order {order_id}{hint}. Check the package "
        "size and weight and the ship-from address, then get rates again."
    )


def _notes(payload: Json) -> list[CarrierNote]:
    notes = []
    for r in payload.get("RejectedShippingServiceList") or []:
        if isinstance(r, dict):
            reason = str(r.get("RejectionReasonMessage") or r.get("RejectionReasonCode") or "")
            notes.append(
                CarrierNote(
                    str(r.get("CarrierName") or ""),
                    str(r.get("ShippingServiceName") or r.get("ShippingServiceId") or ""),
                    f"rejected: {reason}" if reason else "rejected",
                    REJECTED_ACTION,
                )
            )
    for key, reason, action in (
        ("TemporarilyUnavailableCarrierList", "temporarily unavailable", UNAVAILABLE_ACTION),
        ("TermsAndConditionsNotAcceptedCarrierList", "carrier terms not accepted", TERMS_ACTION),
    ):
        for c in payload.get(key) or []:
            if isinstance(c, dict):
                notes.append(CarrierNote(str(c.get("CarrierName") or ""), "", reason, action))
    return notes


def choose_default(offers: Sequence[ServiceOffer]) -> ServiceOffer | None:
    far = datetime.max.replace(tzinfo=UTC)
    in_time = [o for o in offers if o.arrives_in_time]
    if in_time:
        return min(in_time, key=lambda o: (not o.protected, o.price.amount, o.latest or far))
    if offers:
        return min(offers, key=lambda o: (o.latest or far, o.price.amount))
    return None


def choose_format(offer_formats: Sequence[str], printer: PrinterInfo | None) -> str:
    """The label format for `printer`: ZPL203/ZPL300 by its DPI for a raw thermal printer,
    otherwise PDF (or PNG). "" (let Amazon choose) when the service lists none of them."""
    offered = list(offer_formats)
    if printer is not None and printer.thermal and printer.raw_capable:
        want = printer.zpl_format
        if not offered or want in offered:
            return want
        for other in ("ZPL203", "ZPL300", "ZPL"):
            if other in offered:
                return other
    for fmt in ("PDF", "PNG"):
        if not offered or fmt in offered:
            return fmt
    return ""


def format_refused(message: str) -> bool:
    """Amazon's refusal names the label format (it refused that, not the purchase)."""
    text = message.lower()
    return "labelformat" in text or "label format" in text or "format" in text
