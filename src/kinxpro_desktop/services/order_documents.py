"""Packing slips and pick lists for a selection of orders (documents/slips.py), rendered in
memory: for the in-app preview, for the injected Printer, or saved where the seller chooses.

A packing slip carries the buyer's address. Showing one counts as revealing buyer data
(audited, order ids only); saving one is audited and the caller shows `OUTSIDE_RETENTION`,
because the file then lives outside Kinxpro's retention. Pick lists carry no buyer data.
Files are written atomically (a temporary file in the same folder, fsync, os.replace).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kinxpro_desktop.core.documents import PackingSlip
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.printing import PageSize, Printer, PrintJob
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.documents.slips import render_packing_slips, render_pick_list
from kinxpro_desktop.store.database import Database

OUTSIDE_RETENTION = (
    "This packing slip holds the buyer's name and address. The saved file is outside "
    "Kinxpro's retention: Kinxpro cannot delete it after {days} days; delete it yourself once "
    "the order has shipped."
)
MAX_ORDERS = 500


class DocumentKind(StrEnum):
    PACKING_SLIP = "packing_slip"
    PICK_LIST = "pick_list"

    @property
    def label(self) -> str:
        return "packing slip" if self is DocumentKind.PACKING_SLIP else "pick list"


@dataclass(frozen=True)
class SavedDocument:
    path: Path
    pages_bytes: int
    warning: str  # non-empty for packing slips (outside retention)


class OrderDocuments:
    def __init__(self, db: Database, printer: Printer | None = None) -> None:
        self.db = db
        self.printer = printer

    def slips(self, order_ids: Sequence[str]) -> list[PackingSlip]:
        self.db.access.require(Permission.SEE_BUYER_DATA)  # slips carry the ship-to address
        ids = list(dict.fromkeys(i.strip() for i in order_ids if i.strip()))
        if not ids:
            raise UserError("Select one or more orders first.")
        if len(ids) > MAX_ORDERS:
            raise UserError(
                f"{len(ids)} orders selected: print at most {MAX_ORDERS} at a time (narrow "
                "the selection with a filter)."
            )
        out = []
        missing = []
        for order_id in ids:
            order = self.db.orders.get(order_id)
            if order is None:
                missing.append(order_id)
                continue
            out.append(PackingSlip.from_order(order, self.db.orders.get_pii(order_id)))
        if missing:
            raise UserError(
                f"Not in Kinxpro: {', '.join(missing[:5])}"
                + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
                + ". Check the order ids, or sync first."
            )
        return out

    def render(
        self,
        kind: DocumentKind,
        order_ids: Sequence[str],
        page: PageSize = PageSize.LETTER,
        *,
        actor: str = Actor.OWNER,
    ) -> bytes:
        """The PDF bytes (a packing slip shown in the preview is a reveal: audited)."""
        slips = self.slips(order_ids)
        if kind is DocumentKind.PICK_LIST:
            return render_pick_list(slips, page)
        pdf = render_packing_slips(slips, page)
        self.db.audit.append(
            AuditEvent.REVEAL,
            actor,
            [s.order_id for s in slips],
            {"document": kind.value, "page": page.value},
        )
        return pdf

    def save(
        self,
        kind: DocumentKind,
        order_ids: Sequence[str],
        path: Path,
        page: PageSize = PageSize.LETTER,
        *,
        actor: str = Actor.OWNER,
        retention_days: int = 30,
    ) -> SavedDocument:
        slips = self.slips(order_ids)
        pdf = (
            render_pick_list(slips, page)
            if kind is DocumentKind.PICK_LIST
            else render_packing_slips(slips, page)
        )
        write_atomic(path, pdf)
        self.db.audit.append(
            AuditEvent.DOCUMENT_SAVED,
            actor,
            [s.order_id for s in slips],
            {
                "document": kind.value,
                "page": page.value,
                "outside_retention": kind is DocumentKind.PACKING_SLIP,
            },
        )
        warning = (
            OUTSIDE_RETENTION.format(days=retention_days)
            if kind is DocumentKind.PACKING_SLIP
            else ""
        )
        return SavedDocument(path, len(pdf), warning)

    def print(
        self,
        kind: DocumentKind,
        order_ids: Sequence[str],
        printer_name: str,
        page: PageSize = PageSize.LETTER,
        *,
        actor: str = Actor.OWNER,
    ) -> PrintJob:
        if self.printer is None:
            raise UserError("No printing is set up in this session: save the PDF instead.")
        slips = self.slips(order_ids)
        pdf = (
            render_pick_list(slips, page)
            if kind is DocumentKind.PICK_LIST
            else render_packing_slips(slips, page)
        )
        job = self.printer.print_pdf(printer_name, [pdf], page, title=f"Kinxpro {kind.label}")
        self.db.audit.append(
            AuditEvent.DOCUMENT_PRINTED,
            actor,
            [s.order_id for s in slips],
            {
                "document": kind.value,
                "page": page.value,
                "printer": printer_name,
                "job": job.job_id,
            },
        )
        return job


def write_atomic(path: Path, data: bytes) -> None:
    """`data` to `path` whole or not at all; a clear error when the folder is unusable."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"The folder {folder} does not exist: choose an existing folder.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(
            f"Could not save {path.name} in {folder} ({exc.strerror or type(exc).__name__}): "
            "choose a folder you can write to."
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
