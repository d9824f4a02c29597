"""Placement and paper choice without a spooler: true size, no stretching, quarter turns."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, QSizeF

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.printing import PageSize, PrinterInfo
from kinxpro_desktop.printing import raw
from kinxpro_desktop.printing.render import place

DPI = 300.0
PAPER_4X6 = QSizeF(4 * DPI, 6 * DPI)
PIXELS = QSize(1, 1)


def test_a_4x6_page_fills_a_4x6_paper_exactly() -> None:
    p = place(QSizeF(288, 432), PAPER_4X6, DPI, PIXELS)
    assert not p.rotate
    assert (p.rect.x(), p.rect.y(), p.rect.width(), p.rect.height()) == (0, 0, 1200, 1800)


def test_a_landscape_label_is_turned_not_stretched() -> None:
    p = place(QSizeF(432, 288), PAPER_4X6, DPI, PIXELS)
    assert p.rotate
    assert (p.rect.width(), p.rect.height()) == (1200, 1800)


def test_a_label_on_letter_keeps_its_true_size_centred() -> None:
    letter = QSizeF(8.5 * DPI, 11 * DPI)
    p = place(QSizeF(288, 432), letter, DPI, PIXELS)
    assert (p.rect.width(), p.rect.height()) == (1200, 1800)
    assert p.rect.x() == (2550 - 1200) / 2 and p.rect.y() == (3300 - 1800) / 2


def test_a_letter_page_on_4x6_is_shrunk_uniformly() -> None:
    p = place(QSizeF(612, 792), PAPER_4X6, DPI, PIXELS)
    ratio = p.rect.width() / p.rect.height()
    assert abs(ratio - 612 / 792) < 1e-6
    assert p.rect.width() <= 1200 and p.rect.height() <= 1800


def test_an_image_without_physical_size_is_fitted_keeping_its_aspect() -> None:
    p = place(None, PAPER_4X6, DPI, QSize(400, 600))
    assert (p.rect.width(), p.rect.height()) == (1200, 1800)
    p = place(None, PAPER_4X6, DPI, QSize(400, 400))
    assert p.rect.width() == p.rect.height() == 1200


def test_page_sizes_parse_and_measure() -> None:
    assert PageSize.parse("4x6") is PageSize.LABEL_4X6
    assert PageSize.parse(" Letter ") is PageSize.LETTER
    assert PageSize.parse("100x150mm") is PageSize.LABEL_4X6
    w, h = PageSize.LABEL_4X6.millimetres
    assert round(w) == 102 and round(h) == 152
    with pytest.raises(UserError, match="choose one of 4x6, letter, a4"):
        PageSize.parse("legal")


def test_zpl_format_follows_the_printer_resolution() -> None:
    assert PrinterInfo("z", dpi=203).zpl_format == "ZPL203"
    assert PrinterInfo("z", dpi=300).zpl_format == "ZPL300"
    assert PrinterInfo("z").zpl_format == "ZPL203"


def test_socket_targets_and_label_counts() -> None:
    assert raw.socket_target("socket://10.0.0.5:9100") == ("10.0.0.5", 9100)
    assert raw.socket_target("zebra.local:9100") == ("zebra.local", 9100)
    assert raw.socket_target("Zebra_ZD420") is None
    assert raw.label_count(b"^XA^FDa^FS^XZ\n^XA^FDb^FS^XZ\n") == 2


def test_media_keywords_for_cups() -> None:
    from PySide6.QtGui import QPageSize

    from kinxpro_desktop.printing.render import media_keyword

    custom = QPageSize(
        QSizeF(288, 432), QPageSize.Unit.Point, "4x6", QPageSize.SizeMatchPolicy.ExactMatch
    )
    assert media_keyword(custom) == "Custom.288x432"
    assert media_keyword(QPageSize(QPageSize.PageSizeId.A4)) == "A4"
    assert media_keyword(QPageSize(QPageSize.PageSizeId.Letter)) == "Letter"
