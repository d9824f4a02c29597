"""Table views that look alike: column widths that fit ids and dates, status chips."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QWidget

from kinxpro_desktop.ui.models.paged import CHIP_ROLE, PagedTableModel

Index = QModelIndex | QPersistentModelIndex

#: chip kind -> (light background, dark background)
CHIP_COLOURS = {
    "ok": ("#d8f0dc", "#1f4d2a"),
    "warn": ("#fde9c4", "#5a4210"),
    "late": ("#f9d3d0", "#6b2420"),
    "bad": ("#f9d3d0", "#6b2420"),
    "muted": ("#e4e6ea", "#3a3d44"),
    "info": ("#dbe7fb", "#1f3a63"),
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def chip_colour(kind: str, palette: QPalette) -> QColor:
    light, dark = CHIP_COLOURS.get(kind, CHIP_COLOURS["muted"])
    return QColor(dark if is_dark(palette) else light)


class ChipDelegate(QStyledItemDelegate):
    """Paints a cell's text inside a rounded chip whose colour says the state."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        kind = index.data(CHIP_ROLE)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not kind or not text:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        metrics = opt.fontMetrics
        pad = 8
        advance = metrics.horizontalAdvance(str(text))
        width = min(advance + 2 * pad + 2, opt.rect.width() - 6)
        height = min(metrics.height() + 4, opt.rect.height() - 4)
        rect = QRect(opt.rect.left() + 3, opt.rect.center().y() - height // 2 + 1, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(chip_colour(str(kind), opt.palette))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(opt.palette.color(QPalette.ColorRole.Text))
        room = rect.width() - 2 * pad
        shown = (
            str(text)
            if advance <= room + 2
            else metrics.elidedText(str(text), Qt.TextElideMode.ElideRight, room)
        )
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), shown)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 16, max(size.height(), option.fontMetrics.height() + 8))


def setup_table(table: QTableView, model: PagedTableModel, parent: QWidget | None = None) -> None:
    """One look for every data table: rows selectable, one line each, widths that fit."""
    table.setSortingEnabled(True)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    metrics = table.fontMetrics()
    delegate = ChipDelegate(table)
    for section in range(model.columnCount()):
        column = model.column(section)
        sample = column.width_sample() if callable(column.width_sample) else column.width_sample
        width = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(column.title))
        width += 28  # cell margins and the header's sort arrow
        if column.chip is not None:
            table.setItemDelegateForColumn(section, delegate)
            width += 20  # the chip's own padding
        table.setColumnWidth(section, width)
