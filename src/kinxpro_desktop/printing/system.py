"""The app's Printer: Qt paints PDF/PNG pages into a named QPrinter; raw bytes go to CUPS
(IPP, the equivalent of ``lp -o raw`` from memory), a socket, or the Windows spooler.

A single PDF on CUPS goes to the spooler as it is (vector, ``print-scaling=none``, the paper
picked from the driver's sizes as for Qt): barcodes stay sharp at the printer's own resolution
and no temporary file is made. A batch is painted with QtPdf into one job, so it prints in
queue order with nothing in between (a multi-document IPP job hangs backends that read one
document, cups-pdf among them). ``render_pdf_with_qt=True`` and non-CUPS platforms always
paint with QtPdf.

No dialog is ever shown and nothing assumes the GUI thread: the task runner calls these
methods on a worker thread (a QGuiApplication must exist, as it does in the app).

On CUPS, pages Qt paints go into a PDF in memory (QPdfWriter on a QBuffer, at the printer's
resolution and paper) that is spooled over IPP: Qt's own CUPS engine would pass it through a
temporary file in TMPDIR. Every CUPS job is waited for and purged from the spool. Elsewhere
(Windows) Qt paints into ``QPrinter(QPrinterInfo.printerInfo(name), HighResolution)``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from kinxpro_desktop.core.printing import PageSize, PrinterInfo, PrintFailed, PrintJob
from kinxpro_desktop.printing import raw, render
from kinxpro_desktop.printing.cups import CupsSpooler, looks_raw, looks_thermal

log = logging.getLogger(__name__)

_WINDOWS = sys.platform == "win32"


class SystemPrinter:
    """Implements core.printing.Printer with QtPrintSupport, QtPdf and CUPS."""

    def __init__(
        self,
        *,
        cups_server: str | None = None,
        completion_timeout: float = 60.0,
        use_cups: bool | None = None,
        render_pdf_with_qt: bool = False,
    ) -> None:
        self.use_cups = (not _WINDOWS) if use_cups is None else use_cups
        self.render_pdf_with_qt = render_pdf_with_qt or not self.use_cups
        self.spooler = (
            CupsSpooler(cups_server, completion_timeout=completion_timeout)
            if self.use_cups
            else None
        )

    # -- discovery ----------------------------------------------------------------------

    def printers(self) -> list[PrinterInfo]:
        default = QPrinterInfo.defaultPrinterName()
        found = []
        for info in QPrinterInfo.availablePrinters():
            name = info.printerName()
            model = info.makeAndModel()
            resolutions = info.supportedResolutions()
            found.append(
                PrinterInfo(
                    name=name,
                    is_default=name == default,
                    dpi=_dpi_of(info, resolutions),
                    raw_capable=looks_raw(model, ""),
                    thermal=looks_thermal(name, model, info.description()),
                    model=model,
                    accepting=info.state() != QPrinter.PrinterState.Error,
                )
            )
        return found

    def _known(self) -> list[str]:
        return list(QPrinterInfo.availablePrinterNames())

    # -- Qt-painted documents -----------------------------------------------------------

    def print_pdf(
        self, printer: str, documents: Sequence[bytes], page_size: PageSize, *, title: str
    ) -> PrintJob:
        vector = not self.render_pdf_with_qt and len(documents) == 1
        return self._paint_job(printer, documents, page_size, title, render.paint_pdfs, vector)

    def print_png(
        self, printer: str, images: Sequence[bytes], page_size: PageSize, *, title: str
    ) -> PrintJob:
        return self._paint_job(printer, images, page_size, title, render.paint_pngs, False)

    def _paint_job(
        self,
        name: str,
        documents: Sequence[bytes],
        page_size: PageSize,
        title: str,
        paint: Callable[[render.Device, Sequence[bytes]], int],
        vector: bool,
    ) -> PrintJob:
        if not documents:
            raise PrintFailed("There is nothing to print: no document was given.")
        if raw.socket_target(name) is not None:
            raise PrintFailed(
                f"{name!r} is a raw printer address: it prints ZPL only. Choose a system "
                "printer for PDF and PNG labels, or buy the label as ZPL."
            )
        if self.spooler is not None:
            self.spooler.purge_finished()
            self.spooler.queue(name, self._known())
        info = QPrinterInfo.printerInfo(name)
        if info.isNull():
            raise PrintFailed.no_such_printer(name, self._known())
        if self.spooler is not None and vector:
            return self._spool_pdf(info, documents[0], page_size, title)
        if self.spooler is not None:
            return self._paint_to_cups(info, documents, page_size, title, paint)
        qprinter = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        qprinter.setDocName(title)
        qprinter.setCreator("Kinxpro Desktop")
        qprinter.setColorMode(QPrinter.ColorMode.GrayScale)
        render.prepare(qprinter, info, page_size)
        pages = paint(qprinter, documents)
        if qprinter.printerState() == QPrinter.PrinterState.Error:
            raise PrintFailed(
                f"The printer {name!r} reported an error while spooling. Check it in the "
                "system's printer settings, then print again."
            )
        return PrintJob(job_id="", queue=name, bytes_sent=0, pages=pages)

    def _spool_pdf(
        self, info: QPrinterInfo, document: bytes, page_size: PageSize, title: str
    ) -> PrintJob:
        """The PDF itself, vector, at the chosen paper size with scaling off: the CUPS filters
        rasterise it at the printer's own resolution."""
        assert self.spooler is not None
        name = info.printerName()
        pages = render.pdf_page_count(document, 0)  # also refuses what is not a PDF
        media = render.media_keyword(render.pick_page_size(info, page_size))
        job_id = self.spooler.submit_pdf(name, document, title, media)
        return self.spooler.finish(name, job_id, pages, bytes_sent=len(document))

    def _paint_to_cups(
        self,
        info: QPrinterInfo,
        documents: Sequence[bytes],
        page_size: PageSize,
        title: str,
        paint: Callable[[render.Device, Sequence[bytes]], int],
    ) -> PrintJob:
        """Paint into a PDF in memory at the printer's resolution and paper, then spool it.

        This is what Qt's own CUPS engine does (QPrinter renders a PDF and hands it to
        cupsPrintFile) minus its temporary file in TMPDIR, which would hold the label until
        Qt deletes it, or for good after a crash; and the job id comes back directly."""
        assert self.spooler is not None
        name = info.printerName()
        page = render.pick_page_size(info, page_size)
        dpi = min(QPrinter(info, QPrinter.PrinterMode.HighResolution).resolution(), 600)
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = render.pdf_writer(buffer, page, dpi, title)
        pages = paint(writer, documents)
        del writer
        data = bytes(buffer.data().data())
        buffer.close()
        job_id = self.spooler.submit_pdf(name, data, title, render.media_keyword(page))
        return self.spooler.finish(name, job_id, pages, bytes_sent=len(data))

    # -- raw ----------------------------------------------------------------------------

    def send_raw(self, printer: str, data: bytes, *, title: str) -> PrintJob:
        if not data:
            raise PrintFailed("There is nothing to print: the label is empty.")
        if raw.socket_target(printer) is not None:
            return raw.send_socket(printer, data)
        if self.spooler is None:
            return raw.send_windows(printer, data, title=title)  # pragma: no cover
        self.spooler.purge_finished()
        job_id = self.spooler.submit_raw(printer, data, title, self._known())
        return self.spooler.finish(printer, job_id, raw.label_count(data), bytes_sent=len(data))

    # -- spool hygiene --------------------------------------------------------------------

    def keeps_printed_documents(self, printer: str) -> bool:
        if _WINDOWS:  # pragma: no cover
            return raw.windows_keeps_printed(printer)
        return False  # CUPS: the app purges its own jobs

    def purge_finished(self) -> int:
        """Purge jobs that were still pending when their print call returned."""
        return self.spooler.purge_finished() if self.spooler is not None else 0


def _dpi_of(info: QPrinterInfo, resolutions: list[int]) -> int | None:
    if not resolutions:
        return None
    default = QPrinter(info, QPrinter.PrinterMode.HighResolution).resolution()
    return default if default in resolutions else max(resolutions)
