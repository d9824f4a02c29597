"""Voiding labels: cancelShipment within the carrier's void window (Purchased ->
RefundPending -> RefundApplied or RefundRejected), and the refund outcome read back with
getShipment. After a void the order stays Shipped on Amazon; a new label may be bought while
the refund is pending (the duplicate guard then asks for a reason)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.core.shipping import LabelNotFound, ShipmentRecord, ShipmentStatus
from kinxpro_desktop.core.shipping import shipment_status as status_of
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.spapi.errors import RequestRejected

if TYPE_CHECKING:
    from kinxpro_desktop.services.labels import LabelService


def _live(service: LabelService, order_id: str) -> ShipmentRecord:
    for s in service.shipments(order_id):
        if s.status is ShipmentStatus.PURCHASED and s.amazon_shipment_id:
            return s
    raise LabelNotFound(f"Order {order_id} has no label that can be voided.")


def void(
    service: LabelService,
    order_id: str,
    actor: str = Actor.OWNER,
    cancel: CancelToken | None = None,
) -> ShipmentRecord:
    record = _live(service, order_id)
    assert record.amazon_shipment_id is not None
    deadline = record.void_deadline
    try:
        payload = service.gateway().mfn.cancel_shipment(record.amazon_shipment_id, cancel)
    except RequestRejected as exc:
        said = f" (Amazon said: {exc.said.rstrip('. ')})" if exc.said else ""
        when = f" Its void deadline was {deadline:%Y-%m-%d %H:%M} UTC." if deadline else ""
        raise UserError(
            f"Amazon did not void the label of order {order_id}{said}.{when} The label stays "
            "valid: use it, or ask the carrier or Amazon's seller support for a refund."
        ) from None
    status = status_of(str(payload.get("Status") or ShipmentStatus.REFUND_PENDING))
    with service.db.transaction() as uow:
        uow.shipments.set_status(record.row_id, status)
        uow.audit.append(
            AuditEvent.LABEL_VOID,
            actor,
            (order_id,),
            {"shipment_id": record.amazon_shipment_id, "status": status.value},
        )
    return service.record(record.row_id)


def refresh_refunds(
    service: LabelService, cancel: CancelToken | None = None
) -> list[ShipmentRecord]:
    """getShipment for voided labels still RefundPending: their refund outcome."""
    changed = []
    mfn = service.gateway().mfn
    for entry in service.queue():
        s = entry.shipment
        if s is None or s.status is not ShipmentStatus.REFUND_PENDING:
            continue
        assert s.amazon_shipment_id is not None
        status = str(mfn.get_shipment(s.amazon_shipment_id, cancel).get("Status") or "")
        if status and status != s.status:
            service.set_status(s.row_id, status_of(status))
            changed.append(service.record(s.row_id))
    return changed
