"""Spooling 100 labels as one print job to a private CUPS, and 100 ZPL labels raw.

Each label is a distinct simulator label (4x6 PDF, or ZPL203) for its own order. Measured
through the app's printing code (kinxpro_desktop.printing.SystemPrinter), from the call until
the job has completed and been purged from the spool:
- PDF, Qt-rendered: every page painted by QtPdf into a QPrinter, one 100-page job (what a
  batch print does);
- PDF, vector: for comparison, each PDF as its own job (what printing one label does);
- ZPL: the 100 labels concatenated, one raw job to a socket queue whose listener stands in
  for a networked Zebra; and the same bytes sent directly to the socket (no CUPS).
Also reported: bytes sent, and whether anything of the labels remains in the spool.
Needs cupsd, cups-pdf and poppler (see .ci/run); run as root like CI.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
for entry in (ROOT / "src", ROOT):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from tests.support import cups as cups_support  # noqa: E402

from common import mib, print_table, stopwatch  # noqa: E402
from kinxpro_desktop.core.printing import PageSize  # noqa: E402
from kinxpro_desktop.sandbox.labels import LabelInfo  # noqa: E402
from kinxpro_desktop.sandbox.labels import render as sandbox_label  # noqa: E402

COUNT = 100


def _labels(fmt: str) -> list[bytes]:
    out = []
    for n in range(COUNT):
        info = LabelInfo(
            "UPS",
            "Ground",
            f"1Z999AA1{n:010d}",
            f"113-{n:07d}-{n:07d}",
            ("Kinxpro Goods", "1 Seller Way", "Austin TX 78701"),
            (f"Buyer Number{n:03d}", f"{n} Elm Street", "Springfield IL 62701"),
        )
        out.append(sandbox_label(fmt, info)[0])
    return out


def main() -> int:
    missing = cups_support.missing_tools()
    if missing:
        print(f"bench_print: skipped, needs {', '.join(missing)}")
        return 0
    root = Path(tempfile.mkdtemp(prefix="kx-bench-cups-"))
    root.chmod(0o755)
    try:
        with cups_support.private_cups(root, name="bench") as cups:
            os.environ["CUPS_SERVER"] = cups.server
            return _run(cups)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run(cups: cups_support.PrivateCups) -> int:
    from PySide6.QtGui import QGuiApplication

    from kinxpro_desktop.printing.system import SystemPrinter

    app = QGuiApplication.instance() or QGuiApplication([])
    pdfs, zpls = _labels("PDF"), _labels("ZPL203")
    names = [f"Buyer Number{n:03d}".encode() for n in range(COUNT)]
    rows = []

    def leftovers() -> int:
        return len(cups.spool_hits(*names))

    vector = SystemPrinter(cups_server=cups.server, completion_timeout=600)
    with stopwatch() as t:
        jobs = [
            vector.print_pdf(cups.pdf_queue, [pdf], PageSize.LABEL_4X6, title=f"bench {n}")
            for n, pdf in enumerate(pdfs)
        ]
    cups.new_pdfs(COUNT)
    sent = sum(j.bytes_sent for j in jobs)
    pages = sum(j.pages for j in jobs)
    summary = replace(jobs[-1], pages=pages, purged=all(j.purged for j in jobs))
    rows.append(("PDF 4x6, vector, 100 jobs of 1", t[0], sent, summary, leftovers()))

    qt = SystemPrinter(cups_server=cups.server, completion_timeout=600, render_pdf_with_qt=True)
    with stopwatch() as t:
        job = qt.print_pdf(cups.pdf_queue, pdfs, PageSize.LABEL_4X6, title="bench qt")
    (out,) = cups.new_pdfs(1)
    rows.append(("PDF 4x6, Qt-rendered, 1 job", t[0], job.bytes_sent, job, leftovers()))
    qt_pdf_size = out.stat().st_size

    # the app's share of that: painting the 100 pages into the in-memory PDF, no spooler
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    from kinxpro_desktop.printing import render

    info = QPrinterInfo.printerInfo(cups.pdf_queue)
    dpi = min(QPrinter(info, QPrinter.PrinterMode.HighResolution).resolution(), 600)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    with stopwatch() as t:
        writer = render.pdf_writer(
            buffer, render.pick_page_size(info, PageSize.LABEL_4X6), dpi, "b"
        )
        pages = render.paint_pdfs(writer, pdfs)
        del writer
    size = buffer.size()
    buffer.close()
    render_row = (f"  of which Qt painting at {dpi} dpi", t[0], size, replace(job, pages=pages), 0)
    rows.append(render_row)

    zpl = b"".join(zpls)
    before = len(cups.listener.jobs)
    with stopwatch() as t:
        job = vector.send_raw(cups.raw_queue, zpl, title="bench zpl")
    received = cups.listener.wait_jobs(before + 1)[before]
    assert received == zpl, "the listener did not receive the ZPL unchanged"
    rows.append(("ZPL203 raw via CUPS, 1 job", t[0], job.bytes_sent, job, leftovers()))

    with stopwatch() as t:
        job = vector.send_raw(f"socket://127.0.0.1:{cups.listener.port}", zpl, title="x")
    assert cups.listener.wait_jobs(before + 2)[before + 1] == zpl
    rows.append(("ZPL203 direct socket, no spool", t[0], job.bytes_sent, job, leftovers()))

    print(f"bench_print: {COUNT} labels per job, private CUPS with PreserveJobFiles Yes")
    print_table(
        ["path", "seconds", "per label ms", "bytes sent", "pages", "purged", "spool hits"],
        [
            (
                name,
                f"{secs:.2f}",
                f"{secs / COUNT * 1000:.1f}",
                f"{sent:,} ({mib(sent)})",
                str(job.pages),
                str(job.purged),
                str(hits),
            )
            for name, secs, sent, job, hits in rows
        ],
    )
    print(f"Qt-rendered job as cups-pdf wrote it: {qt_pdf_size:,} bytes for {COUNT} pages")
    del app
    return 0 if all(hits == 0 for *_, hits in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
