"""documents/fonts.py and bidi.py: which bundled font prints each character, widths measured in
that font, wrapping and truncation within a width, right-to-left order, one registration."""

from __future__ import annotations

import threading
import unicodedata

import pytest
from reportlab.pdfbase import pdfmetrics

from kinxpro_desktop.documents import bidi, fonts

JP_TITLE = "ステンレス製 真空断熱 マグカップ 350ml ブルー 食洗機対応、電子レンジ不可。"


def plain(text: str) -> str:
    return "".join(str(r.text) for r in fonts.runs(text, 10))


def test_latin_greek_cyrillic_print_in_dejavu_cjk_in_the_cjk_subset() -> None:
    for text in ("Łódź", "Čeřovský", "Şişli İstanbul", "Москва", "Αθήνα", "Crème brûlée"):
        assert [(r.text, r.font) for r in fonts.runs(text, 10)] == [(text, fonts.SANS)]
    runs = fonts.runs("東京都渋谷区 1-2-3 Apt", 10)
    assert [(r.text, r.font) for r in runs] == [
        ("東京都渋谷区 1-2-3 ", fonts.CJK),  # spaces and digits stay with the text around them
        ("Apt", fonts.SANS),
    ]
    for text in ("简体中文", "서울특별시", "㈱ｶﾀｶﾅ", "〒150-0001", "①"):
        assert plain(text) == text
        if text != "①":  # DejaVu has the circled digits
            assert {r.font for r in fonts.runs(text, 10)} == {fonts.CJK}, text


def test_bold_uses_dejavu_bold_and_cjk_regular() -> None:
    runs = fonts.runs("合計 Total", 10, bold=True)
    assert [(r.text, r.font) for r in runs] == [("合計 ", fonts.CJK), ("Total", fonts.SANS_BOLD)]


def test_a_character_no_font_has_prints_as_the_replacement_mark_not_a_question_mark() -> None:
    # U+20BB7 (a CJK Extension B kanji, 𠮷 as in 𠮷野家) is outside the subset; U+0E01 Thai.
    assert plain("\U00020bb7野家") == "\ufffd野家"
    assert "?" not in plain("ก")
    # tabs and newlines print as spaces; explicit bidi controls are dropped
    assert plain("a\tb\nc\u202ed") == "a b cd"


def test_width_is_measured_in_the_font_that_prints() -> None:
    fonts.register()
    width = fonts.string_width("東京", 10)
    assert width == pytest.approx(pdfmetrics.stringWidth("東京", fonts.CJK, 10))
    assert width == pytest.approx(20, abs=0.5)  # CJK glyphs are one em wide
    helvetica = pdfmetrics.stringWidth("東京", "Helvetica", 10)  # what the old code measured
    assert abs(helvetica - width) > 3
    mixed = fonts.string_width("Blue 東京", 10)
    assert mixed == pytest.approx(
        pdfmetrics.stringWidth("Blue ", fonts.SANS, 10)
        + pdfmetrics.stringWidth("東京", fonts.CJK, 10)
    )


@pytest.mark.parametrize("width", [40.0, 80.0, 150.0])
def test_wrap_keeps_every_line_within_the_width_and_loses_nothing(width: float) -> None:
    lines = fonts.wrap(JP_TITLE, width, 10)
    assert len(lines) > 1
    assert all(fonts.string_width(line, 10) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == JP_TITLE.replace(" ", "")
    assert not any(line.startswith(("、", "。", "ー")) for line in lines)  # kinsoku


def test_wrap_breaks_latin_at_spaces_and_an_overlong_word_inside() -> None:
    assert fonts.wrap("Blue mug with handle", 60, 10) == ["Blue mug", "with handle"]
    lines = fonts.wrap("SKU-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789", 60, 10)
    assert len(lines) > 2 and all(fonts.string_width(x, 10) <= 60 for x in lines)
    assert "".join(lines) == "SKU-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789"
    assert fonts.wrap("", 60, 10) == [""]


def test_fit_cuts_with_an_ellipsis_within_the_width() -> None:
    cut = fonts.fit(JP_TITLE, 100, 7.5)
    assert cut.endswith("…") and JP_TITLE.startswith(cut[:-1])
    assert fonts.string_width(cut, 7.5) <= 100
    assert fonts.fit("Cup", 100, 7.5) == "Cup"


def test_markup_escapes_and_tags_only_the_runs_the_base_font_cannot_print() -> None:
    assert fonts.markup("<b>Łódź</b> & 東京") == (
        '&lt;b&gt;Łódź&lt;/b&gt; &amp; <font face="KinxproCJK">東京</font>'
    )


def test_registration_happens_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_cmaps", {})  # as in a fresh process
    registered: list[str] = []
    real = pdfmetrics.registerFont

    def counting(font: object) -> None:
        registered.append(font.fontName)  # type: ignore[attr-defined]
        real(font)

    monkeypatch.setattr(pdfmetrics, "registerFont", counting)
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def work() -> None:
        try:
            barrier.wait()
            fonts.register()
            assert fonts.string_width("東京 Łódź", 9.5) > 0
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(registered) == sorted([fonts.SANS, fonts.SANS_BOLD, fonts.CJK])


def test_bidi_levels_and_visual_order() -> None:
    # Hebrew in a left-to-right line: the Hebrew words are turned around, the rest stays.
    assert bidi.base_level("Apt 5 שלום") == 0
    text = "abc אבג דהו"
    order = bidi.visual_order(bidi.levels(text))
    assert "".join(text[i] for i in order) == "abc והד גבא"
    # An Arabic line with a number: right-to-left paragraph, the digits keep their order.
    text = "شارع 123"
    assert bidi.base_level(text) == 1
    order = bidi.visual_order(bidi.levels(text))
    assert "".join(text[i] for i in order) == "123 عراش"
    assert bidi.mirror("(x)") == ")x("


def test_hebrew_prints_in_visual_order() -> None:
    assert plain("שלום עולם") == "םלוע םולש"
    assert plain("Order 7 (שלום)") == "Order 7 (םולש)"


def test_arabic_letters_join_when_harfbuzz_is_installed() -> None:
    pytest.importorskip("uharfbuzz")
    assert fonts.shaping_available()
    shown = plain("مرحبا")
    # presentation forms (joined), in visual order: alef (final) ... meem (initial)
    assert all("\ufe70" <= ch <= "\ufeff" for ch in shown)
    assert unicodedata.normalize("NFKC", shown)[::-1] == "مرحبا"
