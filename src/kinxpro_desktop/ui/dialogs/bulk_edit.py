"""Bulk edit of a selection of listings: set a price or quantity, adjust it by an amount, or
change it by a percent (rounded to the currency's minor unit). The value is read with the
locale's decimal point ("12,50" in German), validated for every selected listing before
anything is staged; a bad value is named with its SKU and nothing is staged.

Wiring (for the Listings tab): ``BulkEditDialog(ctx, [(sku, marketplace_id), ...])``;
``dialog.staged`` carries the staged changes (refresh the Pending changes panel then).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.listing_edits import (
    PRICE,
    QUANTITY,
    BulkEdit,
    BulkMode,
    InvalidEdit,
    parse_number,
)

MODES = (
    (BulkMode.SET, "Set to"),
    (BulkMode.ADD, "Add (a negative amount subtracts)"),
    (BulkMode.PERCENT, "Change by percent (-10 = ten percent off)"),
)


class BulkEditDialog(QDialog):
    staged = Signal(object)  # list[StagedChange]

    def __init__(
        self,
        ctx: Any,
        keys: Sequence[tuple[str, str]],
        edits: Any = None,
        parent: QWidget | None = None,
        locale: QLocale | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.keys = list(keys)
        self.edits = edits if edits is not None else ctx.listing_edits
        self.number_locale = locale or QLocale()
        self.setWindowTitle(f"Edit {len(self.keys)} listing(s)")
        self.field = QComboBox(self)
        self.field.addItem("Price", PRICE)
        self.field.addItem("Quantity (merchant-fulfilled only)", QUANTITY)
        self.mode = QComboBox(self)
        for mode, words in MODES:
            self.mode.addItem(words, mode.value)
        self.value = QLineEdit(self)
        self.value.setPlaceholderText(f"for example 12{self.decimal_point}99")
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Change", self.field)
        form.addRow("How", self.mode)
        form.addRow("Value", self.value)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Stage changes")
        self.buttons.accepted.connect(self.stage)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("The changes are staged, not sent: review and submit them in Pending changes.")
        )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    @property
    def decimal_point(self) -> str:
        point = self.number_locale.decimalPoint()
        return point if point in (".", ",") else "."

    def edit(self) -> BulkEdit:
        """The edit the form describes; InvalidEdit with what to type otherwise."""
        text = self.value.text()
        if not text.strip():
            raise InvalidEdit("Enter a value.")
        amount = parse_number(text, self.decimal_point)
        if amount is None:
            raise InvalidEdit(
                f"{text.strip()!r} is not a number: type it like 12{self.decimal_point}99."
            )
        return BulkEdit(str(self.field.currentData()), BulkMode(self.mode.currentData()), amount)

    def stage(self) -> None:
        try:
            edit = self.edit()
        except InvalidEdit as exc:
            self.error.setText(exc.message)
            return
        self.ok.setEnabled(False)
        self.error.setText("Checking the values…")
        keys = list(self.keys)
        self.ctx.runner.submit(
            lambda: self.edits.stage_bulk(keys, edit, actor=self.ctx.actor),
            on_done=self._done,
            on_error=self._failed,
        )

    def _done(self, changes: Any) -> None:
        self.staged.emit(changes)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.error.setText(
            exc.message if isinstance(exc, UserError) else f"Failed ({type(exc).__name__})."
        )
