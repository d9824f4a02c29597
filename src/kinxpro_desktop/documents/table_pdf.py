"""A table as a PDF (reportlab, drawn straight onto the canvas so 100,000 rows stream page by
page): title, period, column headers on every page, totals at the end, "Page N of M".

Rows are single lines; a cell too wide for its column is cut with an ellipsis. Fonts are the
PDF base fonts (WinAnsi: Western European scripts); other characters print as '?'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
SIZE = 7.5
LINE = 10.5
MARGIN = 28.0


@dataclass(frozen=True)
class PdfTable:
    title: str
    period: str
    columns: Sequence[str]
    #: relative column widths (same length as columns)
    weights: Sequence[float]
    #: columns whose values are right-aligned (numbers, money)
    numeric: frozenset[int] = frozenset()
    note: str = ""


def _winansi(text: str) -> str:
    return text.encode("cp1252", errors="replace").decode("cp1252")


def _fit(text: str, width: float, font: str) -> str:
    text = _winansi(text)
    if stringWidth(text, font, SIZE) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix that fits with an ellipsis
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid] + "…", font, SIZE) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"


class _Layout:
    def __init__(self, table: PdfTable) -> None:
        self.width, self.height = landscape(A4)
        usable = self.width - 2 * MARGIN
        total = sum(table.weights) or 1.0
        self.widths = [usable * w / total for w in table.weights]
        self.xs: list[float] = []
        x = MARGIN
        for w in self.widths:
            self.xs.append(x)
            x += w
        self.top = self.height - MARGIN - 44  # below title, period and note
        self.rows_per_page = int((self.top - MARGIN - 2 * LINE) // LINE)

    def pages(self, rows: int, totals: int) -> int:
        return max(1, -(-(rows + totals + 1) // self.rows_per_page))


def write_table_pdf(
    out: IO[bytes],
    table: PdfTable,
    row_count: int,
    rows: Iterable[Sequence[str]],
    totals: Callable[[], Sequence[Sequence[str]]],
    *,
    totals_rows: int = 1,
) -> int:
    """Stream `rows` (strings, already formatted) into a PDF on `out`; `totals()` is called
    after the last row (so it can be summed while streaming). `row_count` and `totals_rows`
    give the page count up front for "Page N of M". Returns the pages written."""
    lay = _Layout(table)
    page_total = lay.pages(row_count, totals_rows)
    c = Canvas(out, pagesize=(lay.width, lay.height), pageCompression=1)
    c.setTitle(table.title)
    c.setAuthor("Kinxpro Desktop")
    c.setCreator("Kinxpro Desktop")
    page = 0
    y = 0.0

    def start_page() -> float:
        nonlocal page
        if page:
            c.showPage()
        page += 1
        c.setFont(BOLD, 13)
        c.drawString(MARGIN, lay.height - MARGIN - 8, _winansi(table.title))
        c.setFont(FONT, 8.5)
        c.drawString(MARGIN, lay.height - MARGIN - 22, _winansi(table.period))
        if table.note:
            c.drawString(MARGIN, lay.height - MARGIN - 34, _winansi(table.note))
        c.drawRightString(
            lay.width - MARGIN, MARGIN - 12, f"Page {page} of {max(page_total, page)}"
        )
        top = lay.top
        c.setFont(BOLD, SIZE)
        _line(top, table.columns, BOLD)
        c.setLineWidth(0.5)
        c.line(MARGIN, top - 3, lay.width - MARGIN, top - 3)
        c.setFont(FONT, SIZE)
        return float(top - LINE)

    def _line(at: float, cells: Sequence[str], font: str) -> None:
        for i, cell in enumerate(cells):
            text = _fit(str(cell), lay.widths[i] - 4, font)
            if i in table.numeric:
                c.drawRightString(lay.xs[i] + lay.widths[i] - 2, at, text)
            else:
                c.drawString(lay.xs[i] + 1, at, text)

    y = start_page()
    for cells in rows:
        if y < MARGIN + LINE:
            y = start_page()
        _line(y, cells, FONT)
        y -= LINE
    final = totals()
    if y < MARGIN + LINE * (len(final) + 1):
        y = start_page()
    c.setLineWidth(0.5)
    c.line(MARGIN, y + LINE - 3, lay.width - MARGIN, y + LINE - 3)
    c.setFont(BOLD, SIZE)
    for cells in final:
        _line(y, cells, BOLD)
        y -= LINE
    c.showPage()
    c.save()
    return page
