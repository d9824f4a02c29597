"""Shipping labels rendered by the simulator: 4x6 inch PDF, PNG (203 dpi), ZPL at 203 or 300 dpi.

Each label shows the ship-from and ship-to addresses, the carrier and service, the order id and
a Code 128 barcode of the tracking id. Output is deterministic for the same inputs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

MIME = {
    "PDF": "application/pdf",
    "PNG": "image/png",
    "ZPL203": "application/zpl",
    "ZPL300": "application/zpl",
}


@dataclass(frozen=True)
class LabelInfo:
    carrier: str
    service: str
    tracking_id: str
    order_id: str
    ship_from: tuple[str, ...]  # address lines
    ship_to: tuple[str, ...]


def _heading(info: LabelInfo) -> str:
    """ "USPS Ground Advantage", not "USPS USPS Ground Advantage"."""
    if info.service.upper().startswith(info.carrier.upper()):
        return info.service
    return f"{info.carrier} {info.service}"


def render(label_format: str, info: LabelInfo) -> tuple[bytes, str]:
    """(label bytes, MIME type) for PDF, PNG, ZPL203 or ZPL300."""
    if label_format == "PDF":
        return _pdf(info), MIME["PDF"]
    if label_format == "PNG":
        return _png(info), MIME["PNG"]
    if label_format in ("ZPL203", "ZPL300"):
        return _zpl(info, 203 if label_format == "ZPL203" else 300), MIME[label_format]
    raise ValueError(f"unknown label format {label_format!r}")


def _pdf(info: LabelInfo) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(4 * inch, 6 * inch), invariant=True, pageCompression=1)
    canvas.setTitle(f"Label {info.tracking_id}")
    y = 6 * inch - 0.35 * inch
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(0.2 * inch, y, _heading(info))
    canvas.setFont("Helvetica", 7)
    y -= 0.25 * inch
    for line in ("FROM:", *info.ship_from):
        canvas.drawString(0.2 * inch, y, line)
        y -= 0.13 * inch
    canvas.line(0.1 * inch, y, 3.9 * inch, y)
    y -= 0.3 * inch
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(0.2 * inch, y, "SHIP TO:")
    canvas.setFont("Helvetica", 11)
    for line in info.ship_to:
        y -= 0.2 * inch
        canvas.drawString(0.4 * inch, y, line)
    barcode = Code128(info.tracking_id, barHeight=0.9 * inch, barWidth=0.012 * inch)
    barcode.drawOn(canvas, 0.2 * inch, 1.1 * inch)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(0.3 * inch, 0.85 * inch, f"TRACKING #: {info.tracking_id}")
    canvas.setFont("Helvetica", 8)
    canvas.drawString(0.3 * inch, 0.5 * inch, f"Order {info.order_id}")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _bars(tracking_id: str) -> list[tuple[bool, int]]:
    """Code 128 modules: (is_bar, width in modules)."""
    code = Code128(tracking_id)
    code.validate()
    code.encode()
    code.decompose()
    pattern: str = code.decomposed
    return [(ch.isupper(), ord(ch.upper()) - ord("A") + 1) for ch in pattern]


def _png(info: LabelInfo) -> bytes:
    width, height = 812, 1218  # 4x6 inches at 203 dpi
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    big = ImageFont.load_default(size=34)
    small = ImageFont.load_default(size=20)
    mid = ImageFont.load_default(size=28)
    y = 30
    draw.text((30, y), _heading(info), font=big, fill=0)
    y += 60
    for line in ("FROM:", *info.ship_from):
        draw.text((30, y), line, font=small, fill=0)
        y += 26
    y += 10
    draw.line((20, y, width - 20, y), fill=0, width=3)
    y += 30
    draw.text((30, y), "SHIP TO:", font=mid, fill=0)
    for line in info.ship_to:
        y += 38
        draw.text((60, y), line, font=mid, fill=0)
    x, top, module = 40, 780, 3
    for is_bar, size in _bars(info.tracking_id):
        if is_bar:
            draw.rectangle((x, top, x + size * module - 1, top + 200), fill=0)
        x += size * module
    draw.text((40, 1000), f"TRACKING #: {info.tracking_id}", font=mid, fill=0)
    draw.text((40, 1080), f"Order {info.order_id}", font=small, fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(203, 203))
    return out.getvalue()


def _zpl(info: LabelInfo, dpi: int) -> bytes:
    def d(value: float) -> int:  # positions are given in 203-dpi dots and scaled
        return round(value * dpi / 203)

    def text(value: str) -> str:
        return value.replace("^", " ").replace("~", " ")

    lines = ["^XA", "^CI28", f"^PW{d(812)}", f"^LL{d(1218)}"]
    lines.append(f"^FO{d(30)},{d(30)}^A0N,{d(40)},{d(40)}^FD{text(_heading(info))}^FS")
    y = 90
    for line in ("FROM:", *info.ship_from):
        lines.append(f"^FO{d(30)},{d(y)}^A0N,{d(22)},{d(22)}^FD{text(line)}^FS")
        y += 26
    lines.append(f"^FO{d(20)},{d(y + 10)}^GB{d(772)},{d(3)},{d(3)}^FS")
    y += 40
    lines.append(f"^FO{d(30)},{d(y)}^A0N,{d(30)},{d(30)}^FDSHIP TO:^FS")
    for line in info.ship_to:
        y += 38
        lines.append(f"^FO{d(60)},{d(y)}^A0N,{d(30)},{d(30)}^FD{text(line)}^FS")
    lines.append(f"^FO{d(40)},{d(780)}^BY{max(2, d(3))}^BCN,{d(200)},N,N,N^FD{info.tracking_id}^FS")
    lines.append(f"^FO{d(40)},{d(1000)}^A0N,{d(30)},{d(30)}^FDTRACKING #: {info.tracking_id}^FS")
    lines.append(f"^FO{d(40)},{d(1080)}^A0N,{d(22)},{d(22)}^FDOrder {info.order_id}^FS")
    lines.append("^XZ")
    return ("\n".join(lines) + "\n").encode("utf-8")
