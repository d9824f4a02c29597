"""Draw the Kinxpro Desktop icon at every size and pack the .ico and .icns files.

Run from the repository root (no display needed):

    .venv/bin/python packaging/make_icons.py

It writes into resources/icons/:
  kinxpro-desktop-{16,24,32,48,64,128,256,512}.png   freedesktop, window icon
  kinxpro-desktop.svg                                 freedesktop "scalable" size
  kinxpro-desktop.ico                                 Windows (PNG entries 16..256)
  kinxpro-desktop.icns                                macOS (PNG entries 16..1024)

The mark is drawn with vector paths (no font), once per size, so small sizes stay
crisp: a rounded square in deep blue, a white geometric "K", and from 48 px up an
amber padlock badge (buyer data is kept encrypted). The .ico and .icns containers
are packed here from PNG data, which both formats accept; nothing else is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtSvg import QSvgGenerator

NAME = "kinxpro-desktop"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (the @2x types reuse a size).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),
    (b"icp6", 64),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),
    (b"ic09", 512),
    (b"ic14", 512),
    (b"ic10", 1024),
)

BLUE_TOP = QColor("#1f56b4")
BLUE_BOTTOM = QColor("#0a2b66")
WHITE = QColor("#ffffff")
AMBER = QColor("#f4b400")
BADGE_SIZE_MIN = 48


def _k_path(side: float, snap: bool) -> QPainterPath:
    """The letter K in a unit box scaled to `side`, as one filled path."""
    top, bottom = 0.20 * side, 0.80 * side
    stem_left, stem_right = 0.22 * side, 0.36 * side
    right = 0.70 * side
    if snap:  # whole pixels for the small sizes
        top, bottom = round(top), round(bottom)
        stem_left, stem_right = round(stem_left), round(stem_right)
        stem_right = max(stem_right, stem_left + 2)
    box = QPainterPath()
    box.addRect(QRectF(stem_left, top, right - stem_left, bottom - top))

    k = QPainterPath()
    k.addRect(QRectF(stem_left, top, stem_right - stem_left, bottom - top))
    stroker = QPainterPathStroker()
    stroker.setWidth(0.14 * side)
    stroker.setCapStyle(Qt.PenCapStyle.FlatCap)
    # The upper arm leaves the stem just below the middle and runs to the top right.
    joint = QPointF(stem_right - 0.02 * side, 0.58 * side)
    tip = QPointF(right + 0.04 * side, top - 0.04 * side)
    # Extended back into the stem so the arm's end cap is hidden there.
    upper = QPainterPath(joint + (joint - tip) * 0.35)
    upper.lineTo(tip)
    # The lower arm starts on the upper arm's centre line, so its end cap hides inside it.
    start = joint + (tip - joint) * 0.30
    lower = QPainterPath(start)
    lower.lineTo(QPointF(right + 0.02 * side, bottom + 0.02 * side))
    for arm in (upper, lower):
        k = k.united(stroker.createStroke(arm).intersected(box))
    return k.simplified()


def _padlock(side: float) -> tuple[QPainterPath, QPainterPath, QPainterPath]:
    """Padlock body, shackle and keyhole, sitting in the lower right corner."""
    w = 0.25 * side
    h = 0.20 * side
    x = 0.69 * side
    y = 0.70 * side
    body = QPainterPath()
    body.addRoundedRect(QRectF(x, y, w, h), 0.035 * side, 0.035 * side)
    shackle = QPainterPath()
    r = 0.076 * side
    cx = x + w / 2
    shackle.moveTo(cx - r, y + 0.01 * side)
    shackle.lineTo(cx - r, y - 0.035 * side)
    shackle.arcTo(QRectF(cx - r, y - 0.035 * side - r, 2 * r, 2 * r), 180, -180)
    shackle.lineTo(cx + r, y + 0.01 * side)
    keyhole = QPainterPath()
    keyhole.addEllipse(QPointF(cx, y + 0.42 * h), 0.026 * side, 0.026 * side)
    keyhole.addRect(QRectF(cx - 0.011 * side, y + 0.42 * h, 0.022 * side, 0.34 * h))
    return body, shackle, keyhole.simplified()


def paint(painter: QPainter, side: float, margin: float) -> None:
    """Paint the whole icon into a square of `side` pixels."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    inset = side * margin
    tile = QRectF(inset, inset, side - 2 * inset, side - 2 * inset)
    radius = 0.22 * tile.width()
    gradient = QLinearGradient(tile.topLeft(), tile.bottomLeft())
    gradient.setColorAt(0.0, BLUE_TOP)
    gradient.setColorAt(1.0, BLUE_BOTTOM)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(gradient))
    painter.drawRoundedRect(tile, radius, radius)

    painter.save()
    painter.translate(tile.topLeft())
    inner = tile.width()
    snap = side <= 32
    painter.setBrush(WHITE)
    painter.drawPath(_k_path(inner, snap))
    if side >= BADGE_SIZE_MIN:
        body, shackle, keyhole = _padlock(inner)
        shackle_width = 0.045 * inner
        # A ring in the tile's colour keeps the badge clear of the K's lower arm.
        ring = QPen(BLUE_BOTTOM, 0.05 * inner)
        ring.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(ring)
        painter.setBrush(BLUE_BOTTOM)
        painter.drawPath(body)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(BLUE_BOTTOM, shackle_width + 0.05 * inner))
        painter.drawPath(shackle)
        painter.setPen(QPen(AMBER, shackle_width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
        painter.drawPath(shackle)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(AMBER)
        painter.drawPath(body)
        painter.setBrush(BLUE_BOTTOM)
        painter.drawPath(keyhole)
    painter.restore()


def render(size: int, margin: float) -> QImage:
    image = QImage(QSize(size, size), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    paint(painter, float(size), margin)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buf.close()
    return bytes(data.data())


def pack_ico(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR + ICONDIRENTRY per size, each image stored as PNG (Windows Vista and later)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    return header + entries + blobs


def pack_icns(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_svg(path: Path, margin: float) -> None:
    side = 512
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(side, side))
    generator.setViewBox(QRectF(0, 0, side, side))
    generator.setTitle("Kinxpro Desktop")
    generator.setDescription("Kinxpro Desktop application icon")
    painter = QPainter(generator)
    paint(painter, float(side), margin)
    painter.end()
    # Qt writes the size in millimetres at 72 dpi; icon themes expect plain pixels.
    text = path.read_text(encoding="utf-8")
    start = text.index("<svg ")
    end = text.index("viewBox=", start)
    text = text[:start] + f'<svg width="{side}" height="{side}"\n ' + text[end:]
    path.write_text(text, encoding="utf-8")


def main(out_dir: Path) -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    out_dir.mkdir(parents=True, exist_ok=True)
    # freedesktop and Windows icons fill most of the canvas; macOS icons sit on
    # Apple's grid (the tile is about 80 % of the canvas, the rest is margin).
    margin, mac_margin = 0.03, 0.10
    pngs = {size: png_bytes(render(size, margin)) for size in PNG_SIZES}
    for size, blob in pngs.items():
        (out_dir / f"{NAME}-{size}.png").write_bytes(blob)
    (out_dir / f"{NAME}.ico").write_bytes(pack_ico({s: pngs[s] for s in ICO_SIZES}))
    mac = {size: png_bytes(render(size, mac_margin)) for _t, size in ICNS_TYPES}
    (out_dir / f"{NAME}.icns").write_bytes(pack_icns(mac))
    write_svg(out_dir / f"{NAME}.svg", margin)
    for path in sorted(out_dir.iterdir()):
        print(f"{path.stat().st_size:>9,d}  {path}")
    del app
    return 0


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    sys.exit(main(root / "resources" / "icons"))
