"""Confirm shipment for an order shipped outside Kinxpro: carrier from Amazon's list, tracking
number checked against the carrier's format as the seller types, ship date (today by
default, never in the future). Confirming runs on the task runner (the shipment service
reads the order from Amazon, records the intent, sends confirmShipment, reconciles a lost
answer); the dialog closes with the confirmation, or shows the message and keeps the values.

Wiring (for the Orders tab): ``dialog = ConfirmShipmentDialog(ctx, order_id)``;
``dialog.confirmed`` carries the Confirmation; the dialog emits
``ctx.events.data_changed(Changes(orders={order_id}))`` so the tables refresh that row.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.core.changes import Changes
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.services.shipments import CARRIERS, check_carrier, normalise_tracking


class ConfirmShipmentDialog(QDialog):
    confirmed = Signal(object)  # services.shipments.Confirmation

    def __init__(
        self, ctx: Any, order_id: str, shipments: Any = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.order_id = order_id
        self.shipments = shipments if shipments is not None else ctx.shipments
        self.confirmation: Any = None
        self.setWindowTitle(f"Confirm shipment of order {order_id}")
        self.carrier = QComboBox(self)
        self.carrier.addItems(list(CARRIERS))
        self.carrier_name = QLineEdit(self)
        self.carrier_name.setPlaceholderText("the carrier's name (with Other)")
        self.tracking = QLineEdit(self)
        self.tracking.setPlaceholderText("as on the carrier's receipt")
        self.ship_date = QDateEdit(QDate.currentDate(), self)
        self.ship_date.setCalendarPopup(True)
        self.ship_date.setMaximumDate(QDate.currentDate())
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setObjectName("error")
        form = QFormLayout()
        form.addRow("Carrier", self.carrier)
        form.addRow("Carrier name", self.carrier_name)
        form.addRow("Tracking number", self.tracking)
        form.addRow("Ship date", self.ship_date)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Confirm shipment")
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "For a package you shipped without a Kinxpro label. Amazon tells the buyer; "
                "this cannot be undone.",
                self,
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.carrier.currentTextChanged.connect(self._check)
        self.tracking.textChanged.connect(self._check)
        self.carrier_name.textChanged.connect(self._check)
        self._check()

    def problem(self) -> str:
        """What is wrong with the form, in words ('' when it can be sent)."""
        try:
            code = check_carrier(self.carrier.currentText(), self.carrier_name.text())
            normalise_tracking(code, self.tracking.text())
        except UserError as exc:
            return exc.message
        return ""

    def _check(self, *_args: object) -> None:
        self.carrier_name.setEnabled(self.carrier.currentText() == "Other")
        problem = self.problem()
        # an empty tracking field is not an error yet, just not ready
        self.error.setText(problem if self.tracking.text().strip() else "")
        self.ok.setEnabled(not problem)

    def confirm(self) -> None:
        if self.problem():
            self._check()
            return
        self.ok.setEnabled(False)
        self.error.setText("Confirming with Amazon…")
        d = self.ship_date.date()
        from datetime import date

        ship = date(d.year(), d.month(), d.day())
        carrier, name, tracking = (
            self.carrier.currentText(),
            self.carrier_name.text(),
            self.tracking.text(),
        )
        self.ctx.runner.submit(
            lambda: self.shipments.confirm(
                self.order_id, carrier, tracking, ship, carrier_name=name, actor=self.ctx.actor
            ),
            on_done=self._done,
            on_error=self._failed,
            kind=self.ctx.runner.NET,
        )

    def _done(self, confirmation: Any) -> None:
        self.confirmation = confirmation
        self.confirmed.emit(confirmation)
        self.ctx.events.data_changed.emit(Changes(orders=frozenset({self.order_id})))
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        if isinstance(exc, UserError):
            self.error.setText(exc.message)
        else:
            self.error.setText(f"Confirming failed ({type(exc).__name__}); see the log.")
