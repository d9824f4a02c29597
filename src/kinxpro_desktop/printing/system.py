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

On CUPS, Qt's print engine hands the rendered PDF to ``cupsPrintFile`` through a temporary
file it creates with ``cupsTempFd`` (in TMPDIR) and deletes right after submitting; the app
then finds its job by a unique title, waits for it to finish and purges it from the spool.
"""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Callable, Sequence

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
        if self.spooler is not None and not self.render_pdf_with_qt and len(documents) == 1:
            return self._spool_pdfs(printer, documents, page_size, title)
        return self._paint_job(printer, documents, page_size, title, render.paint_pdfs)

    def _spool_pdfs(
        self, name: str, documents: Sequence[bytes], page_size: PageSize, title: str
    ) -> PrintJob:
        """The PDF itself, vector, at the chosen paper size with scaling off: the CUPS filters
        rasterise it at the printer's own resolution."""
        assert self.spooler is not None
        if not documents:
            raise PrintFailed("There is nothing to print: no document was given.")
        self.spooler.purge_finished()
        self.spooler.queue(name, self._known())
        info = QPrinterInfo.printerInfo(name)
        if info.isNull():
            raise PrintFailed.no_such_printer(name, self._known())
        pages = sum(render.pdf_page_count(data, i) for i, data in enumerate(documents))
        media = render.media_keyword(render.pick_page_size(info, page_size))
        job_id = self.spooler.submit_pdf(name, documents[0], title, media)
        return self.spooler.finish(name, job_id, pages, bytes_sent=sum(map(len, documents)))

    def print_png(
        self, printer: str, images: Sequence[bytes], page_size: PageSize, *, title: str
    ) -> PrintJob:
        return self._paint_job(printer, images, page_size, title, render.paint_pngs)

    def _paint_job(
        self,
        name: str,
        documents: Sequence[bytes],
        page_size: PageSize,
        title: str,
        paint: Callable[[QPrinter, Sequence[bytes]], int],
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
        job_title = f"{title} [{secrets.token_hex(4)}]"
        qprinter = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        qprinter.setDocName(job_title)
        qprinter.setCreator("Kinxpro Desktop")
        qprinter.setColorMode(QPrinter.ColorMode.GrayScale)
        render.prepare(qprinter, info, page_size)
        pages = paint(qprinter, documents)
        if qprinter.printerState() == QPrinter.PrinterState.Error:
            raise PrintFailed(
                f"The printer {name!r} reported an error while spooling. Check it in the "
                "system's printer settings, then print again."
            )
        if self.spooler is None:
            return PrintJob(job_id="", queue=name, bytes_sent=0, pages=pages, completed=False)
        job_id = self.spooler.find_job(name, job_title)
        if job_id is None:
            log.warning("printed on %s but could not find the job to purge it", name)
            return PrintJob(job_id="", queue=name, bytes_sent=0, pages=pages)
        return self.spooler.finish(name, job_id, pages, bytes_sent=None)

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
