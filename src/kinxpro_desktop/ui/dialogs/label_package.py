"""The package for the selected orders: a named box preset or custom dimensions and weight,
optionally saved as a new preset. Sizes in inches, weight in ounces."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from kinxpro_desktop.core.shipping import Package


def _spin(value: float, maximum: float, suffix: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.1, maximum)
    box.setDecimals(1)
    box.setSuffix(suffix)
    box.setValue(value)
    return box


class PackageDialog(QDialog):
    def __init__(
        self, boxes: Mapping[str, Package], current: Package, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Package")
        self.setObjectName("labelPackageDialog")
        self.boxes = dict(boxes)
        form = QFormLayout(self)
        self.preset = QComboBox()
        self.preset.addItem("Custom", "")
        for name in self.boxes:
            self.preset.addItem(name, name)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.length_box = _spin(current.length, 108, " in")
        self.width_box = _spin(current.width, 108, " in")
        self.height_box = _spin(current.height, 108, " in")
        self.weight_box = _spin(current.weight_oz, 2400, " oz")
        self.save_as = QLineEdit()
        self.save_as.setPlaceholderText("(optional) save as a box preset named…")
        form.addRow("Box", self.preset)
        form.addRow("Length", self.length_box)
        form.addRow("Width", self.width_box)
        form.addRow("Height", self.height_box)
        form.addRow("Weight", self.weight_box)
        form.addRow("Preset name", self.save_as)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        if current.preset in self.boxes:
            self.preset.setCurrentIndex(self.preset.findData(current.preset))

    def _preset_chosen(self, _index: int) -> None:
        box = self.boxes.get(str(self.preset.currentData() or ""))
        if box is not None:
            for spin, value in (
                (self.length_box, box.length),
                (self.width_box, box.width),
                (self.height_box, box.height),
                (self.weight_box, box.weight_oz),
            ):
                spin.setValue(value)

    def package(self) -> Package:
        name = self.save_as.text().strip() or str(self.preset.currentData() or "")
        return Package(
            self.length_box.value(),
            self.width_box.value(),
            self.height_box.value(),
            self.weight_box.value(),
            name,
        )
