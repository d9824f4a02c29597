"""Bought labels printed through the app's printing code to a private CUPS (cups-pdf and a raw
socket queue), and labels deleted with the order's buyer data under retention."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.printing import PageSize
from kinxpro_desktop.core.shipping import LabelNotFound
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.printing.system import SystemPrinter
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.labels import LabelService
from kinxpro_desktop.services.labels_print import LabelPrinting
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.retention import find_past_window
from tests.integration.labels.conftest import to_ship
from tests.integration.printing.conftest import client_tmp, leftovers
from tests.integration.printing.test_cups_printing import assert_size, text_of
from tests.support.cups import PrivateCups

T = TypeVar("T")


def on_worker(fn: Callable[[], T]) -> T:
    """Run on a plain worker thread, as the task runner does; re-raise its exception."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def recipient(sim: Simulator, order_id: str) -> bytes:
    return sim.state.world.buyer(sim.state.world.by_id[order_id]).name.encode()


@pytest.mark.cups
def test_bought_pdf_label_prints_at_4x6_with_its_tracking_id_and_leaves_nothing(
    labels: LabelService, db: Database, sim: Simulator, cups: PrivateCups, qapp: object
) -> None:
    order_id = to_ship(labels)[0]
    bought = labels.buy(order_id)
    assert bought.ok and bought.shipment is not None
    printing = LabelPrinting(db, labels, SystemPrinter(cups_server=cups.server), clock=sim.now)
    outcome = on_worker(
        lambda: printing.print_labels(
            [order_id], cups.pdf_queue, packing_slips=True, slip_page=PageSize.LABEL_4X6
        )
    )
    assert [j.completed and j.purged for j in outcome.jobs] == [True]
    assert outcome.slip_job is not None and outcome.slip_job.purged
    label_pdf, slip_pdf = cups.new_pdfs(2)
    for pdf in (label_pdf, slip_pdf):
        assert_size(pdf, PageSize.LABEL_4X6)
    texts = text_of(label_pdf) + text_of(slip_pdf)
    assert bought.shipment.tracking_id in texts and order_id in texts
    _fmt, data = db.shipments.label(bought.shipment.row_id) or ("", b"")
    name = recipient(sim, order_id)
    assert leftovers(cups, data[200:260], name) == []
    assert client_tmp(cups) == []
    prints = [e for e in db.audit.entries(limit=500) if e.event == AuditEvent.LABEL_PRINT]
    assert [p.object_ids for p in prints] == [(order_id,)]
    assert name not in repr([p.detail for p in db.audit.entries(limit=500)]).encode()
    # a reprint needs a reason, which is audited
    with pytest.raises(UserError, match="reprint needs a reason"):
        printing.print_labels([order_id], cups.pdf_queue)
    on_worker(lambda: printing.print_labels([order_id], cups.pdf_queue, reason="jammed"))
    cups.new_pdfs(1)
    last = db.audit.latest(AuditEvent.LABEL_PRINT)
    assert last is not None and last.detail.get("reason") == "jammed"


@pytest.mark.cups
def test_zpl_label_goes_raw_unchanged_by_printer_dpi(
    labels: LabelService, db: Database, sim: Simulator, cups: PrivateCups, qapp: object
) -> None:
    order_id = to_ship(labels)[0]
    printer = SystemPrinter(cups_server=cups.server)
    info = next(p for p in on_worker(printer.printers) if p.name == cups.raw_queue)
    from kinxpro_desktop.services.labels_rates import choose_format

    fmt = choose_format(("PDF", "PNG", "ZPL203", "ZPL300"), info) if info.thermal else "ZPL203"
    bought = labels.buy(order_id, label_format=fmt)
    assert bought.ok and bought.shipment is not None
    _fmt, data = db.shipments.label(bought.shipment.row_id) or ("", b"")
    assert data.startswith(b"^XA")
    before = len(cups.listener.jobs)
    printing = LabelPrinting(db, labels, printer, clock=sim.now)
    on_worker(lambda: printing.print_labels([order_id], cups.raw_queue))
    jobs = cups.listener.wait_jobs(before + 1)
    assert jobs[-1] == data
    assert leftovers(cups, recipient(sim, order_id)) == []


@pytest.mark.cups
def test_checksum_failed_label_is_downloaded_again_to_print(
    labels: LabelService, db: Database, sim: Simulator, cups: PrivateCups, qapp: object
) -> None:
    order_id = to_ship(labels)[0]
    sim.add_faults("createShipment:checksum-mismatch")
    assert not labels.buy(order_id).ok
    printing = LabelPrinting(db, labels, SystemPrinter(cups_server=cups.server), clock=sim.now)
    on_worker(lambda: printing.print_labels([order_id], cups.pdf_queue))
    (out,) = cups.new_pdfs(1)
    assert labels.shipments(order_id)[0].tracking_id in text_of(out)
    assert labels.shipments(order_id)[0].has_label


def test_labels_of_orders_past_the_window_are_gone(
    labels: LabelService, db: Database, sim: Simulator, tmp_path: Path
) -> None:
    order_ids = to_ship(labels, 3)
    stored = []
    for order_id in order_ids:
        result = labels.buy(order_id)
        assert result.ok and result.shipment is not None
        stored.append((db.shipments.label(result.shipment.row_id) or ("", b""))[1])
    now = sim.now()
    assert find_past_window(db.engine, now, 30) == []
    later = now + timedelta(days=31)
    with db.transaction() as uow:
        wiped = uow.retention.wipe_expired(later, 30)
    assert wiped.labels_wiped >= 3
    for order_id in order_ids:
        [record] = labels.shipments(order_id)
        assert not record.has_label and db.shipments.label(record.row_id) is None
    assert [f for f in find_past_window(db.engine, later, 30) if f.kind == "label_document"] == []
    # nothing of the label bytes anywhere under the data folder (DB, WAL, temp files)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(data[100:160] in content for data in stored), path
    # and a reprint past the window does not fetch the buyer's label again
    printing = LabelPrinting(db, labels, printer=None, clock=lambda: later)  # type: ignore[arg-type]
    with pytest.raises(LabelNotFound, match="retention"):
        printing.print_labels([order_ids[0]], "any")
