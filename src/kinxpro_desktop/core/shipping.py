"""Shipping labels: packages, rate quotes, shipments and their statuses (MFN Buy Shipping).

Values only (no I/O). A shipment row is written *before* createShipment is sent (status
``Pending``), so a purchase whose answer is lost is never forgotten and never bought twice.
Tracking ids and shipment ids are not buyer data; label bytes are (they hold the address).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import Money


class ShipmentStatus(StrEnum):
    PENDING = "Pending"  # intent recorded, createShipment about to be (or being) sent
    UNKNOWN = "Unknown"  # createShipment was sent and its answer was lost: reconcile first
    NOT_BOUGHT = "NotBought"  # refused by Amazon, or reconciled as never bought
    PURCHASED = "Purchased"
    REFUND_PENDING = "RefundPending"
    REFUND_APPLIED = "RefundApplied"
    REFUND_REJECTED = "RefundRejected"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def live(self) -> bool:
        """A label that can still be used (and paid for): buying another is a duplicate."""
        return self in (ShipmentStatus.PURCHASED, ShipmentStatus.REFUND_REJECTED)

    @property
    def unresolved(self) -> bool:
        """Kinxpro does not know yet whether Amazon bought it: nothing is sent until it does."""
        return self in (ShipmentStatus.PENDING, ShipmentStatus.UNKNOWN)


_LABELS = {
    ShipmentStatus.PENDING: "Buying…",
    ShipmentStatus.UNKNOWN: "Unconfirmed (checking Amazon)",
    ShipmentStatus.NOT_BOUGHT: "Not bought",
    ShipmentStatus.PURCHASED: "Purchased",
    ShipmentStatus.REFUND_PENDING: "Voided (refund pending)",
    ShipmentStatus.REFUND_APPLIED: "Voided (refunded)",
    ShipmentStatus.REFUND_REJECTED: "Void rejected (label still valid)",
}


def shipment_status(value: str) -> ShipmentStatus:
    try:
        return ShipmentStatus(value)
    except ValueError:
        return ShipmentStatus.UNKNOWN


@dataclass(frozen=True)
class Package:
    """Dimensions in inches, weight in ounces (Amazon accepts inches/ounces everywhere)."""

    length: float
    width: float
    height: float
    weight_oz: float
    preset: str = ""  # the named box or "SKU …" it came from, for the seller to read

    def check(self) -> None:
        for name, value in (
            ("length", self.length),
            ("width", self.width),
            ("height", self.height),
            ("weight", self.weight_oz),
        ):
            if not value > 0:
                raise UserError(
                    f"The package {name} must be a positive number; enter the box size in "
                    "inches and the weight in ounces."
                )

    def describe(self) -> str:
        dims = f"{self.length:g} × {self.width:g} × {self.height:g} in"
        return f"{dims}, {self.weight_oz:g} oz"


@dataclass(frozen=True)
class ServiceOffer:
    service_id: str
    offer_id: str
    carrier: str
    name: str
    price: Money
    earliest: datetime | None
    latest: datetime | None
    formats: tuple[str, ...]
    protected: bool  # Amazon's claims protection (A-to-z) applies
    arrives_in_time: bool  # latest estimated delivery on or before the order's deliver-by


@dataclass(frozen=True)
class CarrierNote:
    """A carrier or service Amazon did not offer, and what the seller can do about it."""

    carrier: str
    service: str
    reason: str
    action: str


@dataclass(frozen=True)
class RateQuote:
    order_id: str
    package: Package
    offers: tuple[ServiceOffer, ...] = ()
    notes: tuple[CarrierNote, ...] = ()
    default_service_id: str = ""
    error: str = ""  # the quote failed for this order (the message says what to do)

    @property
    def default(self) -> ServiceOffer | None:
        return next((o for o in self.offers if o.service_id == self.default_service_id), None)

    def offer(self, service_id: str) -> ServiceOffer | None:
        return next((o for o in self.offers if o.service_id == service_id), None)


@dataclass(frozen=True)
class ShipmentRecord:
    row_id: int
    order_id: str
    amazon_shipment_id: str | None
    carrier: str
    service: str
    tracking_id: str
    status: ShipmentStatus
    cost: Money | None
    created_at: datetime
    has_label: bool = False
    label_format: str = ""
    void_deadline: datetime | None = None

    def describe(self) -> str:
        what = f"{self.carrier} {self.service}".strip() or "label"
        tracking = f", tracking {self.tracking_id}" if self.tracking_id else ""
        return f"{what}{tracking} ({self.status.label})"


@dataclass(frozen=True)
class QueueEntry:
    """One order in the Labels queue (no buyer data: city/state/country only)."""

    order_id: str
    marketplace_id: str
    purchase_date: datetime
    status: str
    ship_by: datetime | None
    deliver_by: datetime | None
    items: tuple[tuple[str, int], ...]  # (SKU, quantity)
    ship_to: str
    late: bool
    due_today: bool
    shipment: ShipmentRecord | None = None

    @property
    def key(self) -> str:
        return self.order_id

    @property
    def item_count(self) -> int:
        return sum(q for _, q in self.items)


@dataclass(frozen=True)
class BuyResult:
    order_id: str
    ok: bool
    message: str
    shipment: ShipmentRecord | None = None
    reconciled: bool = False  # found on Amazon after a lost answer, not bought again
    retried_without_format: bool = False


@dataclass(frozen=True)
class BatchResult:
    results: tuple[BuyResult, ...] = field(default_factory=tuple)
    cancelled: bool = False

    @property
    def bought(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)


class DuplicateLabel(UserError):
    title = "Label already bought"


class LabelNotFound(UserError):
    title = "No label"
