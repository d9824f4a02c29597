"""Right-to-left text (Arabic, Hebrew) on one line: embedding levels and visual order.

A reduced form of the Unicode Bidirectional Algorithm (UAX #9) for single lines of plain text
as the documents print them (an address line, a product title, a table cell):

- the paragraph direction is that of the first strong character (P2, P3), left-to-right when
  there is none;
- weak types: a non-spacing mark takes the type of the character before it (W1), European
  digits after Arabic letters count as Arabic numbers (W2), digits after a left-to-right letter
  count as left-to-right (W7);
- neutrals between two characters of the same direction take it, the others take the
  paragraph direction (N1, N2); trailing whitespace takes the paragraph level (L1);
- levels: left-to-right 0 or 2, right-to-left 1, numbers 2 (I1, I2), reordered by L2.

Not handled: explicit embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069 are
dropped), bracket pairs (N0). Mirrored characters in right-to-left text are mirrored (L4) for
the common bracket pairs. Shaping (joining Arabic letters) is not done here: see fonts.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

#: any character whose bidirectional type is R or AL (a quick test before the real work)
RTL_CHARS = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_EXPLICIT = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))
_STRONG_R = frozenset({"R", "AL"})
_NUMBERS = frozenset({"EN", "AN"})


def has_rtl(text: str) -> bool:
    return RTL_CHARS.search(text) is not None


def strip_controls(text: str) -> str:
    """Without the explicit direction marks this module does not implement."""
    return _EXPLICIT.sub("", text)


def _types(text: str) -> list[str]:
    types: list[str] = []
    last_strong = ""
    for ch in text:
        t = unicodedata.bidirectional(ch) or "L"
        if t == "NSM":
            t = types[-1] if types else "ON"
        elif t == "EN" and last_strong == "AL":
            t = "AN"
        elif t == "EN" and last_strong == "L":
            t = "L"
        if t in ("L", "R", "AL"):
            last_strong = t
        types.append(t)
    return types


def base_level(text: str) -> int:
    for t in _types(text):
        if t == "L":
            return 0
        if t in _STRONG_R:
            return 1
    return 0


def levels(text: str) -> list[int]:
    """The embedding level of each character of one line (0 = left-to-right paragraph)."""
    types = _types(text)
    base = base_level(text)

    def direction(t: str) -> str:  # "L", "R" or "" (neutral); numbers count as R for N1
        if t == "L":
            return "L"
        if t in _STRONG_R or t in _NUMBERS:
            return "R"
        return ""

    dirs = [direction(t) for t in types]
    sos = "R" if base else "L"
    resolved = list(dirs)
    i = 0
    while i < len(dirs):
        if dirs[i]:
            i += 1
            continue
        j = i
        while j < len(dirs) and not dirs[j]:
            j += 1
        before = dirs[i - 1] if i else sos
        after = dirs[j] if j < len(dirs) else sos
        fill = before if before == after else sos
        for k in range(i, j):
            resolved[k] = fill
        i = j
    out: list[int] = []
    for t, d in zip(types, resolved, strict=True):
        if base == 0:
            level = 2 if t in _NUMBERS else (1 if d == "R" else 0)
        else:
            level = 2 if (t in _NUMBERS or d == "L") else 1
        out.append(level)
    for k in range(len(text) - 1, -1, -1):  # L1: trailing whitespace at the paragraph level
        if not text[k].isspace():
            break
        out[k] = base
    return out


def visual_order(levels_: Sequence[int]) -> list[int]:
    """L2: the logical indexes of items (characters or runs) in visual (left-to-right) order."""
    order = list(range(len(levels_)))
    if not levels_:
        return order
    highest = max(levels_)
    lowest_odd = min((lv for lv in levels_ if lv % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels_[order[i]] >= level:
                j = i
                while j < len(order) and levels_[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order


def mirror(text: str) -> str:
    """L4: brackets and quotes in right-to-left text turned around."""
    return "".join(_MIRROR.get(ch, ch) for ch in text)
