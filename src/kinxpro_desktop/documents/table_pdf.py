"""A table as a PDF (reportlab, drawn straight onto the canvas so 100,000 rows stream page by
page): title, period, column headers on every page, totals at the end, "Page N of M".

Rows are single lines; a cell too wide for its column is cut with an ellipsis, measured in the
fonts that print it. Text prints in the bundled, embedded fonts (documents/fonts.py): Japanese,
Chinese, Korean, Cyrillic, Greek, Arabic, Hebrew and the Latin scripts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from kinxpro_desktop.documents import fonts

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
        # the column headers: below the title and period, and the note's line when there is one
        self.top = self.height - MARGIN - (56 if table.note else 44)
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
    fonts.register()
    c = Canvas(out, pagesize=(lay.width, lay.height), pageCompression=1, initialFontName=fonts.SANS)
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
        usable = lay.width - 2 * MARGIN
        top = lay.height - MARGIN
        fonts.draw(c, MARGIN, top - 8, fonts.fit(table.title, usable, 13, bold=True), 13, bold=True)
        fonts.draw(c, MARGIN, top - 22, fonts.fit(table.period, usable, 8.5), 8.5)
        if table.note:
            fonts.draw(c, MARGIN, top - 34, fonts.fit(table.note, usable, 8.5), 8.5)
        footer = f"Page {page} of {max(page_total, page)}"
        fonts.draw(c, lay.width - MARGIN, MARGIN - 12, footer, 8.5, align="right")
        _line(lay.top, table.columns, bold=True)
        c.setLineWidth(0.5)
        c.line(MARGIN, lay.top - 3, lay.width - MARGIN, lay.top - 3)
        return float(lay.top - LINE)

    def _line(at: float, cells: Sequence[str], *, bold: bool = False) -> None:
        for i, cell in enumerate(cells):
            text = fonts.fit(str(cell), lay.widths[i] - 4, SIZE, bold=bold)
            if i in table.numeric:
                x = lay.xs[i] + lay.widths[i] - 2
                fonts.draw(c, x, at, text, SIZE, bold=bold, align="right")
            else:
                fonts.draw(c, lay.xs[i] + 1, at, text, SIZE, bold=bold)

    y = start_page()
    for cells in rows:
        if y < MARGIN + LINE:
            y = start_page()
        _line(y, cells)
        y -= LINE
    final = totals()
    if y < MARGIN + LINE * (len(final) + 1):
        y = start_page()
    c.setLineWidth(0.5)
    c.line(MARGIN, y + LINE - 3, lay.width - MARGIN, y + LINE - 3)
    for cells in final:
        _line(y, cells, bold=True)
        y -= LINE
    c.showPage()
    c.save()
    return page
