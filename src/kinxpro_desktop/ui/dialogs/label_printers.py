"""Printer settings per document type (label, packing slip): printer, paper, format; and
whether a packing slip follows each label. UI preferences in QSettings: printer names and
choices only, never buyer data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.core.printing import PageSize, PrinterInfo

FORMATS = ("Auto (by printer)", "PDF", "PNG", "ZPL203", "ZPL300")
PAPERS = (PageSize.LABEL_4X6, PageSize.LETTER, PageSize.A4)


@dataclass(frozen=True)
class PrintSettings:
    label_printer: str = ""
    label_paper: PageSize = PageSize.LABEL_4X6
    label_format: str = ""  # "" = by printer (ZPL203/ZPL300 for thermal, else PDF)
    slip_printer: str = ""
    slip_paper: PageSize = PageSize.LETTER
    slip_after_label: bool = False

    @classmethod
    def load(cls, store: QSettings) -> PrintSettings:
        def paper(key: str, default: PageSize) -> PageSize:
            try:
                return PageSize(str(store.value(key, default.value)))
            except ValueError:
                return default

        fmt = str(store.value("labels/format", ""))
        return cls(
            label_printer=str(store.value("labels/printer", "")),
            label_paper=paper("labels/paper", PageSize.LABEL_4X6),
            label_format=fmt if fmt in FORMATS[1:] else "",
            slip_printer=str(store.value("slips/printer", "")),
            slip_paper=paper("slips/paper", PageSize.LETTER),
            slip_after_label=str(store.value("slips/after_label", "false")) == "true",
        )

    def save(self, store: QSettings) -> None:
        store.setValue("labels/printer", self.label_printer)
        store.setValue("labels/paper", self.label_paper.value)
        store.setValue("labels/format", self.label_format)
        store.setValue("slips/printer", self.slip_printer)
        store.setValue("slips/paper", self.slip_paper.value)
        store.setValue("slips/after_label", "true" if self.slip_after_label else "false")
        store.sync()


def _printer_box(printers: Sequence[PrinterInfo], current: str) -> QComboBox:
    box = QComboBox()
    for p in printers:
        kind = (
            f" — thermal, {p.dpi} dpi"
            if p.thermal and p.dpi
            else (" — thermal" if p.thermal else "")
        )
        box.addItem(p.name + kind + (" (default)" if p.is_default else ""), p.name)
    if current and box.findData(current) < 0:
        box.addItem(f"{current} (not found)", current)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


def _paper_box(current: PageSize) -> QComboBox:
    box = QComboBox()
    for p in PAPERS:
        box.addItem(p.label, p.value)
    box.setCurrentIndex(max(0, box.findData(current.value)))
    return box


class LabelPrintersDialog(QDialog):
    def __init__(
        self, printers: Sequence[PrinterInfo], current: PrintSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Printer settings")
        self.setObjectName("labelPrintersDialog")
        layout = QVBoxLayout(self)
        labels = QGroupBox("Shipping labels")
        lf = QFormLayout(labels)
        self.label_printer = _printer_box(printers, current.label_printer)
        self.label_paper = _paper_box(current.label_paper)
        self.label_format = QComboBox()
        self.label_format.addItems(FORMATS)
        self.label_format.setCurrentIndex(
            FORMATS.index(current.label_format) if current.label_format in FORMATS else 0
        )
        lf.addRow("Printer", self.label_printer)
        lf.addRow("Paper", self.label_paper)
        lf.addRow("Format", self.label_format)
        slips = QGroupBox("Packing slips")
        sf = QFormLayout(slips)
        self.slip_printer = _printer_box(printers, current.slip_printer)
        self.slip_paper = _paper_box(current.slip_paper)
        self.slip_after = QCheckBox("Print a packing slip after each label")
        self.slip_after.setChecked(current.slip_after_label)
        sf.addRow("Printer", self.slip_printer)
        sf.addRow("Paper", self.slip_paper)
        sf.addRow(self.slip_after)
        layout.addWidget(labels)
        layout.addWidget(slips)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def settings(self) -> PrintSettings:
        fmt = self.label_format.currentText()
        return PrintSettings(
            label_printer=str(self.label_printer.currentData() or ""),
            label_paper=PageSize(str(self.label_paper.currentData())),
            label_format=fmt if fmt in FORMATS[1:] else "",
            slip_printer=str(self.slip_printer.currentData() or ""),
            slip_paper=PageSize(str(self.slip_paper.currentData())),
            slip_after_label=self.slip_after.isChecked(),
        )
