"""The app's printing code against a private CUPS: cups-pdf for page sizes and text, a raw
socket queue with a listener standing in for a Zebra, and a spool that keeps job files
(PreserveJobFiles Yes) so that the purge is proven by scanning it."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest

from kinxpro_desktop.core.documents import PackingSlip, ShipTo, SlipLine
from kinxpro_desktop.core.printing import PageSize, PrintFailed, PrintJob
from kinxpro_desktop.documents.slips import render_packing_slips
from kinxpro_desktop.printing.system import SystemPrinter
from kinxpro_desktop.sandbox.labels import LabelInfo
from kinxpro_desktop.sandbox.labels import render as sandbox_label
from tests.integration.printing.conftest import client_tmp, leftovers
from tests.support.cups import PrivateCups

pytestmark = pytest.mark.cups

T = TypeVar("T")
RECIPIENT = b"Jane Q Buyer"
TRACKING = "1Z999AA10123456784"
ORDER_ID = "111-2222222-3333333"
INFO = LabelInfo(
    "UPS",
    "Ground",
    TRACKING,
    ORDER_ID,
    ("Kinxpro Goods", "1 Seller Way"),
    (RECIPIENT.decode(), "42 Elm Street", "Springfield IL 62701"),
)


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
    assert not thread.is_alive()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [
        (float(line.split()[3]), float(line.split()[5]))
        for line in out.splitlines()
        if line.startswith("Page") and "size:" in line
    ]


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


def assert_size(pdf: Path, page: PageSize, pages: int = 1) -> None:
    sizes = page_sizes(pdf)
    assert len(sizes) == pages, sizes
    for w, h in sizes:
        assert abs(w - page.points[0]) <= 1 and abs(h - page.points[1]) <= 1, (w, h)


def assert_clean(cups: PrivateCups, job: PrintJob, *needles: bytes) -> None:
    assert job.completed and job.purged, job
    assert leftovers(cups, RECIPIENT, *needles) == []
    assert [p.name for p in cups.spool_files() if p.name[0] in "cd"] == []
    assert client_tmp(cups) == []


@pytest.fixture
def printer(cups: PrivateCups, qapp: object) -> SystemPrinter:
    return SystemPrinter(cups_server=cups.server)


def test_printers_lists_both_queues(printer: SystemPrinter, cups: PrivateCups) -> None:
    found = {p.name: p for p in on_worker(printer.printers)}
    assert found[cups.pdf_queue].is_default and not found[cups.pdf_queue].raw_capable
    assert found[cups.pdf_queue].dpi
    assert found[cups.raw_queue].raw_capable and not found[cups.raw_queue].is_default


def test_pdf_label_prints_at_4x6_with_its_text_and_leaves_no_trace(
    printer: SystemPrinter, cups: PrivateCups
) -> None:
    label, _ = sandbox_label("PDF", INFO)
    job = on_worker(
        lambda: printer.print_pdf(
            cups.pdf_queue, [label], PageSize.LABEL_4X6, title=f"Label {TRACKING}"
        )
    )
    assert job.pages == 1 and job.bytes_sent == len(label)
    (out,) = cups.new_pdfs(1)
    assert_size(out, PageSize.LABEL_4X6)
    text = text_of(out)
    assert TRACKING in text and ORDER_ID in text and "Jane Q Buyer" in text
    assert_clean(cups, job, label)


def test_packing_slip_prints_on_letter_and_on_4x6(
    printer: SystemPrinter, cups: PrivateCups
) -> None:
    slip = PackingSlip(
        ORDER_ID,
        datetime(2026, 11, 30, tzinfo=UTC),
        ShipTo(RECIPIENT.decode(), "", ("42 Elm Street",), "Springfield", "IL", "62701", "US"),
        (SlipLine("SKU-MUG", "Blue mug", 2),),
    )
    for page in (PageSize.LETTER, PageSize.LABEL_4X6):
        pdf = render_packing_slips([slip], page)
        job = on_worker(
            lambda pdf=pdf, page=page: printer.print_pdf(
                cups.pdf_queue, [pdf], page, title=f"Packing slip {ORDER_ID}"
            )
        )
        (out,) = cups.new_pdfs(1)
        assert_size(out, page)
        assert ORDER_ID in text_of(out) and "SKU-MUG" in text_of(out)
        assert_clean(cups, job, pdf)


def test_qt_rendered_batch_is_one_job_in_queue_order_at_4x6(
    cups: PrivateCups, qapp: object
) -> None:
    printer = SystemPrinter(cups_server=cups.server, render_pdf_with_qt=True)
    labels = [sandbox_label("PDF", INFO)[0] for _ in range(3)]
    job = on_worker(
        lambda: printer.print_pdf(cups.pdf_queue, labels, PageSize.LABEL_4X6, title="Labels batch")
    )
    assert job.pages == 3 and job.bytes_sent > 0
    (out,) = cups.new_pdfs(1)
    assert_size(out, PageSize.LABEL_4X6, pages=3)
    assert_clean(cups, job, *labels)


def test_png_label_fills_a_4x6_page(printer: SystemPrinter, cups: PrivateCups) -> None:
    png, _ = sandbox_label("PNG", INFO)
    job = on_worker(
        lambda: printer.print_png(cups.pdf_queue, [png], PageSize.LABEL_4X6, title="Label png")
    )
    (out,) = cups.new_pdfs(1)
    assert_size(out, PageSize.LABEL_4X6)
    # the 812x1218 px image at 203 dpi covers the page: rasterise and check the ink spans it
    ppm = subprocess.run(
        ["pdftoppm", "-r", "20", "-gray", str(out)], capture_output=True, check=True
    )
    assert len(ppm.stdout) > 0
    assert_clean(cups, job, png)


def test_zpl_goes_raw_byte_for_byte(printer: SystemPrinter, cups: PrivateCups) -> None:
    zpl, _ = sandbox_label("ZPL203", INFO)
    before = len(cups.listener.jobs)
    job = on_worker(lambda: printer.send_raw(cups.raw_queue, zpl, title=f"Label {TRACKING}"))
    received = cups.listener.wait_jobs(before + 1)[before]
    assert received == zpl
    assert job.bytes_sent == len(zpl) and job.pages == 1
    assert_clean(cups, job, zpl)


def test_zpl_direct_to_a_socket_printer(printer: SystemPrinter, cups: PrivateCups) -> None:
    zpl, _ = sandbox_label("ZPL300", INFO)
    before = len(cups.listener.jobs)
    job = on_worker(
        lambda: printer.send_raw(f"socket://127.0.0.1:{cups.listener.port}", zpl, title="x")
    )
    assert cups.listener.wait_jobs(before + 1)[before] == zpl
    assert job.bytes_sent == len(zpl)


def test_unknown_printer_says_which_exist(printer: SystemPrinter, cups: PrivateCups) -> None:
    label, _ = sandbox_label("PDF", INFO)
    with pytest.raises(PrintFailed, match="no printer named 'nope'") as err:
        on_worker(lambda: printer.print_pdf("nope", [label], PageSize.LABEL_4X6, title="t"))
    assert cups.pdf_queue in str(err.value)
    with pytest.raises(PrintFailed, match="no printer named"):
        on_worker(lambda: printer.send_raw("nope", b"^XA^XZ", title="t"))


def test_stopped_queue_is_refused_with_what_to_do(
    printer: SystemPrinter, cups: PrivateCups
) -> None:
    cups.run("cupsdisable", cups.raw_queue)
    try:
        with pytest.raises(PrintFailed, match=r"stopped.*cupsenable"):
            on_worker(lambda: printer.send_raw(cups.raw_queue, b"^XA^XZ", title="t"))
        with pytest.raises(PrintFailed, match="stopped"):
            on_worker(
                lambda: printer.print_png(cups.raw_queue, [b"x"], PageSize.LABEL_4X6, title="t")
            )
    finally:
        cups.run("cupsenable", cups.raw_queue)
    assert cups.run("lpstat", "-o", cups.raw_queue).strip() == ""


def test_cups_not_running_says_so(qapp: object, tmp_path: Path) -> None:
    printer = SystemPrinter(cups_server=str(tmp_path / "no-cups.sock"))
    with pytest.raises(PrintFailed, match=r"CUPS.*not running"):
        printer.send_raw("Zebra", b"^XA^XZ", title="t")
    with pytest.raises(PrintFailed, match="not running"):
        printer.print_pdf("Zebra", [b"%PDF-1.4"], PageSize.A4, title="t")


def test_bad_input_is_refused_before_anything_is_spooled(
    printer: SystemPrinter, cups: PrivateCups
) -> None:
    with pytest.raises(PrintFailed, match="does not take raw ZPL"):
        printer.send_raw(cups.pdf_queue, b"^XA^XZ", title="t")
    with pytest.raises(PrintFailed, match="not a readable PDF"):
        printer.print_pdf(cups.pdf_queue, [b"not a pdf"], PageSize.LETTER, title="t")
    with pytest.raises(PrintFailed, match="not a readable PNG"):
        printer.print_png(cups.pdf_queue, [b"not a png"], PageSize.LETTER, title="t")
    with pytest.raises(PrintFailed, match="nothing to print"):
        printer.print_pdf(cups.pdf_queue, [], PageSize.LETTER, title="t")
    with pytest.raises(PrintFailed, match="Cannot reach the printer"):
        printer.send_raw("socket://127.0.0.1:1", b"^XA^XZ", title="t")
    assert cups.run("lpstat", "-W", "all", "-o").strip() == ""


def test_spooler_keeps_nothing_without_the_purge(cups: PrivateCups) -> None:
    """The control: without the app's purge, this spool keeps the label (PreserveJobFiles)."""
    zpl, _ = sandbox_label("ZPL203", INFO)
    before = len(cups.listener.jobs)
    out = cups.run("lp", "-d", cups.raw_queue, "-o", "raw", stdin=zpl)
    cups.listener.wait_jobs(before + 1)
    cups.wait_idle(cups.raw_queue)
    assert leftovers(cups, RECIPIENT) != []  # the address sits in the spool
    job = int(out.split()[3].rsplit("-", 1)[1])
    SystemPrinter(cups_server=cups.server).spooler.client.purge_job(job)  # type: ignore[union-attr]
    assert leftovers(cups, RECIPIENT) == []


def test_a_job_still_pending_is_purged_once_it_finishes(cups: PrivateCups, qapp: object) -> None:
    """A printer that does not answer: the call returns, the job waits in the spool; once the
    job ends (here the seller cancels it), the next print purges it."""
    dead = f"{cups.raw_queue}_dead"
    cups.run("lpadmin", "-p", dead, "-E", "-v", "socket://127.0.0.1:1", "-m", "raw")
    try:
        printer = SystemPrinter(cups_server=cups.server, completion_timeout=0.5)
        zpl, _ = sandbox_label("ZPL203", INFO)
        job = on_worker(lambda: printer.send_raw(dead, zpl, title="Label pending"))
        assert not job.completed and not job.purged
        assert leftovers(cups, RECIPIENT) != []
        cups.run("cancel", job.job_id)
        cups.wait_idle(dead)
        assert on_worker(printer.purge_finished) == 1
        assert leftovers(cups, RECIPIENT) == []
    finally:
        cups.run("lpadmin", "-x", dead)


def test_qt_painting_writes_no_temporary_file(cups: PrivateCups, qapp: object) -> None:
    """Qt's own CUPS engine spools through a file in TMPDIR (cupsTempFd); the app's path
    paints into memory. A watcher lists TMPDIR for the whole job."""
    tmpdir = cups.root / "client-tmp"
    seen: set[str] = set()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.update(entry.name for entry in os.scandir(tmpdir))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        printer = SystemPrinter(cups_server=cups.server, render_pdf_with_qt=True)
        labels = [sandbox_label("PDF", INFO)[0] for _ in range(3)]
        job = on_worker(
            lambda: printer.print_pdf(cups.pdf_queue, labels, PageSize.LABEL_4X6, title="t")
        )
        png, _ = sandbox_label("PNG", INFO)
        on_worker(lambda: printer.print_png(cups.pdf_queue, [png], PageSize.LETTER, title="t"))
    finally:
        stop.set()
        watcher.join()
    assert seen == set()
    assert job.purged
    cups.new_pdfs(2)


def test_qprinter_path_keeps_the_page_size(cups: PrivateCups, qapp: object) -> None:
    """The path used where there is no CUPS (Windows): QPrinter on the named printer,
    full page. Here it goes through Qt's CUPS engine, so the test purges the job itself."""
    printer = SystemPrinter(use_cups=False)
    label, _ = sandbox_label("PDF", INFO)
    job = on_worker(
        lambda: printer.print_pdf(cups.pdf_queue, [label], PageSize.LABEL_4X6, title="q")
    )
    assert job.pages == 1 and not job.purged
    (out,) = cups.new_pdfs(1)
    assert_size(out, PageSize.LABEL_4X6)
    cups.wait_idle(cups.pdf_queue)
    client = SystemPrinter(cups_server=cups.server).spooler.client  # type: ignore[union-attr]
    for entry in client.jobs(cups.pdf_queue, "completed", ["job-id"]):
        client.purge_job(int(entry["job-id"][0]))
    assert leftovers(cups, RECIPIENT) == []


def test_a_landscape_label_is_turned_onto_the_portrait_4x6_page(
    cups: PrivateCups, qapp: object
) -> None:
    """A 6x4 label with a thick bar along its top edge: painted by Qt onto 4x6 paper it is
    turned a quarter turn clockwise, so the bar runs down the right-hand edge at full length."""
    import io

    from PIL import Image
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(432, 288))
    canvas.rect(0, 288 - 36, 432, 36, stroke=0, fill=1)  # the top half inch, full width
    canvas.showPage()
    canvas.save()
    printer = SystemPrinter(cups_server=cups.server, render_pdf_with_qt=True)
    on_worker(
        lambda: printer.print_pdf(cups.pdf_queue, [out.getvalue()], PageSize.LABEL_4X6, title="r")
    )
    (pdf,) = cups.new_pdfs(1)
    assert_size(pdf, PageSize.LABEL_4X6)
    png = subprocess.run(
        ["pdftoppm", "-r", "72", "-gray", "-png", "-singlefile", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    page = Image.open(io.BytesIO(png))
    assert page.size == (288, 432)
    ink = page.convert("L").point(lambda v: 255 if v < 128 else 0)
    left, top, right, bottom = ink.getbbox() or (0, 0, 0, 0)
    assert right >= 286 and 286 - 36 - 3 <= left <= 286 - 36 + 3  # a half inch at the right
    assert top <= 2 and bottom >= 430  # the whole height
