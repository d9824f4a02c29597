"""Build NotoSansCJK-Subset.ttf (run by hand; the output is committed, the build needs fontTools).

Source: Noto Sans CJK JP Regular (SIL OFL 1.1), the first face of NotoSansCJK-Regular.ttc from
Debian's `fonts-noto-cjk` package (1:20220127+repack1-1):

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb noto
    python -m pip install fonttools
    python resources/fonts/build_cjk_subset.py \
        noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc resources/fonts

What it keeps (about 16,900 characters, 14,600 glyphs, 4 MB):
- the whole of Windows code page 932 (JIS X 0208 kanji and kana plus the NEC/IBM extensions
  Japanese shoppers type: circled numbers, (株), era names, ...) and half-width katakana;
- GB 2312 (simplified Chinese) and KS X 1001 (the 2,350 common Hangul syllables and hanja);
- the CJK punctuation, kana, fullwidth-form, enclosed and compatibility blocks, ASCII.
Characters outside it print with the replacement mark (see documents/fonts.py).

Why converted: reportlab's TTFont reads TrueType (glyf) outlines only, and Noto Sans CJK ships
CFF outlines, so the cubic outlines are converted to quadratic ones (fontTools cu2qu, 1 unit
error at 1000 units per em: invisible in print). Layout tables (GSUB/GPOS: vertical forms,
proportional kana) and hinting are dropped: reportlab uses neither. Renamed (OFL section 3
asks modified versions not to pose as the original): "Noto Sans CJK JP Kinxpro Subset".
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

FAMILY = "Noto Sans CJK JP Kinxpro Subset"
PS_NAME = "NotoSansCJKjp-KinxproSubset"
OUT_NAME = "NotoSansCJK-Subset.ttf"
BLOCKS = [
    (0x0020, 0x007E),  # ASCII (digits and spaces inside Japanese text stay in one font)
    (0x2010, 0x2027),  # dashes, quotes, dots
    (0x2030, 0x203B),
    (0x2190, 0x2199),  # arrows
    (0x2460, 0x24FF),  # circled numbers and letters
    (0x25A0, 0x25FF),  # geometric shapes
    (0x2600, 0x2606),
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x31F0, 0x31FF),  # katakana phonetic extensions
    (0x3200, 0x33FF),  # enclosed CJK, CJK compatibility (units, era names)
    (0xFF00, 0xFFEF),  # fullwidth and half-width forms
]


def _double_byte(codec: str, leads: range | list[int], trails: range | list[int]) -> set[int]:
    found: set[int] = set()
    for lead in leads:
        for trail in trails:
            try:
                text = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                found.add(ord(text))
    return found


def characters() -> set[int]:
    chars: set[int] = set()
    for lo, hi in BLOCKS:
        chars.update(range(lo, hi + 1))
    sjis_leads = [*range(0x81, 0xA0), *range(0xE0, 0xFD)]
    sjis_trails = [*range(0x40, 0x7F), *range(0x80, 0xFD)]
    chars |= _double_byte("cp932", sjis_leads, sjis_trails)
    chars |= _double_byte("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
    chars |= _double_byte("euc_kr", range(0xA1, 0xFE), range(0xA1, 0xFF))
    return chars


def _to_truetype(font: TTFont) -> None:
    """CFF (cubic) outlines to glyf (quadratic), as fontTools' otf2ttf snippet does."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        hmtx.metrics[name] = (hmtx.metrics[name][0], getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in (
        "maxTwilightPoints maxStorage maxFunctionDefs maxInstructionDefs maxStackElements "
        "maxSizeOfInstructions maxComponentElements"
    ).split():
        setattr(maxp, attr, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\0\1\0\0"


def _rename(font: TTFont) -> None:
    names = font["name"]
    for rec in list(names.names):
        if rec.nameID in (1, 3, 4, 6, 16, 17):
            names.removeNames(nameID=rec.nameID)
    for name_id, value in (
        (1, FAMILY),
        (2, "Regular"),
        (3, f"{PS_NAME};subset of Noto Sans CJK JP Regular"),
        (4, FAMILY),
        (6, PS_NAME),
        (10, "Subset of Noto Sans CJK JP Regular (cp932, GB 2312, KS X 1001), converted to "
         "TrueType outlines for Kinxpro Desktop's PDF output."),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)


def main(source: str, out_dir: str) -> None:
    font = TTCollection(source).fonts[0]
    full = font["name"].getDebugName(4)
    if full != "Noto Sans CJK JP":
        raise SystemExit(f"face 0 of {source} is {full!r}, not Noto Sans CJK JP")
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["GSUB", "GPOS", "BASE", "vhea", "vmtx", "VORG", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    _to_truetype(font)
    _rename(font)
    target = Path(out_dir) / OUT_NAME
    font.save(str(target))
    print(f"{target}: {len(font.getGlyphOrder())} glyphs, {target.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(*sys.argv[1:3])
