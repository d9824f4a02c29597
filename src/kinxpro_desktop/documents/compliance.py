"""Privacy-center PDFs (reportlab platypus): the compliance report for Amazon's data-protection
review, and the shared layout the incident report and disposal receipts use.

A document is a title, a few header lines, and sections of paragraphs and (label, state,
detail) rows. Callers pass text that carries no buyer data (order ids at most); every string
is escaped here, so a value can never inject markup. Text prints in the bundled, embedded fonts
(documents/fonts.py), so a seller's name in Polish, Japanese or Cyrillic prints as typed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kinxpro_desktop.documents import fonts

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
    fonts.register()
    base = getSampleStyleSheet()
    bold, sans = fonts.SANS_BOLD, fonts.SANS
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold),
        "body": ParagraphStyle(
            "body", parent=base["BodyText"], fontName=sans, fontSize=9, leading=12
        ),
        "cell": ParagraphStyle(
            "cell", parent=base["BodyText"], fontName=sans, fontSize=8, leading=10
        ),
        "mono": ParagraphStyle("mono", parent=base["Code"], fontName=sans, fontSize=8, leading=10),
    }


def _text(value: str, style: ParagraphStyle | None = None) -> str:
    """Escaped markup, each run in a bundled font that prints it."""
    base = style.fontName if style is not None else fonts.SANS
    return fonts.markup(value, style.fontSize if style is not None else 9, base=base)


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
        initialFontName=fonts.SANS,  # no unused, unembedded Helvetica in the font list
    )
    story: list[object] = [Paragraph(_text(doc.title, st["title"]), st["title"])]
    story += [Paragraph(_text(line), st["body"]) for line in doc.header]
    width = template.width
    for section in doc.sections:
        block: list[object] = [
            Spacer(1, 4 * mm),
            Paragraph(_text(section.heading, st["h2"]), st["h2"]),
        ]
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
            table = Table(data, colWidths=[width * 0.33, width * 0.14, width * 0.53])
            table.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("FONT", (0, 0), (-1, -1), fonts.SANS),  # not Helvetica's default
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, colors.whitesmoke]),
                    ]
                )
            )
            block.append(table)
        if section.preformatted:
            # kept as typed: one line each (long lines wrap), blank lines kept
            notice = "<br/>".join(_text(line) for line in section.preformatted.splitlines())
            block.append(Paragraph(notice, st["mono"]))
        story.append(KeepTogether(block) if len(section.rows) < 12 else block[0])
        if len(section.rows) >= 12:
            story += block[1:]
    story += [Spacer(1, 6 * mm), Paragraph(_text(doc.footer), st["cell"])]
    template.build(story)  # type: ignore[arg-type]
    return out.getvalue()
