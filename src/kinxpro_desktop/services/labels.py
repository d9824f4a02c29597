"""Labels: the queue of orders to ship, rate shopping, buying (never twice), voiding.

Buying is the dangerous part: createShipment is not idempotent and costs money. So:

1. the intent is committed first (a ``Pending`` shipment row), then createShipment is sent;
2. a refused request (Amazon did nothing) marks it ``NotBought``; a refused label format is
   retried once without ``LabelFormat`` (Amazon then picks its default);
3. a lost answer (``OutcomeUnknown``: timeout, dropped connection, 5xx) marks it ``Unknown``
   and nothing is sent again until a reconcile (the order's packages on Amazon, then
   getShipment) has found the label, or has found none for ``unknown_grace`` after the call;
4. an order with a live label needs an explicit reason for another one (audited).

The label is decoded and its checksum verified before it is stored (a mismatch stores no label:
a reprint downloads it again). No confirmShipment follows: a Buy Shipping label ships the
order by itself. Printing is in :mod:`.labels_print`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kinxpro_desktop.core.documents import LabelDecodeError, LabelFile
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import Order
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.shipping import (
    BatchResult,
    BuyResult,
    DuplicateLabel,
    LabelNotFound,
    Package,
    QueueEntry,
    RateQuote,
    ServiceOffer,
    ShipmentRecord,
    ShipmentStatus,
    shipment_status,
)
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent, Channel
from kinxpro_desktop.documents.labels import decode_file_contents
from kinxpro_desktop.services.labels_packages import PackagePresets
from kinxpro_desktop.services.labels_rates import (
    check_ship_from,
    format_refused,
    money_of,
    parse_quote,
    shipment_details,
)
from kinxpro_desktop.spapi.errors import OutcomeUnknown, RequestRejected, SpApiError
from kinxpro_desktop.store.database import Database

if TYPE_CHECKING:
    from kinxpro_desktop.services.connection import Connection
    from kinxpro_desktop.spapi.gateway import SpApiGateway

log = logging.getLogger(__name__)
Json = dict[str, Any]
SHIP_FROM_KEY = "labels.ship_from"
VOID_WINDOWS_KEY = "labels.void_windows"
#: days a label can be voided, per carrier ("*": any other); Amazon publishes none, these are
#: the simulator's values, and the seller can change them
DEFAULT_VOID_WINDOWS = {"USPS": 28.0, "*": 1.0}
#: the demo seller's warehouse (demo mode only; a real seller enters their own address)
DEMO_SHIP_FROM: Json = {
    "Name": "Kinxpro Demo Warehouse",
    "AddressLine1": "400 Pine St",
    "City": "Seattle",
    "StateOrProvinceCode": "WA",
    "PostalCode": "98101",
    "CountryCode": "US",
    "Email": "shipping@kinxpro.example",
    "Phone": "2065550100",
}
LOST = (
    "Amazon's answer to the label purchase for order {order} was lost. Kinxpro did not buy "
    "again: it checks Amazon first and has not found a label yet. Wait a few minutes and try "
    "again (Kinxpro checks before it buys), or look in Seller Central ▸ Manage Orders."
)


def _cancel_check(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.check()


class LabelService:
    def __init__(
        self,
        db: Database,
        connection: Connection,
        *,
        clock: Callable[[], datetime] = utcnow,
        ship_from_default: Json | None = None,
        unknown_grace: timedelta = timedelta(minutes=10),
    ) -> None:
        self._db = db
        self._connection = connection
        self._clock = clock
        self._ship_from_default = ship_from_default
        self.unknown_grace = unknown_grace
        self.packages = PackagePresets(db)

    @property
    def db(self) -> Database:
        return self._db

    def gateway(self) -> SpApiGateway:
        return self._connection.gateway()

    # -- settings ---------------------------------------------------------------------------
    def ship_from(self) -> Json | None:
        stored = self._db.settings.get(SHIP_FROM_KEY)
        if isinstance(stored, dict) and stored:
            return dict(stored)
        return dict(self._ship_from_default) if self._ship_from_default else None

    def set_ship_from(self, address: dict[str, object], actor: str = Actor.OWNER) -> Json:
        checked = check_ship_from(address)
        with self._db.transaction() as uow:
            uow.settings.set(SHIP_FROM_KEY, checked, now=self._clock())
            uow.audit.append(AuditEvent.SETTINGS_CHANGED, actor, (), {"setting": SHIP_FROM_KEY})
        return checked

    def void_windows(self) -> dict[str, float]:
        stored = self._db.settings.get(VOID_WINDOWS_KEY, {})
        out = dict(DEFAULT_VOID_WINDOWS)
        if isinstance(stored, dict):
            out.update({str(k): float(v) for k, v in stored.items() if isinstance(v, int | float)})
        return out

    def void_deadline(self, record: ShipmentRecord) -> datetime | None:
        if record.status is not ShipmentStatus.PURCHASED:
            return None
        windows = self.void_windows()
        days = windows.get(record.carrier.upper(), windows["*"])
        return record.created_at + timedelta(days=days)

    def _with_deadline(self, record: ShipmentRecord) -> ShipmentRecord:
        return replace(record, void_deadline=self.void_deadline(record))

    # -- reads ------------------------------------------------------------------------------
    def queue(self, order_ids: Sequence[str] | None = None) -> list[QueueEntry]:
        """Orders to ship (or exactly `order_ids`), ship-by first, with their latest label;
        orders labelled in the last 7 days stay listed (print, void)."""
        now = self._clock()
        entries = self._db.shipments.queue(
            now, order_ids, include_labelled_since=now - timedelta(days=7)
        )
        return [
            replace(e, shipment=self._with_deadline(e.shipment)) if e.shipment else e
            for e in entries
        ]

    def shipments(self, order_id: str) -> list[ShipmentRecord]:
        found = self._db.shipments.for_orders([order_id])[order_id]
        return [self._with_deadline(s) for s in found]

    def voids_due(self, within: timedelta = timedelta(hours=6)) -> list[ShipmentRecord]:
        """Purchased labels whose void deadline passes within `within` (for the alert)."""
        now = self._clock()
        out = []
        for entry in self.queue():
            s = entry.shipment
            deadline = s.void_deadline if s is not None else None
            if s is not None and deadline is not None and now <= deadline <= now + within:
                out.append(s)
        return out

    def _order(self, order_id: str) -> Order:
        order = self._db.orders.get(order_id)
        if order is None:
            raise UserError(
                f"Order {order_id} is not in Kinxpro's store; sync first (F5 or "
                "`kinxpro-desktop sync`), then try again."
            )
        if order.fulfillment_channel != Channel.MFN:
            raise UserError(f"Order {order_id} is fulfilled by Amazon (FBA); it needs no label.")
        return order

    # -- rates ------------------------------------------------------------------------------
    def quote(
        self,
        order_id: str,
        package: Package | None = None,
        cancel: CancelToken | None = None,
    ) -> RateQuote:
        order = self._order(order_id)
        package = package or self.packages.for_order(order)
        details = shipment_details(order, package, check_ship_from(self.ship_from()))
        payload = self._connection.gateway().mfn.eligible_services(details, cancel)
        return parse_quote(order, package, payload)

    def rates(
        self,
        order_ids: Sequence[str],
        cancel: CancelToken,
        progress: ProgressFn,
        packages: dict[str, Package] | None = None,
    ) -> list[RateQuote]:
        """A quote per order; one order's failure is its quote's `error`."""
        check_ship_from(self.ship_from())  # once, before anything goes to Amazon
        out = []
        for n, order_id in enumerate(order_ids):
            cancel.check()
            progress(ProgressUpdate("Getting rates", n, len(order_ids)))
            try:
                out.append(self.quote(order_id, (packages or {}).get(order_id), cancel))
            except Cancelled:
                raise
            except UserError as exc:
                out.append(RateQuote(order_id, Package(1, 1, 1, 1), error=exc.message))
        progress(ProgressUpdate("Getting rates", len(order_ids), len(order_ids)))
        return out

    # -- buying -----------------------------------------------------------------------------
    def buy(
        self,
        order_id: str,
        *,
        service_id: str | None = None,
        label_format: str = "",
        quote: RateQuote | None = None,
        reason: str = "",
        actor: str = Actor.OWNER,
        cancel: CancelToken | None = None,
    ) -> BuyResult:
        """Buy one label (see the module docstring). Raises DuplicateLabel without a reason
        when the order has a live label; returns a failed BuyResult for Amazon's refusals."""
        order = self._order(order_id)
        history = self.shipments(order_id)
        if any(s.status.unresolved for s in history):
            found = self.reconcile(order_id, cancel)
            if found is not None:
                return BuyResult(
                    order_id,
                    True,
                    f"Found the label bought earlier for order {order_id} on Amazon "
                    f"(tracking {found.tracking_id}); nothing was bought again.",
                    found,
                    reconciled=True,
                )
            history = self.shipments(order_id)
            if any(s.status.unresolved for s in history):
                return BuyResult(order_id, False, LOST.format(order=order_id))
        live = [s for s in history if s.status.live]
        if live and not reason.strip():
            raise DuplicateLabel(
                f"Order {order_id} already has a label ({live[0].describe()}). A reprint is "
                "free: use Print. To buy another label anyway, give a reason; it is recorded "
                "in the audit log."
            )
        ship_from = check_ship_from(self.ship_from())
        if quote is None or (service_id and quote.offer(service_id) is None):
            quote = self.quote(order_id, quote.package if quote else None, cancel)
        if quote.error:
            return BuyResult(order_id, False, quote.error)
        offer = quote.offer(service_id) if service_id else quote.default
        if offer is None:
            choices = ", ".join(o.service_id for o in quote.offers)
            return BuyResult(
                order_id,
                False,
                f"Service {service_id!r} is not offered for order {order_id} (offered: "
                f"{choices}). Get rates again and choose one of them.",
            )
        _cancel_check(cancel)
        return self._purchase(order, quote.package, offer, ship_from, label_format, reason, actor)

    def _purchase(
        self,
        order: Order,
        package: Package,
        offer: ServiceOffer,
        ship_from: Json,
        label_format: str,
        reason: str,
        actor: str,
    ) -> BuyResult:
        oid = order.order_id
        with self._db.transaction() as uow:
            row = uow.shipments.add_intent(oid, offer.carrier, offer.name, self._clock())
        mfn = self._connection.gateway().mfn
        retried = False
        fmt = label_format
        try:
            while True:
                details = shipment_details(order, package, ship_from, fmt)
                try:
                    payload = mfn.create_shipment(
                        details, offer.service_id, offer_id=offer.offer_id or None
                    )
                    break
                except RequestRejected as exc:
                    if fmt and not retried and format_refused(exc.said or exc.message):
                        log.info("createShipment refused format %s for %s; retrying", fmt, oid)
                        fmt, retried = "", True
                        continue
                    raise
        except OutcomeUnknown:
            self._set_status(row, ShipmentStatus.UNKNOWN)
            found = self.reconcile(oid, clear_stale=False)  # too early to conclude "not bought"
            if found is not None:
                return BuyResult(oid, True, self._bought_words(found), found, reconciled=True)
            return BuyResult(oid, False, LOST.format(order=oid))
        except SpApiError as exc:  # refused before or by Amazon: nothing was bought
            self._set_status(row, ShipmentStatus.NOT_BOUGHT)
            if isinstance(exc, RequestRejected):
                said = f" (Amazon said: {exc.said.rstrip('. ')})" if exc.said else ""
                message = (
                    f"Amazon did not sell a label for order {oid}{said}. Nothing was bought; "
                    "check the package and service, get rates again and retry."
                )
            else:
                message = f"{exc.message} Nothing was bought for order {oid}."
            return BuyResult(oid, False, message)
        except BaseException:
            self._set_status(row, ShipmentStatus.UNKNOWN)  # sent or not: reconcile first
            raise
        record, decode_error = self._record(row, order, payload, actor, reason, package, fmt)
        if decode_error:
            return BuyResult(oid, False, decode_error, record, retried_without_format=retried)
        return BuyResult(
            oid, True, self._bought_words(record), record, retried_without_format=retried
        )

    @staticmethod
    def _bought_words(record: ShipmentRecord) -> str:
        cost = f" for {record.cost}" if record.cost else ""
        return (
            f"Bought a {record.carrier} {record.service} label for order {record.order_id}"
            f"{cost}; tracking {record.tracking_id}."
        )

    def _set_status(self, row: int, status: ShipmentStatus) -> None:
        with self._db.transaction() as uow:
            uow.shipments.set_status(row, status)

    def _record(
        self,
        row: int,
        order: Order,
        payload: Json,
        actor: str,
        reason: str,
        package: Package | None,
        fmt: str,
        event: str = AuditEvent.LABEL_PURCHASE,
    ) -> tuple[ShipmentRecord, str]:
        """Store a purchase (and its label, when it decodes) with its audit entry, in one
        transaction. Returns (record, decode error message or "")."""
        service = payload.get("ShippingService") if isinstance(payload, dict) else None
        service = service if isinstance(service, dict) else {}
        cost = money_of(service.get("RateWithAdjustments")) or money_of(service.get("Rate"))
        raw_label = payload.get("Label")
        label: Json = raw_label if isinstance(raw_label, dict) else {}
        decoded: LabelFile | None = None
        error = ""
        try:
            decoded = decode_file_contents(
                dict(label.get("FileContents") or {}), str(label.get("LabelFormat") or "")
            )
        except LabelDecodeError as exc:
            error = (
                f"The label for order {order.order_id} was bought (tracking "
                f"{payload.get('TrackingId', '')}) but {exc.message[0].lower()}{exc.message[1:]}"
            )
        status = str(payload.get("Status") or ShipmentStatus.PURCHASED)
        now = self._clock()
        label_format = str(label.get("LabelFormat") or "") or (decoded.kind if decoded else "")
        with self._db.transaction() as uow:
            uow.shipments.record_purchase(
                row,
                amazon_shipment_id=str(payload["ShipmentId"]),
                carrier=str(service.get("CarrierName") or ""),
                service=str(service.get("ShippingServiceName") or ""),
                tracking_id=str(payload.get("TrackingId") or ""),
                status=status,
                cost=cost,
                shipped_at=now,
            )
            if decoded is not None:
                uow.shipments.save_label(
                    row,
                    order.order_id,
                    label_format=_stored_format(label_format, decoded),
                    content=decoded.data,
                    checksum=str(dict(label.get("FileContents") or {}).get("Checksum") or ""),
                    now=now,
                )
            if package is not None:
                remembered = self.packages.remembered_after_purchase(order, package)
                if remembered is not None:
                    uow.settings.set("labels.packages", remembered, now=now)
            detail: dict[str, object] = {
                "shipment_id": str(payload["ShipmentId"]),
                "carrier": str(service.get("CarrierName") or ""),
                "service": str(service.get("ShippingServiceId") or ""),
                "tracking_id": str(payload.get("TrackingId") or ""),
                "cost": str(cost) if cost else "",
                "format": label_format,
                "requested_format": fmt,
                "label_stored": decoded is not None,
            }
            if reason.strip():
                detail["duplicate_reason"] = reason.strip()[:200]
            uow.audit.append(event, actor, (order.order_id,), detail)
        record = self._db.shipments.get(row)
        assert record is not None
        return self._with_deadline(record), error

    # -- reconcile --------------------------------------------------------------------------
    def reconcile(
        self, order_id: str, cancel: CancelToken | None = None, *, clear_stale: bool = True
    ) -> ShipmentRecord | None:
        """After a lost answer: look the order's packages up on Amazon and store a label
        Kinxpro has not recorded yet. Returns it, or None (then, with `clear_stale`, an
        unresolved intent older than `unknown_grace` is marked NotBought: Amazon has no
        label from it)."""
        order = self._order(order_id)
        gateway = self._connection.gateway()
        found = gateway.orders.get_order(order_id, ["PACKAGES"], cancel)
        known = self._db.shipments.known_amazon_ids(order_id)
        pending = [s for s in self.shipments(order_id) if s.status.unresolved]
        for package in found.get("packages") or []:
            ref = package.get("packageReferenceId") if isinstance(package, dict) else None
            if not isinstance(ref, str) or not ref or ref in known:
                continue
            try:
                shipment = gateway.mfn.get_shipment(ref, cancel)
            except RequestRejected:
                continue  # not an MFN label (the seller shipped it another way)
            if shipment.get("AmazonOrderId") != order_id:
                continue
            if pending:
                row = pending[-1].row_id  # the oldest unresolved intent
            else:
                with self._db.transaction() as uow:
                    row = uow.shipments.add_intent(order_id, "", "", self._clock())
            record, _ = self._record(
                row, order, shipment, Actor.SYSTEM, "", None, "", AuditEvent.LABEL_PURCHASE
            )
            log.info("reconciled a label purchase for %s", order_id)
            return record
        cutoff = self._clock() - self.unknown_grace
        for s in pending if clear_stale else ():
            if s.created_at <= cutoff:
                self._set_status(s.row_id, ShipmentStatus.NOT_BOUGHT)
        return None

    # -- batch ------------------------------------------------------------------------------
    def buy_many(
        self,
        order_ids: Sequence[str],
        cancel: CancelToken,
        progress: ProgressFn,
        *,
        quotes: dict[str, RateQuote] | None = None,
        services: dict[str, str] | None = None,
        label_format: str = "",
        actor: str = Actor.OWNER,
    ) -> BatchResult:
        """Buy a label per order, in order; one failure does not stop the others. Cancel
        stops before the next order (never in the middle of a purchase)."""
        results: list[BuyResult] = []
        total = len(order_ids)
        for n, order_id in enumerate(order_ids):
            progress(ProgressUpdate("Buying labels", n, total))
            if cancel.cancelled:
                return BatchResult(tuple(results), cancelled=True)
            try:
                result = self.buy(
                    order_id,
                    service_id=(services or {}).get(order_id),
                    label_format=label_format,
                    quote=(quotes or {}).get(order_id),
                    actor=actor,
                )
            except UserError as exc:
                result = BuyResult(order_id, False, exc.message)
            except Exception as exc:
                log.exception("label purchase for %s failed", order_id)
                result = BuyResult(
                    order_id,
                    False,
                    f"Unexpected {type(exc).__name__}; Kinxpro checks Amazon before buying "
                    "this order again. The log file has the details.",
                )
            results.append(result)
        progress(ProgressUpdate("Buying labels", total, total))
        return BatchResult(tuple(results))

    # -- void -------------------------------------------------------------------------------
    def _live(self, order_id: str) -> ShipmentRecord:
        for s in self.shipments(order_id):
            if s.status is ShipmentStatus.PURCHASED and s.amazon_shipment_id:
                return s
        raise LabelNotFound(f"Order {order_id} has no label that can be voided.")

    def void(
        self, order_id: str, actor: str = Actor.OWNER, cancel: CancelToken | None = None
    ) -> ShipmentRecord:
        """cancelShipment for the order's live label: RefundPending, then RefundApplied (or
        RefundRejected). The order stays Shipped on Amazon; a new label may be bought."""
        record = self._live(order_id)
        assert record.amazon_shipment_id is not None
        deadline = record.void_deadline
        try:
            payload = self._connection.gateway().mfn.cancel_shipment(
                record.amazon_shipment_id, cancel
            )
        except RequestRejected as exc:
            said = f" (Amazon said: {exc.said.rstrip('. ')})" if exc.said else ""
            when = f" Its void deadline was {deadline:%Y-%m-%d %H:%M} UTC." if deadline else ""
            raise UserError(
                f"Amazon did not void the label of order {order_id}{said}.{when} The label "
                "stays valid: use it, or ask the carrier or Amazon's seller support for a "
                "refund."
            ) from None
        status = str(payload.get("Status") or ShipmentStatus.REFUND_PENDING)
        with self._db.transaction() as uow:
            uow.shipments.set_status(record.row_id, status)
            uow.audit.append(
                AuditEvent.LABEL_VOID,
                actor,
                (order_id,),
                {"shipment_id": record.amazon_shipment_id, "status": status},
            )
        return self._refreshed(record.row_id)

    def _refreshed(self, row: int) -> ShipmentRecord:
        record = self._db.shipments.get(row)
        assert record is not None
        return self._with_deadline(record)

    def refresh_refunds(self, cancel: CancelToken | None = None) -> list[ShipmentRecord]:
        """getShipment for voided labels still RefundPending: their refund outcome."""
        changed = []
        mfn = self._connection.gateway().mfn
        for entry in self.queue():
            s = entry.shipment
            if s is None or s.status is not ShipmentStatus.REFUND_PENDING:
                continue
            assert s.amazon_shipment_id is not None
            status = str(mfn.get_shipment(s.amazon_shipment_id, cancel).get("Status") or "")
            if status and status != s.status:
                self._set_status(s.row_id, shipment_status(status))
                changed.append(self._refreshed(s.row_id))
        return changed


def _stored_format(declared: str, decoded: LabelFile) -> str:
    """What is stored: Amazon's format when it names the bytes' kind, else the kind."""
    if declared.upper().startswith(decoded.kind.value):
        return declared
    return decoded.kind.value
