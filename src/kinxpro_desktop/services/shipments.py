"""Confirm shipment for orders shipped outside Kinxpro (Orders v0 confirmShipment).

The carrier comes from Amazon's carrier list; the tracking number is checked against the
carrier's format (UPS 1Z…, USPS, FedEx, DHL; other carriers: not empty); the ship date is not
in the future nor before the order. The order is read from Amazon first (its item ids and
whether it still needs shipping), the intent is recorded (``sync_state["confirm:<order>"]``)
before the write, and after a lost answer Kinxpro reconciles with getOrder (the package
reference it sent, or the order's status) before anything is sent again. The stored order
follows Amazon's status; every confirmation is audited (order id and carrier, no buyer data).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import Order
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import AWAITING_SHIPMENT, Actor, AuditEvent, Channel
from kinxpro_desktop.services.listing_edits import GatewaySource
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.spapi.errors import OutcomeUnknown, SpApiError
from kinxpro_desktop.spapi.mapping import order_from_2026
from kinxpro_desktop.store.database import Database


def amazon_time(moment: datetime) -> str:
    """ISO 8601 UTC with a Z, whole seconds (spapi.orders.amazon_time, without importing the
    SP-API library at start-up)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


INCLUDED = ("FULFILLMENT", "PROCEEDS", "PACKAGES")
INTENT = "confirm:{order_id}"

#: Amazon's carrier codes for confirmShipment (the common ones of its CarrierCode list);
#: "Other" needs the carrier's name
CARRIERS: tuple[str, ...] = (
    "USPS",
    "UPS",
    "UPSMI",
    "FedEx",
    "FedEx SmartPost",
    "DHL",
    "DHL eCommerce",
    "OnTrac",
    "LaserShip",
    "Amazon Shipping",
    "Canada Post",
    "Royal Mail",
    "Parcelforce",
    "DPD",
    "Hermes",
    "GLS",
    "Deutsche Post",
    "La Poste",
    "Chronopost",
    "Poste Italiane",
    "Correos",
    "PostNL",
    "Australia Post",
    "Japan Post",
    "Yamato Transport",
    "Sagawa Express",
    "Other",
)

_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "UPS": (re.compile(r"1Z[0-9A-Z]{16}"), "1Z followed by 16 letters or digits"),
    "USPS": (
        re.compile(r"(?:9[1-5]\d{18,20}|82\d{8}|[A-Z]{2}\d{9}US)"),
        "20 to 22 digits starting with 91-95, or 13 characters like EA123456789US",
    ),
    "FedEx": (re.compile(r"\d{12}|\d{15}|\d{20}|\d{22}"), "12, 15, 20 or 22 digits"),
    "FedEx SmartPost": (re.compile(r"\d{20}|\d{22}"), "20 or 22 digits"),
    "DHL": (
        re.compile(r"\d{10,11}|JJD\d{18,20}|JVGL\d{10,20}"),
        "10 or 11 digits (DHL Express), or JJD/JVGL followed by digits",
    ),
    "DHL eCommerce": (
        re.compile(r"(?:GM|LX|RX|CN)?[0-9A-Z]{10,34}"),
        "10 to 34 letters and digits (for example GM… or 420…)",
    ),
}


class InvalidShipment(UserError):
    title = "Check the shipment"


@dataclass(frozen=True)
class Confirmation:
    order_id: str
    carrier: str
    tracking: str
    ship_date: datetime
    status: str  # the order's status afterwards
    reconciled: bool = False  # Amazon already had it (a lost answer that had gone through)


def normalise_tracking(carrier: str, tracking: str) -> str:
    """`tracking` without spaces and dashes, upper case, checked against `carrier`'s format."""
    raw = re.sub(r"[\s-]", "", tracking or "").upper()
    if not raw:
        raise InvalidShipment(f"Enter the {carrier} tracking number.")
    if len(raw) > 64 or not re.fullmatch(r"[0-9A-Z]+", raw):
        raise InvalidShipment(
            f"{tracking.strip()!r} is not a tracking number: use only the letters and digits "
            "from the carrier's receipt."
        )
    expected = _FORMATS.get(carrier)
    if expected is not None and not expected[0].fullmatch(raw):
        raise InvalidShipment(
            f"{tracking.strip()!r} does not look like a {carrier} tracking number "
            f"({expected[1]}). Check it, or choose the right carrier."
        )
    return raw


def check_carrier(carrier: str, carrier_name: str = "") -> str:
    by_lower = {c.lower(): c for c in CARRIERS}
    found = by_lower.get(carrier.strip().lower())
    if found is None:
        raise InvalidShipment(
            f"{carrier.strip()!r} is not in Amazon's carrier list: choose one of "
            f"{', '.join(CARRIERS)} (Other with the carrier's name)."
        )
    if found == "Other" and not carrier_name.strip():
        raise InvalidShipment("With carrier Other, also give the carrier's name.")
    return found


def parse_ship_date(value: str | date | datetime | None, now: datetime) -> datetime:
    """A ship date (a day, or a moment) as a UTC moment no later than `now`. A bare day is
    taken at midday UTC; the seller's "today" may be a day ahead of UTC's (UTC+14 at most)."""
    if value is None or value == "":
        return now
    day: date | None = None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, date):
        day = value
    else:
        text = value.strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
            else:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
                moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            raise InvalidShipment(
                f"{value!r} is not a date: use YYYY-MM-DD, for example {now:%Y-%m-%d}."
            ) from None
    if day is not None:
        if day > (now + timedelta(hours=14)).date():
            raise InvalidShipment(
                f"The ship date {day:%Y-%m-%d} is in the future: confirm the shipment once the "
                "package has left."
            )
        return min(datetime.combine(day, time(12, 0), UTC), now)
    if moment > now + timedelta(minutes=5):
        raise InvalidShipment(
            f"The ship time {moment:%Y-%m-%d %H:%M} UTC is in the future: confirm the shipment "
            "once the package has left."
        )
    return min(moment, now)


class ShipmentService:
    def __init__(
        self,
        db: Database,
        connection: GatewaySource,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.connection = connection
        self.clock = clock

    carriers = CARRIERS

    def validate(
        self,
        order_id: str,
        carrier: str,
        tracking: str,
        ship_date: str | date | datetime | None = None,
        carrier_name: str = "",
    ) -> tuple[Order, str, str, datetime]:
        """Everything checked locally (no call to Amazon): (order, carrier, tracking, date)."""
        order = self.db.orders.get(order_id)
        if order is None:
            raise InvalidShipment(
                f"Order {order_id} is not in Kinxpro: check the order id, or sync first."
            )
        if order.fulfillment_channel != Channel.MFN:
            raise InvalidShipment(f"Order {order_id} is fulfilled by Amazon: Amazon ships it.")
        if order.status not in AWAITING_SHIPMENT:
            raise InvalidShipment(
                f"Order {order_id} is {order.status}: only unshipped orders can be confirmed."
            )
        code = check_carrier(carrier, carrier_name)
        number = normalise_tracking(code, tracking)
        when = parse_ship_date(ship_date, self.clock())
        if when < order.purchase_date - timedelta(hours=12):
            raise InvalidShipment(
                f"The ship date {when:%Y-%m-%d} is before the order was placed "
                f"({order.purchase_date:%Y-%m-%d})."
            )
        return order, code, number, when

    def confirm(
        self,
        order_id: str,
        carrier: str,
        tracking: str,
        ship_date: str | date | datetime | None = None,
        *,
        carrier_name: str = "",
        cancel: CancelToken | None = None,
        actor: str = Actor.OWNER,
    ) -> Confirmation:
        order, code, number, when = self.validate(
            order_id, carrier, tracking, ship_date, carrier_name
        )
        gateway = self.connection.gateway()
        key = INTENT.format(order_id=order_id)
        intent = self.db.sync_state.get(key).detail
        raw = gateway.orders.get_order(order_id, INCLUDED, cancel)
        if intent.get("state") in ("sending", "unknown"):
            if self._went_through(raw, intent):
                return self._done(raw, intent, actor, reconciled=True)
        elif _status(raw) not in AWAITING_SHIPMENT:
            self._store(raw)
            raise InvalidShipment(
                f"Amazon says order {order_id} is {_status(raw)}: nothing was sent "
                "(Kinxpro updated the order)."
            )
        items = [
            {"orderItemId": i["orderItemId"], "quantity": i["quantity"]} for i in _open_items(raw)
        ]
        if not items:
            self._store(raw)
            raise InvalidShipment(f"Order {order_id} has no items left to ship on Amazon.")
        now = self.clock()
        package_ref = str(intent.get("package_ref") or f"{int(now.timestamp()) % 10**9}")
        package: dict[str, Any] = {
            "packageReferenceId": package_ref,
            "carrierCode": code,
            "trackingNumber": number,
            "shipDate": amazon_time(when),
            "orderItems": items,
        }
        if code == "Other":
            package["carrierName"] = carrier_name.strip()
        detail = {
            "state": "sending",
            "package_ref": package_ref,
            "carrier": code,
            "tracking": number,
            "ship_date": amazon_time(when),
            "at": amazon_time(now),
        }
        with self.db.transaction() as uow:
            uow.sync_state.set(key, None, detail, now)
        try:
            gateway.orders.confirm_shipment(order_id, order.marketplace_id, package, cancel)
        except OutcomeUnknown:
            raw_after = gateway.orders.get_order(order_id, INCLUDED, cancel)
            if self._went_through(raw_after, detail):
                return self._done(raw_after, detail, actor, reconciled=True)
            with self.db.transaction() as uow:
                uow.sync_state.set(key, None, {**detail, "state": "unknown"}, self.clock())
                uow.audit.append(
                    AuditEvent.SHIPMENT_CONFIRMED,
                    actor,
                    [order_id],
                    {"result": "unknown", "carrier": code},
                )
            raise
        except SpApiError:
            with self.db.transaction() as uow:  # refused or not sent: nothing is in flight
                uow.sync_state.set(key, None, {**detail, "state": "failed"}, self.clock())
            raise
        except BaseException:
            # interrupted (Ctrl-C, a crash in between): it may have gone out, so the intent
            # stays "sending" and the next confirm reconciles with getOrder before sending
            raise
        raw_after = gateway.orders.get_order(order_id, INCLUDED, cancel)
        return self._done(raw_after, detail, actor, reconciled=False)

    @staticmethod
    def _went_through(raw: dict[str, Any], intent: dict[str, Any]) -> bool:
        refs = {str(p.get("packageReferenceId")) for p in raw.get("packages") or []}
        return str(intent.get("package_ref")) in refs

    def _store(self, raw: dict[str, Any]) -> Order:
        order = order_from_2026(raw)
        retention = PrivacyService(self.db).retention_days()
        with self.db.transaction() as uow:
            uow.orders.merge_page(
                [order], replace_items=True, now=self.clock(), retention_days=retention
            )
        return order

    def _done(
        self, raw: dict[str, Any], intent: dict[str, Any], actor: str, *, reconciled: bool
    ) -> Confirmation:
        order = order_from_2026(raw)
        retention = PrivacyService(self.db).retention_days()
        now = self.clock()
        with self.db.transaction() as uow:
            uow.orders.merge_page([order], replace_items=True, now=now, retention_days=retention)
            uow.sync_state.set(
                INTENT.format(order_id=order.order_id), None, {**intent, "state": "done"}, now
            )
            uow.audit.append(
                AuditEvent.SHIPMENT_CONFIRMED,
                actor,
                [order.order_id],
                {
                    "result": "reconciled" if reconciled else "confirmed",
                    "carrier": intent.get("carrier", ""),
                    "status": order.status,
                },
            )
        return Confirmation(
            order.order_id,
            str(intent.get("carrier", "")),
            str(intent.get("tracking", "")),
            datetime.fromisoformat(str(intent["ship_date"]).replace("Z", "+00:00")),
            order.status,
            reconciled,
        )


def _status(raw: dict[str, Any]) -> str:
    return order_from_2026(raw).status


def _open_items(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """Items with quantity left to ship: (orderItemId, quantity)."""
    shipped: dict[str, int] = {}
    for package in raw.get("packages") or []:
        for item in package.get("packageItems") or []:
            key = str(item.get("orderItemId"))
            shipped[key] = shipped.get(key, 0) + int(item.get("quantity") or 0)
    out = []
    for line in raw.get("orderItems") or []:
        item_id = str(line.get("orderItemId"))
        quantity = int(line.get("quantityOrdered") or 0)
        fulfilled = int((line.get("fulfillment") or {}).get("quantityFulfilled") or 0)
        left = quantity - max(fulfilled, shipped.get(item_id, 0))
        if left > 0:
            out.append({"orderItemId": item_id, "quantity": left})
    return out
