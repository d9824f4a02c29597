"""Actions on the Orders selection: packing slips and pick list (preview, print, save),
Buy label (the Labels tab), Confirm shipment, and printing slips with Ctrl+P."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.printing import PageSize
from kinxpro_desktop.services.order_documents import DocumentKind
from kinxpro_desktop.ui.dialogs.confirm_shipment import ConfirmShipmentDialog
from kinxpro_desktop.ui.dialogs.document_preview import DocumentPreviewDialog


class OrderActions(QWidget):
    """Buttons over ``selection()`` (order ids in table order); none enabled without one."""

    buy_labels = Signal(list)  # order ids, for MainWindow.buy_labels
    message = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        selection: Callable[[], list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._selection = selection
        self.dialogs: list[QWidget] = []  # the open previews/dialogs (kept alive)
        self.slips_button = QPushButton("Packing slips")
        self.slips_button.setToolTip("Preview, print or save packing slips for the selection")
        self.pick_button = QPushButton("Pick list")
        self.pick_button.setToolTip("Every SKU in the selection with its quantity and orders")
        self.label_button = QPushButton("Buy label")
        self.label_button.setToolTip("Buy shipping labels for the selection in the Labels tab")
        self.confirm_button = QPushButton("Confirm shipment…")
        self.confirm_button.setToolTip("For a package shipped without a Kinxpro label")
        self.slips_button.clicked.connect(lambda: self.preview(DocumentKind.PACKING_SLIP))
        self.pick_button.clicked.connect(lambda: self.preview(DocumentKind.PICK_LIST))
        self.label_button.clicked.connect(lambda: self._buy())
        self.confirm_button.clicked.connect(lambda: self.confirm_shipment())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for b in (self.slips_button, self.pick_button, self.label_button, self.confirm_button):
            layout.addWidget(b)
        self.update_enabled(0)

    def update_enabled(self, selected: int) -> None:
        for b in (self.slips_button, self.pick_button, self.label_button):
            b.setEnabled(selected > 0)
        self.confirm_button.setEnabled(selected == 1)

    def _buy(self) -> None:
        ids = self._selection()
        if ids:
            self.buy_labels.emit(ids)

    def _keep(self, dialog: QWidget) -> None:
        self.dialogs = [d for d in self.dialogs if d.isVisible()]
        self.dialogs.append(dialog)

    def preview(
        self, kind: DocumentKind, page: PageSize = PageSize.LETTER
    ) -> DocumentPreviewDialog | None:
        ids = self._selection()
        if not ids:
            return None
        dialog = DocumentPreviewDialog(self._ctx, kind=kind, order_ids=ids, page=page, parent=self)
        dialog.show()
        self._keep(dialog)
        return dialog

    def confirm_shipment(self) -> ConfirmShipmentDialog | None:
        ids = self._selection()
        if len(ids) != 1:
            self.message.emit("Select one order to confirm its shipment.")
            return None
        dialog = ConfirmShipmentDialog(self._ctx, ids[0], parent=self)
        dialog.confirmed.connect(lambda _c: self.message.emit(f"Shipment of {ids[0]} confirmed."))
        dialog.show()
        self._keep(dialog)
        return dialog

    def print_slips(self, printer: str | None = None) -> None:
        """Ctrl+P: the selection's packing slips on the default printer, in the background."""
        ids: Sequence[str] = self._selection()
        if not ids:
            self.message.emit("Select the orders to print packing slips for.")
            return
        name = printer or QPrinterInfo.defaultPrinterName()
        if not name:
            self.message.emit("No default printer: open Packing slips and save the PDF instead.")
            return
        documents, actor = self._ctx.documents, self._ctx.actor
        self._ctx.runner.submit(
            lambda: documents.print(DocumentKind.PACKING_SLIP, list(ids), name, actor=actor),
            on_done=lambda _j: self.message.emit(f"Packing slips sent to {name}."),
            on_error=lambda exc: self.message.emit(
                exc.message
                if isinstance(exc, UserError)
                else f"Printing failed ({type(exc).__name__})."
            ),
        )


def _failure(exc: BaseException) -> str:
    return exc.message if isinstance(exc, UserError) else f"Printing failed ({type(exc).__name__})."
