"""Pages painted from memory: PDF pages through QtPdf, PNG images, placed at true size.

A page is drawn at its physical size (points or the image's own dpi) onto the paper, never
stretched: a 4x6 label on a 4x6 page fills it exactly; content larger than the paper is shrunk
uniformly; content whose orientation differs from the paper's is turned a quarter turn.
Everything is read from QBuffers: no temporary file is written here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.printing import PageSize, PrintFailed

MAX_RENDER_DPI = 600  # a 4x6 page at 600 dpi is 2400x3600 px; more only costs memory
_MATCH_TOLERANCE_PT = 2.0


@dataclass(frozen=True)
class Placement:
    rect: QRectF  # where the content goes, in device pixels (after rotation, if any)
    rotate: bool  # turned a quarter turn clockwise to match the paper's orientation


def place(content_pt: QSizeF | None, paper_px: QSizeF, dpi: float, pixels: QSize) -> Placement:
    """Physical size, centred, shrunk uniformly only if it does not fit; never stretched.

    Content of unknown physical size (``content_pt`` None: a PNG without pHYs) is fitted to
    the paper with its aspect ratio kept."""
    if content_pt is None:
        w, h = float(pixels.width()) * 1e3, float(pixels.height()) * 1e3  # shrinks to fit
    else:
        w = content_pt.width() / 72.0 * dpi
        h = content_pt.height() / 72.0 * dpi
    paper_portrait = paper_px.height() >= paper_px.width()
    rotate = (h >= w) != paper_portrait and abs(h - w) > 1
    if rotate:
        w, h = h, w
    scale = min(1.0, paper_px.width() / w, paper_px.height() / h) if w and h else 1.0
    w, h = w * scale, h * scale
    x = (paper_px.width() - w) / 2
    y = (paper_px.height() - h) / 2
    return Placement(QRectF(x, y, w, h), rotate)


def pick_page_size(info: QPrinterInfo, wanted: PageSize) -> QPageSize:
    """The driver's own size for the wanted paper; a custom size only if the driver takes one
    (drivers snap unknown custom sizes to their default, the classic "label printed on A4")."""
    want_w, want_h = wanted.points
    for size in info.supportedPageSizes():
        got = size.size(QPageSize.Unit.Point)
        dims = sorted((got.width(), got.height()))
        if (
            abs(dims[0] - want_w) <= _MATCH_TOLERANCE_PT
            and abs(dims[1] - want_h) <= _MATCH_TOLERANCE_PT
        ):
            return QPageSize(size)
    if info.supportsCustomPageSizes():
        return QPageSize(
            QSizeF(want_w, want_h),
            QPageSize.Unit.Point,
            wanted.label,
            QPageSize.SizeMatchPolicy.ExactMatch,
        )
    raise PrintFailed(
        f"The printer {info.printerName()!r} has no {wanted.label} paper size and takes no "
        "custom size. Choose another paper size or printer, or add the size to the driver."
    )


def media_keyword(size: QPageSize) -> str:
    """The CUPS ``media`` value for a size from pick_page_size: the driver's own key ("Letter",
    "A4", "w288h432"), or "Custom.WxH" in points, which Qt uses as the key of custom sizes."""
    if size.key():
        return size.key()
    points = size.size(QPageSize.Unit.Point)
    return f"Custom.{round(points.width())}x{round(points.height())}"


def pdf_page_count(data: bytes, index: int) -> int:
    doc = _PdfPages(data, index)
    try:
        return len(doc.sizes())
    finally:
        doc.close()


class _PdfPages:
    """Every page of one PDF, loaded from memory."""

    def __init__(self, data: bytes, index: int) -> None:
        self._buffer = QBuffer()
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._doc = QPdfDocument()
        self._doc.load(self._buffer)
        if self._doc.status() != QPdfDocument.Status.Ready or self._doc.pageCount() < 1:
            self.close()
            raise PrintFailed(
                f"Document {index + 1} is not a readable PDF ({self._doc.error().name}); "
                "nothing was printed. Download the label again, or print it as PNG or ZPL."
            )

    def sizes(self) -> list[QSizeF]:
        return [self._doc.pagePointSize(i) for i in range(self._doc.pageCount())]

    def render(self, page: int, px: QSize) -> QImage:
        return _on_white(self._doc.render(page, px))

    def close(self) -> None:
        self._doc.close()
        self._buffer.close()


def page_images(data: bytes, width_px: int, limit: int) -> tuple[int, list[QImage]]:
    """A PDF in memory for the screen: its page count and its first ``limit`` pages as grey
    images ``width_px`` wide (about 1.3 MB a Letter page at 1,000 px). Runs on a worker: the
    QPdfDocument is made, read and closed here, so no renderer thread outlives the call.
    Bytes that are not a readable PDF raise a UserError saying so."""
    try:
        doc = _PdfPages(data, 0)
    except PrintFailed:
        raise UserError("The document could not be shown (the PDF is damaged).") from None
    try:
        sizes = doc.sizes()
        images = []
        for page, size in enumerate(sizes[:limit]):
            height = round(width_px * size.height() / size.width()) if size.width() > 0 else 0
            image = doc.render(page, QSize(width_px, max(1, height)))
            images.append(image.convertToFormat(QImage.Format.Format_Grayscale8))
        return len(sizes), images
    finally:
        doc.close()


def _on_white(image: QImage) -> QImage:
    """QtPdf renders onto a transparent background; paper is white."""
    out = QImage(image.size(), QImage.Format.Format_RGB32)
    out.fill(Qt.GlobalColor.white)
    painter = QPainter(out)
    painter.drawImage(0, 0, image)
    painter.end()
    return out


def load_png(data: bytes, index: int) -> QImage:
    image = QImage()
    if not image.loadFromData(data) or image.isNull():
        raise PrintFailed(
            f"Image {index + 1} is not a readable PNG; nothing was printed. "
            "Download the label again, or print it as PDF or ZPL."
        )
    return image


def png_size_pt(image: QImage) -> QSizeF | None:
    """Physical size from the PNG's pHYs (dots per metre); None if it has none."""
    dpm_x, dpm_y = image.dotsPerMeterX(), image.dotsPerMeterY()
    if dpm_x <= 0 or dpm_y <= 0 or abs(dpm_x - 3780) <= 1:  # 3780 = Qt's 96 dpi default
        return None
    return QSizeF(image.width() / (dpm_x * 0.0254) * 72, image.height() / (dpm_y * 0.0254) * 72)


def prepare(printer: QPrinter, info: QPrinterInfo, page_size: PageSize) -> None:
    """Full-page mode on the driver's paper for ``page_size``, no margins."""
    printer.setFullPage(True)
    printer.setPageSize(pick_page_size(info, page_size))
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)


def _one_bit(image: QImage) -> QImage:
    """Black and white, thresholded: no grey halos around bars, no off-white paper that a
    thermal head dithers into speckles. Labels and slips are black on white."""
    if image.format() in (QImage.Format.Format_Mono, QImage.Format.Format_MonoLSB):
        return image
    flags = Qt.ImageConversionFlag.MonoOnly | Qt.ImageConversionFlag.ThresholdDither
    return image.convertToFormat(QImage.Format.Format_Mono, flags)


def _draw(painter: QPainter, image: QImage, placement: Placement) -> None:
    image = _one_bit(image)
    if not placement.rotate:
        painter.drawImage(placement.rect, image)
        return
    painter.save()
    rect = placement.rect
    painter.translate(rect.x() + rect.width(), rect.y())
    painter.rotate(90)
    painter.drawImage(QRectF(0, 0, rect.height(), rect.width()), image)
    painter.restore()


Device = QPrinter | QPdfWriter


def pdf_writer(buffer: QBuffer, page: QPageSize, dpi: int, title: str) -> QPdfWriter:
    """A PDF in memory on ``page`` with no margins, painted at ``dpi``."""
    writer = QPdfWriter(buffer)
    writer.setResolution(dpi)
    # grey, so Qt stores the 1-bit pages losslessly (Flate, ~60 KB a 4x6 page at 600 dpi);
    # its default colour model turned them into RGB JPEGs (~460 KB, grey halos)
    writer.setColorModel(QPdfWriter.ColorModel.Grayscale)
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setTitle(title)
    writer.setCreator("Kinxpro Desktop")
    return writer


def _paper_px(device: Device) -> QSizeF:
    if isinstance(device, QPrinter):
        return device.paperRect(QPrinter.Unit.DevicePixel).size()
    return QSizeF(device.pageLayout().fullRectPixels(device.resolution()).size())


def paint_pdfs(device: Device, documents: Sequence[bytes]) -> int:
    """Paint every page of every PDF, in order; returns the page count."""
    loaded = [_PdfPages(data, i) for i, data in enumerate(documents)]
    try:
        return _paint(device, _pdf_pages(loaded, device.resolution()))
    finally:
        for doc in loaded:
            doc.close()


def _pdf_pages(loaded: list[_PdfPages], resolution: int) -> Iterator[tuple[QImage, QSizeF]]:
    dpi = float(min(resolution, MAX_RENDER_DPI))
    for doc in loaded:
        for page, size in enumerate(doc.sizes()):
            w, h = size.width() / 72 * dpi, size.height() / 72 * dpi
            yield doc.render(page, QSize(round(w), round(h))), size


def paint_pngs(device: Device, images: Sequence[bytes]) -> int:
    loaded = [load_png(data, i) for i, data in enumerate(images)]
    return _paint(device, ((img, png_size_pt(img)) for img in loaded))


def _paint(device: Device, pages: Iterator[tuple[QImage, QSizeF | None]]) -> int:
    painter = QPainter()
    count = 0
    try:
        for image, size_pt in pages:
            if count == 0:
                if not painter.begin(device):
                    raise PrintFailed(
                        "Cannot start the print job. Check the printer in the system's "
                        "printer settings, then print again."
                    )
            elif not device.newPage():
                raise PrintFailed("The printer refused a new page; the job was cancelled.")
            placement = place(size_pt, _paper_px(device), float(device.resolution()), image.size())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            _draw(painter, image, placement)
            count += 1
    finally:
        if painter.isActive():
            painter.end()
    return count
