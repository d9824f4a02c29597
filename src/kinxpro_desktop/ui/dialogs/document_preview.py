"""An in-app preview of a PDF held in memory (packing slips, pick lists). A worker renders
the pages to images (printing.render.page_images) and the dialog paints them; nothing is
written to disk, and no PDF renderer thread belongs to the dialog, so closing it while pages
are still drawing is safe. Print sends the document to a chosen printer through the document
service's Printer; Save asks where, and warns that a saved packing slip is outside Kinxpro's
retention.

Wiring (for the Orders tab): ``DocumentPreviewDialog(ctx, kind=DocumentKind.PACKING_SLIP,
order_ids=selection)`` renders on the task runner and shows the result; or pass ``pdf=`` bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.printing import PageSize, PrinterInfo
from kinxpro_desktop.printing.render import page_images
from kinxpro_desktop.services.order_documents import DocumentKind
from kinxpro_desktop.ui.fmt import plural
from kinxpro_desktop.ui.widgets.page_strip import PageStrip, strip_area

PREVIEW_PAGES = 40  # pages shown; Print and Save always take the whole document
MIN_RENDER_PX, MAX_RENDER_PX = 1000, 1800


class DocumentPreviewDialog(QDialog):
    loaded = Signal(int)  # pages
    saved = Signal(object)  # SavedDocument
    printed = Signal(object)  # PrintJob

    def __init__(
        self,
        ctx: Any,
        pdf: bytes | None = None,
        *,
        kind: DocumentKind = DocumentKind.PACKING_SLIP,
        order_ids: Sequence[str] = (),
        page: PageSize = PageSize.LETTER,
        documents: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.order_ids = list(order_ids)
        self.page = page
        self.documents = documents if documents is not None else ctx.documents
        self._page_count = 0
        self._closed = False
        self.setWindowTitle(f"{kind.label.capitalize()} preview")
        self.strip = PageStrip(self)
        self.view = strip_area(self.strip, self)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.printer_box = QComboBox(self)
        self.printer_box.setMinimumContentsLength(18)
        self.printer_box.setToolTip("The printer for Print")
        self.print_button = QPushButton("Print", self)
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton("Save as PDF…", self)
        self.save_button.clicked.connect(self._ask_save)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_document)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self._ask_save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addWidget(self.printer_box)
        row.addWidget(self.print_button)
        row.addStretch(1)
        row.addWidget(self.buttons)
        layout.addLayout(row)
        self.resize(720, 900)
        self._find_printers()
        if pdf is not None:
            self.show_pdf(pdf)
        elif self.order_ids:
            self.status.setText("Rendering…")
            documents, ids, actor, width = self.documents, self.order_ids, ctx.actor, self._width()
            self.ctx.runner.submit(
                lambda: page_images(
                    documents.render(kind, ids, page, actor=actor), width, PREVIEW_PAGES
                ),
                on_done=self._show_pages,
                on_error=self._failed,
            )

    def done(self, result: int) -> None:
        """Closing lets go of the page images (a packing slip's show the buyer's address),
        and a render still running is shown nowhere."""
        self._closed = True
        self.strip.clear()
        super().done(result)

    @property
    def page_count(self) -> int:
        return self._page_count

    def show_pdf(self, data: bytes) -> None:
        """Show `data` (PDF bytes, held in memory: no temporary file)."""
        self.status.setText("Rendering…")
        width = self._width()
        self.ctx.runner.submit(
            lambda: page_images(data, width, PREVIEW_PAGES),
            on_done=self._show_pages,
            on_error=self._failed,
        )

    def _width(self) -> int:
        """Pixels across a rendered page: sharp at the dialog's width on this screen, and when
        the dialog is widened (up to a bound on memory)."""
        wanted = round(self.view.viewport().width() * self.devicePixelRatioF() * 1.5)
        return max(MIN_RENDER_PX, min(MAX_RENDER_PX, wanted))

    def _show_pages(self, result: tuple[int, list[QImage]]) -> None:
        if self._closed:
            return
        count, images = result
        self._page_count = count
        self.strip.set_pages(images)
        shown = (
            plural(count, "page")
            if len(images) == count
            else f"The first {len(images)} of {count} pages are shown; Print and Save take them all"
        )
        self.status.setText(
            shown
            + (
                ". It shows the buyer's address: print it only for the package."
                if self.kind is DocumentKind.PACKING_SLIP
                else "."
            )
        )
        self.loaded.emit(count)

    # -- printing ---------------------------------------------------------------------

    def _find_printers(self) -> None:
        printer = getattr(self.documents, "printer", None)
        if printer is None or not self.order_ids:
            self.printer_box.hide()
            self.print_button.hide()
            return
        self.printer_box.addItem("Looking for printers…")
        self.printer_box.setEnabled(False)
        self.ctx.runner.submit(
            printer.printers, on_done=self._printers_found, on_error=self._no_printers, kind="net"
        )

    def _printers_found(self, printers: list[PrinterInfo]) -> None:
        self.printer_box.clear()
        ready = [p for p in printers if p.accepting]
        if not ready:
            self._no_printers(None)
            return
        for p in sorted(ready, key=lambda p: (not p.is_default, p.name.lower())):
            self.printer_box.addItem(p.name + (" (default)" if p.is_default else ""), p.name)
        self.printer_box.setEnabled(True)
        self.print_button.setEnabled(True)

    def _no_printers(self, _exc: BaseException | None) -> None:
        self.printer_box.clear()
        self.printer_box.addItem("No printer found")
        self.printer_box.setEnabled(False)
        self.print_button.setEnabled(False)
        self.print_button.setToolTip("Add a printer in the system's settings, or save the PDF.")

    def print_document(self) -> None:
        name = self.printer_box.currentData()
        if not self.print_button.isEnabled() or not name:
            return
        self.print_button.setEnabled(False)
        self.status.setText(f"Sending to {name}…")
        documents, kind, ids, page, actor = self._job_values()
        self.ctx.runner.submit(
            lambda: documents.print(kind, ids, name, page, actor=actor),
            on_done=self._printed,
            on_error=self._print_failed,
        )

    def _job_values(self) -> tuple[Any, DocumentKind, list[str], PageSize, str]:
        """What a worker job needs, read here on the GUI thread (never the widget there)."""
        return self.documents, self.kind, list(self.order_ids), self.page, self.ctx.actor

    def _printed(self, job: Any) -> None:
        self.print_button.setEnabled(True)
        self.status.setText(
            f"Sent to {job.queue}: {plural(job.pages, 'page')}, print job {job.job_id}."
        )
        self.printed.emit(job)

    def _print_failed(self, exc: BaseException) -> None:
        self.print_button.setEnabled(True)
        self._failed(exc)

    # -- saving -----------------------------------------------------------------------

    def _ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, f"Save {self.kind.label}", f"{self.kind.value}.pdf", "PDF (*.pdf)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        if not self.order_ids:
            self.status.setText("Nothing to save.")
            return
        days = self.ctx.privacy.retention_days() if hasattr(self.ctx, "privacy") else 30
        documents, kind, ids, page, actor = self._job_values()
        self.ctx.runner.submit(
            lambda: documents.save(kind, ids, path, page, actor=actor, retention_days=days),
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, saved: Any) -> None:
        self.status.setText(f"Saved to {saved.path}. {saved.warning}".strip())
        self.saved.emit(saved)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(
            exc.message if isinstance(exc, UserError) else f"Failed ({type(exc).__name__})."
        )
