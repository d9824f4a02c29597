"""Printing bought labels (and packing slips) through the injected Printer, with the audit
entry in the same service call.

Labels print in the order given, as one job per kind: PDFs as one job at the label's paper
(4x6 by default, full page, no scaling), PNGs as one job, ZPL concatenated and sent raw (ZPL203
or ZPL300 was chosen at purchase by the printer's DPI). A label that was printed before needs a
reason (audited). A label that is missing (its checksum failed at purchase) is downloaded again
with getShipment, unless the order is past the retention window. Packing slips optionally
follow, as one job on their own printer and paper.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from kinxpro_desktop.core.documents import LabelKind, PackingSlip
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.printing import PageSize, Printer, PrintJob
from kinxpro_desktop.core.progress import CancelToken, ProgressFn, ProgressUpdate, no_progress
from kinxpro_desktop.core.retention import DEFAULT_RETENTION_DAYS, is_past_window, utcnow
from kinxpro_desktop.core.shipping import LabelNotFound, ShipmentRecord
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.documents.labels import decode_file_contents, detect_kind
from kinxpro_desktop.documents.slips import render_packing_slips
from kinxpro_desktop.services.labels import LabelService
from kinxpro_desktop.store.database import Database

log = logging.getLogger(__name__)
PRINTED_KEY = "labels.printed"
_PRINTED_KEEP = 5000
RETENTION_KEY = "retention_days"  # services.privacy's key


@dataclass(frozen=True)
class PrintOutcome:
    order_ids: tuple[str, ...]
    jobs: tuple[PrintJob, ...]
    slip_job: PrintJob | None = None
    warnings: tuple[str, ...] = ()

    @property
    def bytes_sent(self) -> int:
        return sum(j.bytes_sent for j in self.jobs) + (
            self.slip_job.bytes_sent if self.slip_job else 0
        )


class LabelPrinting:
    def __init__(
        self,
        db: Database,
        labels: LabelService,
        printer: Printer,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._labels = labels
        self.printer = printer
        self._clock = clock
        self._warned: set[str] = set()

    def printers(self) -> list[str]:
        return [p.name for p in self.printer.printers()]

    def _printed(self) -> list[int]:
        stored = self._db.settings.get(PRINTED_KEY, [])
        return [int(x) for x in stored if isinstance(x, int)] if isinstance(stored, list) else []

    def was_printed(self, record: ShipmentRecord) -> bool:
        return record.row_id in self._printed()

    def _printable(self, order_id: str, cancel: CancelToken | None) -> tuple[ShipmentRecord, bytes]:
        self._db.access.require(Permission.SHIP_ORDERS)  # a label shows the buyer's address
        records = [s for s in self._labels.shipments(order_id) if s.status.live]
        if not records:
            raise LabelNotFound(
                f"Order {order_id} has no bought label to print; buy one first (Labels ▸ Buy)."
            )
        record = records[0]
        stored = self._db.shipments.label(record.row_id)
        if stored is not None:
            return record, stored[1]
        return record, self._download(record, cancel)

    def _retention_days(self) -> int:
        value = self._db.settings.get(RETENTION_KEY, DEFAULT_RETENTION_DAYS)
        return value if isinstance(value, int) and 1 <= value <= 30 else DEFAULT_RETENTION_DAYS

    def _download(self, record: ShipmentRecord, cancel: CancelToken | None) -> bytes:
        order = self._db.orders.get(record.order_id)
        if order is None or is_past_window(
            order.purchase_date, self._clock(), self._retention_days()
        ):
            raise LabelNotFound(
                f"The label of order {record.order_id} was deleted with the order's buyer data "
                "(retention window). Kinxpro does not fetch buyer data past the window; "
                "reprint it from Seller Central if you still need it."
            )
        if not record.amazon_shipment_id:
            raise LabelNotFound(f"Order {record.order_id} has no label on Amazon to download.")
        payload = self._labels.gateway().mfn.get_shipment(record.amazon_shipment_id, cancel)
        label = payload.get("Label")
        label = label if isinstance(label, dict) else {}
        decoded = decode_file_contents(
            dict(label.get("FileContents") or {}), str(label.get("LabelFormat") or "")
        )
        with self._db.transaction() as uow:
            uow.shipments.save_label(
                record.row_id,
                record.order_id,
                label_format=str(label.get("LabelFormat") or decoded.kind.value),
                content=decoded.data,
                checksum=str(dict(label.get("FileContents") or {}).get("Checksum") or ""),
                now=self._clock(),
            )
        return decoded.data

    def print_labels(
        self,
        order_ids: Sequence[str],
        printer: str,
        *,
        page: PageSize = PageSize.LABEL_4X6,
        reason: str = "",
        actor: str = Actor.OWNER,
        packing_slips: bool = False,
        slip_printer: str = "",
        slip_page: PageSize = PageSize.LETTER,
        cancel: CancelToken | None = None,
        progress: ProgressFn = no_progress,
    ) -> PrintOutcome:
        if not order_ids:
            raise UserError("Select the orders whose labels you want to print.")
        if not printer.strip():
            raise UserError(
                "Choose a label printer first (Labels ▸ Printer settings, or --printer NAME)."
            )
        printed_before = set(self._printed())
        items: list[tuple[ShipmentRecord, bytes]] = []
        for n, order_id in enumerate(order_ids):
            if cancel is not None:
                cancel.check()
            progress(ProgressUpdate("Preparing labels", n, len(order_ids)))
            items.append(self._printable(order_id, cancel))
        again = [r.order_id for r, _ in items if r.row_id in printed_before]
        if again and not reason.strip():
            shown = ", ".join(again[:5]) + (f" and {len(again) - 5} more" if len(again) > 5 else "")
            raise UserError(
                f"The label of {shown} was printed before. A reprint needs a reason (for "
                "example 'jammed'); it is recorded in the audit log."
            )
        jobs, warnings = self._send(items, printer, page)
        slip_job = None
        if packing_slips:
            slip_job = self._slips(order_ids, slip_printer or printer, slip_page, actor)
        self._record(items, printer, jobs, again, reason, actor)
        progress(ProgressUpdate("Printed", len(order_ids), len(order_ids)))
        return PrintOutcome(tuple(order_ids), tuple(jobs), slip_job, tuple(warnings))

    def _send(
        self, items: Sequence[tuple[ShipmentRecord, bytes]], printer: str, page: PageSize
    ) -> tuple[list[PrintJob], list[str]]:
        pdfs = [d for _, d in items if detect_kind(d) is LabelKind.PDF]
        pngs = [d for _, d in items if detect_kind(d) is LabelKind.PNG]
        zpl = [d for _, d in items if detect_kind(d) is LabelKind.ZPL]
        first = items[0][0]
        more = f" +{len(items) - 1}" if len(items) > 1 else ""
        title = f"Kinxpro label {first.tracking_id or first.order_id}{more}"
        jobs = []
        if pdfs:
            jobs.append(self.printer.print_pdf(printer, pdfs, page, title=title))
        if pngs:
            jobs.append(self.printer.print_png(printer, pngs, page, title=title))
        if zpl:
            jobs.append(self.printer.send_raw(printer, b"".join(zpl), title=title))
        warnings = []
        if printer not in self._warned and self.printer.keeps_printed_documents(printer):
            self._warned.add(printer)
            warnings.append(
                f"The printer {printer!r} keeps copies of printed documents (Windows 'Keep "
                "printed documents'): those copies hold buyer addresses. Turn the setting off "
                "in the printer's properties ▸ Advanced."
            )
        return jobs, warnings

    def _slips(
        self, order_ids: Sequence[str], printer: str, page: PageSize, actor: str
    ) -> PrintJob:
        address = self._labels.ship_from() or {}
        place = f"{address.get('City', '')}, {address.get('StateOrProvinceCode', '')} " + str(
            address.get("PostalCode", "")
        )
        ship_from = tuple(
            str(x)
            for x in (address.get("Name"), address.get("AddressLine1"), place.strip(" ,"))
            if x
        )
        slips = []
        for order_id in order_ids:
            order = self._db.orders.get(order_id)
            if order is not None:
                pii = self._db.orders.get_pii(order_id)
                slips.append(PackingSlip.from_order(order, pii, ship_from))
        pdf = render_packing_slips(slips, page)
        title = f"Kinxpro packing slip {order_ids[0]}" + (
            f" +{len(order_ids) - 1}" if len(order_ids) > 1 else ""
        )
        job = self.printer.print_pdf(printer, [pdf], page, title=title)
        with self._db.transaction() as uow:
            uow.audit.append(
                AuditEvent.DOCUMENT_PRINTED,
                actor,
                tuple(order_ids),
                {"document": "packing_slip", "printer": printer, "job": job.job_id},
            )
        return job

    def _record(
        self,
        items: Sequence[tuple[ShipmentRecord, bytes]],
        printer: str,
        jobs: Sequence[PrintJob],
        again: Sequence[str],
        reason: str,
        actor: str,
    ) -> None:
        printed = self._printed()
        job_ids = ",".join(j.job_id for j in jobs)
        with self._db.transaction() as uow:
            for record, _ in items:
                detail: dict[str, object] = {
                    "tracking_id": record.tracking_id,
                    "printer": printer,
                    "jobs": job_ids,
                    "reprint": record.order_id in again,
                }
                if record.order_id in again:
                    detail["reason"] = reason.strip()[:200]
                uow.audit.append(AuditEvent.LABEL_PRINT, actor, (record.order_id,), detail)
                if record.row_id not in printed:
                    printed.append(record.row_id)
            uow.settings.set(PRINTED_KEY, printed[-_PRINTED_KEEP:], now=self._clock())
