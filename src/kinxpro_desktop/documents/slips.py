"""Packing slips (one or more pages per order, each order starting a page) and pick lists
(grouped by SKU), rendered with reportlab into bytes in memory.

A packing slip goes in the box for the buyer: order id, date, ship-to block, items with SKU,
title and quantity; no prices. Sizes: letter, A4 and 4x6 (slips); letter and A4 (pick lists).
Text prints in the bundled fonts (documents/fonts.py): Japanese, Chinese, Korean, Cyrillic,
Greek, Arabic, Hebrew and the Latin scripts, embedded in the PDF.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from kinxpro_desktop.core.documents import PackingSlip
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.printing import PageSize
from kinxpro_desktop.documents import fonts


@dataclass(frozen=True)
class _Style:
    margin: float
    title: float  # font sizes
    body: float
    small: float
    leading: float

    @classmethod
    def for_page(cls, page: PageSize) -> _Style:
        if page is PageSize.LABEL_4X6:
            return cls(margin=14, title=13, body=8.5, small=7, leading=10.5)
        return cls(margin=48, title=18, body=10, small=8, leading=13)


class _Pages:
    """A canvas with a cursor; ``need(h)`` starts a new page when h points do not fit."""

    def __init__(self, page: PageSize, title: str, header: str) -> None:
        self.out = io.BytesIO()
        self.size = page.points
        self.style = _Style.for_page(page)
        fonts.register()
        self.canvas = Canvas(
            self.out,
            pagesize=self.size,
            pageCompression=1,
            invariant=True,
            initialFontName=fonts.SANS,
        )
        self.canvas.setTitle(title)
        self.canvas.setCreator("Kinxpro Desktop")
        self.header = header
        self.y = 0.0
        self.started = False

    @property
    def width(self) -> float:
        return self.size[0] - 2 * self.style.margin

    @property
    def left(self) -> float:
        return self.style.margin

    def new_page(self, header: str | None = None) -> None:
        if self.started:
            self.canvas.showPage()
        self.started = True
        self.header = header if header is not None else self.header
        self.y = self.size[1] - self.style.margin
        if self.header:
            right = self.size[0] - self.style.margin
            fonts.draw(self.canvas, right, self.y, self.header, self.style.small, align="right")
            self.y -= self.style.leading

    def need(self, height: float, on_new: str = "") -> bool:
        if self.y - height >= self.style.margin:
            return False
        self.new_page()
        if on_new:
            fonts.draw(self.canvas, self.left, self.y, on_new, self.style.small)
            self.y -= self.style.leading
        return True

    def text(
        self, value: str, *, bold: bool = False, size: float | None = None, x: float = 0
    ) -> None:
        size = size or self.style.body
        fonts.draw(self.canvas, self.left + x, self.y, value, size, bold=bold)
        self.y -= size * 1.3

    def cell(self, x: float, value: str, size: float, *, bold: bool = False, dy: float = 0) -> None:
        fonts.draw(self.canvas, x, self.y - dy, value, size, bold=bold)

    def rule(self) -> None:
        self.canvas.setLineWidth(0.6)
        self.canvas.line(self.left, self.y + 3, self.left + self.width, self.y + 3)
        self.y -= self.style.leading * 0.6

    def finish(self) -> bytes:
        if not self.started:
            self.new_page()
        self.canvas.showPage()
        self.canvas.save()
        return self.out.getvalue()


def _wrap(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """Lines that print within `width` (measured in the fonts that print them)."""
    return fonts.wrap(text or "", width, size, bold=bold)


def render_packing_slips(slips: Sequence[PackingSlip], page: PageSize = PageSize.LETTER) -> bytes:
    """One PDF: each order starts on a new page (long orders continue on the next)."""
    if not slips:
        raise UserError("Select at least one order to print packing slips for.")
    doc = _Pages(page, "Packing slips", "")
    for slip in slips:
        _slip(doc, slip)
    return doc.finish()


def _slip(doc: _Pages, slip: PackingSlip) -> None:
    st = doc.style
    doc.new_page(header=f"Order {slip.order_id}")
    doc.text("Packing slip", bold=True, size=st.title)
    doc.text(f"Order {slip.order_id}", bold=True)
    doc.text(f"Order date: {slip.order_date:%Y-%m-%d}")
    doc.y -= st.leading * 0.4
    left_col = doc.width * (0.5 if doc.size[0] > 400 else 1.0)
    top = doc.y
    doc.text("Ship to:", bold=True)
    block = slip.ship_to.block()
    if not slip.ship_to.name and not slip.ship_to.lines:
        block.insert(0, "(name and street deleted under the retention policy)")
    for line in block:
        for part in _wrap(line, left_col - 8, st.body):
            doc.text(part, x=8)
    bottom = doc.y
    if slip.ship_from and doc.size[0] > 400:  # letter/A4: return address on the right
        doc.y = top
        x = left_col + 8
        doc.text("From:", bold=True, x=x)
        for line in slip.ship_from:
            for part in _wrap(line, doc.width - x, st.small):
                doc.text(part, size=st.small, x=x)
        bottom = min(bottom, doc.y)
    doc.y = bottom - st.leading * 0.5
    _items(doc, slip)
    if slip.gift_message:
        doc.need(st.leading * 3)
        doc.y -= st.leading * 0.5
        doc.text("Gift message:", bold=True)
        for part in _wrap(slip.gift_message, doc.width - 8, st.body):
            doc.need(st.leading)
            doc.text(part, x=8)
    doc.need(st.leading * 2)
    doc.y -= st.leading
    doc.text("Thank you for your order.", size=st.small)


def _items(doc: _Pages, slip: PackingSlip) -> None:
    st = doc.style
    qty_w = 30.0
    sku_w = doc.width * (0.3 if doc.size[0] > 400 else 0.34)
    title_w = doc.width - qty_w - sku_w

    def header() -> None:
        doc.cell(doc.left, "Qty", st.body, bold=True)
        doc.cell(doc.left + qty_w, "SKU", st.body, bold=True)
        doc.cell(doc.left + qty_w + sku_w, "Item", st.body, bold=True)
        doc.y -= st.leading
        doc.rule()

    header()
    for item in slip.items:
        sku_lines = _wrap(item.sku, sku_w - 6, st.body)
        title_lines = _wrap(item.title, title_w, st.body)
        rows = max(len(sku_lines), len(title_lines))
        if doc.need(rows * st.leading + 2, on_new=f"Order {slip.order_id} (continued)"):
            header()
        qty_x = doc.left + qty_w - 10
        fonts.draw(doc.canvas, qty_x, doc.y, str(item.quantity), st.body, bold=True, align="right")
        for i in range(rows):
            if i < len(sku_lines):
                doc.cell(doc.left + qty_w, sku_lines[i], st.body)
            if i < len(title_lines):
                doc.cell(doc.left + qty_w + sku_w, title_lines[i], st.body)
            doc.y -= st.leading
        doc.y -= 2
    total = sum(i.quantity for i in slip.items)
    doc.need(st.leading * 2)
    doc.rule()
    doc.text(f"{total} item{'s' if total != 1 else ''} in this order", bold=True)


@dataclass(frozen=True)
class PickLine:
    sku: str
    title: str
    quantity: int
    order_ids: tuple[str, ...]


def pick_lines(slips: Sequence[PackingSlip]) -> list[PickLine]:
    """Items grouped by SKU (sorted), quantities summed, orders in first-seen order."""
    grouped: dict[str, tuple[str, int, list[str]]] = {}
    for slip in slips:
        for item in slip.items:
            title, qty, orders = grouped.get(item.sku, (item.title, 0, []))
            if slip.order_id not in orders:
                orders.append(slip.order_id)
            grouped[item.sku] = (title or item.title, qty + item.quantity, orders)
    return [
        PickLine(sku=sku, title=title, quantity=qty, order_ids=tuple(orders))
        for sku, (title, qty, orders) in sorted(grouped.items())
    ]


def render_pick_list(slips: Sequence[PackingSlip], page: PageSize = PageSize.LETTER) -> bytes:
    """A pick list: SKU, title, total quantity and the orders it is in (no buyer data)."""
    if page is PageSize.LABEL_4X6:
        raise UserError("Pick lists print on letter or A4 paper; choose one of those.")
    if not slips:
        raise UserError("Select at least one order to make a pick list for.")
    lines = pick_lines(slips)
    doc = _Pages(page, "Pick list", "Pick list")
    st = doc.style
    doc.new_page()
    units = sum(p.quantity for p in lines)
    doc.text("Pick list", bold=True, size=st.title)
    doc.text(f"{len(slips)} orders, {len(lines)} SKUs, {units} units")
    doc.y -= st.leading * 0.5
    sku_w, qty_w = doc.width * 0.22, 34.0
    title_w = doc.width * 0.43
    orders_w = doc.width - sku_w - qty_w - title_w
    cols = (
        doc.left,
        doc.left + sku_w,
        doc.left + sku_w + title_w,
        doc.left + sku_w + title_w + qty_w,
    )

    def header() -> None:
        for x, name in zip(cols, ("SKU", "Item", "Qty", "Orders"), strict=True):
            doc.cell(x, name, st.body, bold=True)
        doc.y -= st.leading
        doc.rule()

    header()
    for line in lines:
        cells = (
            _wrap(line.sku, sku_w - 6, st.body),
            _wrap(line.title, title_w - 6, st.body),
            _wrap(str(line.quantity), qty_w - 4, st.body, bold=True),
            _wrap(", ".join(line.order_ids), orders_w, st.small),
        )
        rows = max(len(c) for c in cells)
        if doc.need(rows * st.leading + 4, on_new="Pick list (continued)"):
            header()
        for col, (x, cell) in enumerate(zip(cols, cells, strict=True)):
            size = st.small if col == 3 else st.body
            for i, part in enumerate(cell):
                doc.cell(x, part, size, bold=col == 2, dy=i * st.leading)
        doc.y -= rows * st.leading + 4
    return doc.finish()
