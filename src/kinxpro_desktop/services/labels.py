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
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import Order
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.shipping import (
    BatchResult,
    BuyResult,
    DuplicateLabel,
    Package,
    QueueEntry,
    RateQuote,
    ServiceOffer,
    ShipmentRecord,
    ShipmentStatus,
)
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent, Channel
from kinxpro_desktop.services.labels_packages import PackagePresets
from kinxpro_desktop.services.labels_rates import (
    check_ship_from,
    format_refused,
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
IN_PROGRESS = (
    "A label for order {order} is being bought right now; nothing more was sent. Wait for that "
    "purchase to finish, then print its label."
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
        # orders whose purchase is under way in this process: a second buy of one of them
        # waits for nothing and sends nothing (a pending intent from a crash is reconciled)
        self._buying: set[str] = set()
        self._buying_lock = threading.Lock()

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
        try:
            payload = self._connection.gateway().mfn.eligible_services(details, cancel)
        except RequestRejected as exc:
            said = f" (Amazon said: {exc.said.rstrip('. ')})" if exc.said else ""
            raise UserError(
                f"Amazon gave no rates for order {order_id}{said}. Check the package and the "
                "ship-from address; an order that already shipped needs its label voided first."
            ) from None
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
        self._db.access.require(Permission.SHIP_ORDERS)
        with self._buying_lock:
            busy = order_id in self._buying
            self._buying.add(order_id)
        if busy:
            return BuyResult(order_id, False, IN_PROGRESS.format(order=order_id))
        try:
            return self._buy(order_id, service_id, label_format, quote, reason, actor, cancel)
        finally:
            with self._buying_lock:
                self._buying.discard(order_id)

    def _buy(
        self,
        order_id: str,
        service_id: str | None,
        label_format: str,
        quote: RateQuote | None,
        reason: str,
        actor: str,
        cancel: CancelToken | None,
    ) -> BuyResult:
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
        with self._db.transaction() as uow:  # check and intent under one write lock
            known = uow.shipments.for_orders([oid])[oid]
            if any(s.status.unresolved or (s.status.live and not reason.strip()) for s in known):
                return BuyResult(
                    oid,
                    False,
                    f"Another purchase for order {oid} is under way or just finished; nothing "
                    "was bought. Refresh the list and check the order's label first.",
                )
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
        name = record.service
        if not name.upper().startswith(record.carrier.upper()):
            name = f"{record.carrier} {name}".strip()
        return (
            f"Bought a {name} label for order {record.order_id}{cost}; tracking "
            f"{record.tracking_id}."
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
    ) -> tuple[ShipmentRecord, str]:
        from kinxpro_desktop.services.labels_record import record_purchase

        return record_purchase(self, row, order, payload, actor, reason, package, fmt)

    def reconcile(
        self, order_id: str, cancel: CancelToken | None = None, *, clear_stale: bool = True
    ) -> ShipmentRecord | None:
        """After a lost answer: find the label on Amazon (services/labels_record.py)."""
        from kinxpro_desktop.services.labels_record import reconcile

        return reconcile(self, order_id, cancel, clear_stale=clear_stale)

    @property
    def clock(self) -> Callable[[], datetime]:
        return self._clock

    def order(self, order_id: str) -> Order:
        return self._order(order_id)

    # -- batch and void (services/labels_batch.py, services/labels_void.py) ------------------
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
        reason: str = "",
    ) -> BatchResult:
        """Buy a label per order, in order; one failure does not stop the others. Cancel
        stops before the next order (never in the middle of a purchase). `reason`: why
        orders that already have a label get another (audited)."""
        from kinxpro_desktop.services.labels_batch import buy_many

        return buy_many(
            self,
            order_ids,
            cancel,
            progress,
            quotes=quotes,
            services=services,
            label_format=label_format,
            actor=actor,
            reason=reason,
        )

    def void(
        self, order_id: str, actor: str = Actor.OWNER, cancel: CancelToken | None = None
    ) -> ShipmentRecord:
        """cancelShipment for the order's live label (see services/labels_void.py)."""
        from kinxpro_desktop.services.labels_void import void

        return void(self, order_id, actor, cancel)

    def refresh_refunds(self, cancel: CancelToken | None = None) -> list[ShipmentRecord]:
        from kinxpro_desktop.services.labels_void import refresh_refunds

        return refresh_refunds(self, cancel)

    def record(self, row: int) -> ShipmentRecord:
        record = self._db.shipments.get(row)
        assert record is not None
        return self._with_deadline(record)

    def set_status(self, row: int, status: ShipmentStatus) -> None:
        self._set_status(row, status)
