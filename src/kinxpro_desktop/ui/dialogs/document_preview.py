"""An in-app preview of a PDF held in memory (packing slips, pick lists): QPdfDocument reads
the bytes from a QBuffer and a QPdfView shows them; nothing is written to disk. Print goes
through the document service's injected Printer; Save asks where, and warns that a saved
packing slip is outside Kinxpro's retention.

Wiring (for the Orders tab): ``DocumentPreviewDialog(ctx, kind=DocumentKind.PACKING_SLIP,
order_ids=selection)`` renders on the task runner and shows the result; or pass ``pdf=`` bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.printing import PageSize
from kinxpro_desktop.services.order_documents import DocumentKind


class DocumentPreviewDialog(QDialog):
    loaded = Signal(int)  # pages
    saved = Signal(object)  # SavedDocument

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
        self.setWindowTitle(f"{kind.label.capitalize()} preview")
        # Children are deleted in the order they were made: the view (whose renderer runs
        # on its own thread) goes before the document, and the buffer the document reads
        # from is the document's child, so it outlives it.
        self.view = QPdfView(self)
        self.pdf = QPdfDocument(self)
        self.buffer = QBuffer(self.pdf)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.pdf)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.save_button = QPushButton("Save as PDF…", self)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.clicked.connect(self._ask_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(720, 900)
        if pdf is not None:
            self.show_pdf(pdf)
        elif self.order_ids:
            self.status.setText("Rendering…")
            self.ctx.runner.submit(
                lambda: self.documents.render(kind, self.order_ids, page, actor=ctx.actor),
                on_done=self.show_pdf,
                on_error=self._failed,
            )

    def done(self, result: int) -> None:
        # the view's renderer lets go of the document before the document closes (an empty
        # stand-in: the view does not take None without a Qt warning)
        self.view.setDocument(QPdfDocument(self.view))
        self.pdf.close()
        super().done(result)

    @property
    def page_count(self) -> int:
        return int(self.pdf.pageCount())

    def show_pdf(self, data: bytes) -> None:
        """Load `data` from memory (no temporary file)."""
        self.pdf.close()
        self.buffer.close()
        self.buffer.setData(QByteArray(data))
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf.load(self.buffer)
        if self.pdf.status() != QPdfDocument.Status.Ready:
            self.status.setText("The document could not be shown (the PDF is damaged).")
            return
        self.status.setText(
            f"{self.page_count} page(s)"
            + (
                ". It shows the buyer's address: print it only for the package."
                if self.kind is DocumentKind.PACKING_SLIP
                else "."
            )
        )
        self.loaded.emit(self.page_count)

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
        self.ctx.runner.submit(
            lambda: self.documents.save(
                self.kind,
                self.order_ids,
                path,
                self.page,
                actor=self.ctx.actor,
                retention_days=days,
            ),
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
