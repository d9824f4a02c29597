"""The fonts of every PDF the app makes, and which of them prints each character.

The PDF base fonts (Helvetica) encode WinAnsi only: a Japanese title, a Polish "ł", Cyrillic or
Arabic printed as "?". Text is now drawn in *runs*: stretches that one bundled TrueType font
covers, chosen per character (DejaVu Sans first: Latin, Greek, Cyrillic, Hebrew, Arabic, ...;
then the Noto Sans CJK subset: Japanese, common Chinese and Korean, see resources/fonts).

Embedding: reportlab's TTFont writes a subset of each font (only the glyphs used, with a
ToUnicode map, so text copies and searches) into the PDF: a printer, CUPS or another computer
prints it without the font installed. reportlab's UnicodeCIDFont (HeiseiKakuGo-W5, ...) is not
used: it is never embedded (`pdffonts` says emb=no), so the PDF depends on the viewer's or the
printer's fonts, and CUPS's filters substitute or drop the glyphs.

A character no bundled font has prints as U+FFFD (the replacement mark), never as "?" or an
empty box. Bold: DejaVu Sans Bold; CJK text prints in the regular weight (no bold subset ships).

Right-to-left text is put in visual order (bidi.py). Arabic letters join (initial, medial, final
forms) only when uharfbuzz is installed: reportlab shapes with HarfBuzz. Without it Arabic
prints as separate (isolated) letters in the right order: readable, not well formed.

Fonts are registered once, under a lock (documents render on the TaskRunner's threads); the
functions here are pure and thread-safe after that.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, cast
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas

from kinxpro_desktop.documents import bidi
from kinxpro_desktop.resources import resource

SANS = "KinxproSans"  # DejaVu Sans
SANS_BOLD = "KinxproSans-Bold"  # DejaVu Sans Bold
CJK = "KinxproCJK"  # Noto Sans CJK JP subset (regular weight only)
FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    CJK: "NotoSansCJK-Subset.ttf",
}
REPLACEMENT = "\ufffd"
ELLIPSIS = "\u2026"
Align = Literal["left", "right", "centre"]

_lock = threading.Lock()
_cmaps: dict[str, frozenset[int]] = {}


def register() -> None:
    """Register the bundled fonts with reportlab (once; safe from any thread)."""
    if _cmaps:
        return
    with _lock:
        if _cmaps:
            return
        cmaps: dict[str, frozenset[int]] = {}
        for name, file in FILES.items():
            font = TTFont(name, str(resource("fonts", file)))
            pdfmetrics.registerFont(font)
            cmaps[name] = frozenset(font.face.charToGlyph)
        # <b> in platypus paragraphs: DejaVu Sans Bold; CJK has no bold (regular weight).
        for family, bold in ((SANS, SANS_BOLD), (CJK, CJK)):
            addMapping(family, 0, 0, family)
            addMapping(family, 1, 0, bold)
            addMapping(family, 0, 1, family)
            addMapping(family, 1, 1, bold)
        _cmaps.update(cmaps)


def shaping_available() -> bool:
    """True when Arabic letters are joined (uharfbuzz installed)."""
    register()
    return bool(pdfmetrics.getFont(SANS).shapable)


@dataclass(frozen=True)
class Run:
    """Text one font prints at one size, in visual (left-to-right drawing) order."""

    text: str  # a reportlab ShapedStr when HarfBuzz shaped it
    font: str
    width: float  # points

    @classmethod
    def of(cls, text: str, font: str, size: float) -> Run:
        if isinstance(text, ShapedStr):
            width = sum(g.x_advance for g in text.__shapeData__) * size / 1000
        else:
            width = pdfmetrics.stringWidth(text, font, size)
        return cls(text, font, float(width))


def _sticky(ch: str) -> bool:
    """Spaces, digits, punctuation and marks stay in the font of the text around them."""
    return unicodedata.category(ch)[0] in "ZPNSM"


def _clean(text: str) -> str:
    text = bidi.strip_controls(text)
    return "".join(" " if ch in "\t\r\n\v\f" else ch for ch in text)


def _font_runs(text: str, primary: str) -> list[tuple[str, str]]:
    """(text, font) in logical order; characters no font has become REPLACEMENT."""
    chars: list[str] = []
    faces: list[str] = []
    prev = ""
    for ch in text:
        cp = ord(ch)
        if prev and _sticky(ch) and cp in _cmaps[prev]:
            font = prev
        elif cp in _cmaps[primary]:
            font = primary
        elif cp in _cmaps[CJK]:
            font = CJK
        else:
            ch, font = REPLACEMENT, primary
        chars.append(ch)
        faces.append(font)
        prev = font
    out: list[tuple[str, str]] = []
    for ch, font in zip(chars, faces, strict=True):
        if out and out[-1][1] == font:
            out[-1] = (out[-1][0] + ch, font)
        else:
            out.append((ch, font))
    return out


def _rtl_run(text: str, font: str, size: float) -> str:
    """One right-to-left run in visual order: shaped by HarfBuzz when there is RTL script in it
    and uharfbuzz is installed, else reversed (Hebrew needs no more; Arabic stays unjoined)."""
    if bidi.has_rtl(text) and pdfmetrics.getFont(font).shapable:
        shaped = shapeStr(text, font, size)
        if isinstance(shaped, ShapedStr):
            return cast(str, shaped)
    return bidi.mirror(text[::-1])


@lru_cache(maxsize=8192)
def _runs(text: str, bold: bool, size: float) -> tuple[Run, ...]:
    register()
    primary = SANS_BOLD if bold else SANS
    if text.isascii() and text.isprintable():
        return (Run.of(text, primary, size),)
    text = _clean(text)
    if not bidi.has_rtl(text):
        return tuple(Run.of(t, f, size) for t, f in _font_runs(text, primary))
    # Right-to-left: split the font runs further by embedding level, then reorder (bidi L2).
    char_levels = bidi.levels(text)
    pieces: list[tuple[str, str, int]] = []
    pos = 0
    for chunk, font in _font_runs(text, primary):
        for i, ch in enumerate(chunk):
            level = char_levels[pos + i]
            if pieces and pieces[-1][1] == font and pieces[-1][2] == level:
                pieces[-1] = (pieces[-1][0] + ch, font, level)
            else:
                pieces.append((ch, font, level))
        pos += len(chunk)
    order = bidi.visual_order([p[2] for p in pieces])
    return tuple(
        Run.of(_rtl_run(t, f, size) if lv % 2 else t, f, size)
        for t, f, lv in (pieces[i] for i in order)
    )


def runs(text: str, size: float, *, bold: bool = False) -> tuple[Run, ...]:
    """The runs that print `text` (logical order in, visual order out)."""
    return _runs(text, bold, float(size))


def string_width(text: str, size: float, *, bold: bool = False) -> float:
    """The printed width of `text` in points, measured in the fonts that print it."""
    return sum(r.width for r in runs(text, size, bold=bold))


def draw(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    align: Align = "left",
) -> float:
    """Draw one line of text at (x, y); `align` says where x is. Returns the width drawn."""
    parts = runs(text, size, bold=bold)
    width = sum(r.width for r in parts)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    for run in parts:
        if (canvas._fontname, canvas._fontsize) != (run.font, size):
            canvas.setFont(run.font, size)  # each call writes a Tf operator: only on change
        canvas.drawString(x, y, run.text)
        x += run.width
    return width


def fit(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """`text`, cut with an ellipsis to print within `width` points."""
    if string_width(text, size, bold=bold) <= width:
        return text
    keep = _prefix_fitting(text, width - _ellipsis_width(size), size, bold)
    while keep > 0 and string_width(text[:keep].rstrip() + ELLIPSIS, size, bold=bold) > width:
        keep -= 1  # the ellipsis took a wider font than assumed, or right-to-left text
    return text[:keep].rstrip() + ELLIPSIS


def _ellipsis_width(size: float) -> float:
    return float(max(pdfmetrics.stringWidth(ELLIPSIS, f, size) for f in (SANS, SANS_BOLD, CJK)))


def _prefix_fitting(text: str, width: float, size: float, bold: bool) -> int:
    """How many characters of `text` print within `width`: widths add up character by
    character (one pass) unless the text is right-to-left or loses characters in cleaning."""
    parts = runs(text, size, bold=bold)
    if bidi.has_rtl(text) or sum(len(r.text) for r in parts) != len(text):
        return _longest_prefix(text, width, size, bold, least=0)
    total, count = 0.0, 0
    for run in parts:
        face = pdfmetrics.getFont(run.font).face
        widths, default = face.charWidths, face.defaultWidth
        for ch in run.text:
            total += widths.get(ord(ch), default) * size / 1000
            if total > width:
                return count
            count += 1
    return count


def _is_cjk(ch: str) -> bool:
    """Characters between which a line may break without a space (ideographs, kana, hangul)."""
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x9FFF
        or 0xAC00 <= cp <= 0xD7AF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
    )


# Japanese line-breaking rules (kinsoku): never start a line with these ...
_NO_START = set(
    "、。，．・：；？！ー～）」』】〕〉》〙〗］｝’”ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻゛゜ヽヾゝゞ,.:;?!)]}"
)
# ... nor end one with these.
_NO_END = set("（「『【〔〈《〘〖［｛‘“([{")


def _break_before(prev: str, ch: str) -> bool:
    if ch.isspace() or ch in _NO_START or prev in _NO_END:
        return False
    return prev.isspace() or _is_cjk(ch) or _is_cjk(prev)


def _tokens(text: str) -> list[str]:
    """Pieces a line may break between: words with their trailing spaces, and single CJK
    characters (kept with the punctuation that may not start or end a line)."""
    tokens: list[str] = []
    for ch in text:
        if tokens and not _break_before(tokens[-1][-1], ch):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def wrap(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """Lines of `text` that each print within `width` points: breaks at spaces, between CJK
    characters (with the kinsoku rules), and inside a word only when the word alone is wider
    than the line. Never an empty list."""
    lines: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        line = ""
        for token in _tokens(paragraph):
            candidate = line + token
            if string_width(candidate.rstrip(), size, bold=bold) <= width:
                line = candidate
                continue
            if line.strip():
                lines.append(line.rstrip())
                line = token
            else:
                line = candidate
            while len(line.rstrip()) > 1 and string_width(line.rstrip(), size, bold=bold) > width:
                cut = _longest_prefix(line, width, size, bold)  # a word wider than the line
                lines.append(line[:cut].rstrip())
                line = line[cut:].lstrip()
        lines.append(line.rstrip())
    return lines or [""]


def _longest_prefix(text: str, width: float, size: float, bold: bool, least: int = 1) -> int:
    """The longest prefix of `text` (at least `least` characters) within `width`, by halving."""
    lo, hi = least, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if string_width(text[:mid], size, bold=bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


def markup(text: str, size: float = 10, *, base: str = SANS) -> str:
    """Escaped platypus Paragraph markup for `text`, with a <font> tag around each run that
    `base` (the paragraph style's font) does not print. `<b>` around it stays valid."""
    out = []
    for run in runs(text, size, bold=base == SANS_BOLD):
        body = escape(str(run.text))
        out.append(body if run.font == base else f'<font face="{run.font}">{body}</font>')
    return "".join(out)
