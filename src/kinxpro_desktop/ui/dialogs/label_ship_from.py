"""The seller's ship-from address (their own, not buyer data), as Amazon's label needs it."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

FIELDS = (
    ("Name", "Name or business"),
    ("AddressLine1", "Address line 1"),
    ("AddressLine2", "Address line 2"),
    ("City", "City"),
    ("StateOrProvinceCode", "State / province"),
    ("PostalCode", "Postal code"),
    ("CountryCode", "Country (two letters)"),
    ("Email", "E-mail"),
    ("Phone", "Phone"),
)


class ShipFromDialog(QDialog):
    def __init__(self, current: Mapping[str, object] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ship-from address")
        self.setObjectName("shipFromDialog")
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        for key, label in FIELDS:
            edit = QLineEdit(str((current or {}).get(key) or ""))
            self.edits[key] = edit
            form.addRow(label, edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def address(self) -> dict[str, object]:
        return {k: e.text().strip() for k, e in self.edits.items() if e.text().strip()}
