"""Privacy-center PDFs (reportlab platypus): the compliance report for Amazon's data-protection
review, and the shared layout the incident report and disposal receipts use.

A document is a title, a few header lines, and sections of paragraphs and (label, state,
detail) rows. Callers pass text that carries no buyer data (order ids at most); every string
is escaped here, so a value can never inject markup.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    Preformatted,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

STATE_COLOURS = {
    "OK": colors.HexColor("#1b7f3b"),
    "ATTENTION": colors.HexColor("#b3261e"),
    "NOT SET UP": colors.HexColor("#8a5a00"),
    "INFO": colors.HexColor("#37474f"),
}


@dataclass(frozen=True)
class Row:
    label: str
    state: str  # OK, ATTENTION, NOT SET UP, INFO
    detail: str


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: Sequence[str] = ()
    rows: Sequence[Row] = ()
    preformatted: str = ""  # e.g. a ready-to-send notice, kept as typed


@dataclass(frozen=True)
class Document:
    title: str
    header: Sequence[str]
    sections: Sequence[Section] = field(default_factory=tuple)
    footer: str = "Kinxpro Desktop. This document contains no buyer personal data."


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": base["Title"],
        "h2": base["Heading2"],
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=9, leading=12),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=8, leading=10),
        "mono": ParagraphStyle("mono", parent=base["Code"], fontSize=8, leading=10),
    }


def _text(value: str) -> str:
    """Escaped and limited to what the base fonts print (WinAnsi)."""
    safe = value.encode("cp1252", errors="replace").decode("cp1252")
    return escape(safe)


def render(doc: Document) -> bytes:
    st = _styles()
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=doc.title,
        author="Kinxpro Desktop",
    )
    story: list[object] = [Paragraph(_text(doc.title), st["title"])]
    story += [Paragraph(_text(line), st["body"]) for line in doc.header]
    width = template.width
    for section in doc.sections:
        block: list[object] = [Spacer(1, 4 * mm), Paragraph(_text(section.heading), st["h2"])]
        block += [Paragraph(_text(p), st["body"]) for p in section.paragraphs]
        if section.rows:
            data = [
                [
                    Paragraph(f"<b>{_text(r.label)}</b>", st["cell"]),
                    Paragraph(
                        f'<font color="{STATE_COLOURS.get(r.state, colors.black).hexval()}">'
                        f"<b>{_text(r.state)}</b></font>",
                        st["cell"],
                    ),
                    Paragraph(_text(r.detail), st["cell"]),
                ]
                for r in section.rows
            ]
            table = Table(data, colWidths=[width * 0.31, width * 0.13, width * 0.56])
            table.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, colors.whitesmoke]),
                    ]
                )
            )
            block.append(table)
        if section.preformatted:
            safe = section.preformatted.encode("cp1252", errors="replace").decode("cp1252")
            block.append(Preformatted(safe, st["mono"], maxLineLength=100))
        story.append(KeepTogether(block) if len(section.rows) < 12 else block[0])
        if len(section.rows) >= 12:
            story += block[1:]
    story += [Spacer(1, 6 * mm), Paragraph(_text(doc.footer), st["cell"])]
    template.build(story)  # type: ignore[arg-type]
    return out.getvalue()
