"""Pages of a document, one under the other, fitted to the width: images rendered on a
worker (printing.render.page_images) and painted here; only the pages in view are drawn."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QWidget

MARGIN = 12  # around and between pages, in logical pixels


class PageStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pages: list[QImage] = []
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    @property
    def pages(self) -> list[QImage]:
        return list(self._pages)

    def set_pages(self, pages: list[QImage]) -> None:
        self._pages = list(pages)
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        self.set_pages([])

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return MARGIN + sum(r.height() + MARGIN for r in self._rects(width))

    def sizeHint(self) -> QSize:
        return QSize(600, self.heightForWidth(600))

    def page_rect(self, page: int) -> QRect:
        """Where page ``page`` is drawn at the current width (for scrolling to it)."""
        return self._rects(self.width())[page]

    def _rects(self, width: int) -> list[QRect]:
        inner = max(1, width - 2 * MARGIN)
        rects, top = [], MARGIN
        for image in self._pages:
            height = round(inner * image.height() / max(1, image.width()))
            rects.append(QRect(MARGIN, top, inner, height))
            top += height + MARGIN
        return rects

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().color(QPalette.ColorRole.Mid))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for image, rect in zip(self._pages, self._rects(self.width()), strict=True):
            if not rect.intersects(event.rect()):
                continue
            painter.fillRect(rect.translated(2, 2), QColor(0, 0, 0, 60))  # a soft edge
            painter.drawImage(QRectF(rect), image)
        painter.end()


def strip_area(strip: PageStrip, parent: QWidget | None = None) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidget(strip)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setBackgroundRole(QPalette.ColorRole.Mid)
    return area
