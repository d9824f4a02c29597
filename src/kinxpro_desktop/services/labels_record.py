"""Recording a label purchase (decoded label, shipment row, remembered package, audit entry
in one transaction) and reconciling a purchase whose answer was lost: the order's packages on
Amazon, then getShipment for one Kinxpro has not recorded, before anything is sent again."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kinxpro_desktop.core.documents import LabelDecodeError, LabelFile
from kinxpro_desktop.core.models import Order
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.core.shipping import Package, ShipmentRecord, ShipmentStatus
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.documents.labels import decode_file_contents
from kinxpro_desktop.services.labels_rates import money_of
from kinxpro_desktop.spapi.errors import RequestRejected

if TYPE_CHECKING:
    from kinxpro_desktop.services.labels import LabelService

log = logging.getLogger(__name__)
Json = dict[str, Any]


def record_purchase(
    service: LabelService,
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
    svc = payload.get("ShippingService") if isinstance(payload, dict) else None
    svc = svc if isinstance(svc, dict) else {}
    cost = money_of(svc.get("RateWithAdjustments")) or money_of(svc.get("Rate"))
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
    now = service.clock()
    label_format = str(label.get("LabelFormat") or "") or (decoded.kind if decoded else "")
    with service.db.transaction() as uow:
        uow.shipments.record_purchase(
            row,
            amazon_shipment_id=str(payload["ShipmentId"]),
            carrier=str(svc.get("CarrierName") or ""),
            service=str(svc.get("ShippingServiceName") or ""),
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
            remembered = service.packages.remembered_after_purchase(order, package)
            if remembered is not None:
                uow.settings.set("labels.packages", remembered, now=now)
        detail: dict[str, object] = {
            "shipment_id": str(payload["ShipmentId"]),
            "carrier": str(svc.get("CarrierName") or ""),
            "service": str(svc.get("ShippingServiceId") or ""),
            "tracking_id": str(payload.get("TrackingId") or ""),
            "cost": str(cost) if cost else "",
            "format": label_format,
            "requested_format": fmt,
            "label_stored": decoded is not None,
        }
        if reason.strip():
            detail["duplicate_reason"] = reason.strip()[:200]
        uow.audit.append(event, actor, (order.order_id,), detail)
    return service.record(row), error


def reconcile(
    service: LabelService,
    order_id: str,
    cancel: CancelToken | None = None,
    *,
    clear_stale: bool = True,
) -> ShipmentRecord | None:
    """After a lost answer: look the order's packages up on Amazon and store a label
    Kinxpro has not recorded yet. Returns it, or None (then, with `clear_stale`, an
    unresolved intent older than `unknown_grace` is marked NotBought: Amazon has no
    label from it)."""
    order = service.order(order_id)
    gateway = service.gateway()
    found = gateway.orders.get_order(order_id, ["PACKAGES"], cancel)
    known = service.db.shipments.known_amazon_ids(order_id)
    pending = [s for s in service.shipments(order_id) if s.status.unresolved]
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
            with service.db.transaction() as uow:
                row = uow.shipments.add_intent(order_id, "", "", service.clock())
        record, _ = record_purchase(
            service, row, order, shipment, Actor.SYSTEM, "", None, "", AuditEvent.LABEL_PURCHASE
        )
        log.info("reconciled a label purchase for %s", order_id)
        return record
    cutoff = service.clock() - service.unknown_grace
    for s in pending if clear_stale else ():
        if s.created_at <= cutoff:
            service.set_status(s.row_id, ShipmentStatus.NOT_BOUGHT)
    return None


def _stored_format(declared: str, decoded: LabelFile) -> str:
    """What is stored: Amazon's format when it names the bytes' kind, else the kind."""
    if declared.upper().startswith(decoded.kind.value):
        return declared
    return decoded.kind.value
