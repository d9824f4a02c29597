"""A one-page PDF, used by --smoke-test to prove reportlab and its fonts work.

It draws a line in each bundled font, so a bundle without resources/fonts fails the smoke test
(FileNotFoundError: bundled resource missing: fonts/...).
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from kinxpro_desktop._version import __version__
from kinxpro_desktop.documents import fonts

SAMPLE = "Łódź, Čapek, İstanbul, Москва, Αθήνα, 東京都渋谷区, 北京, 서울"


def render_test_page() -> bytes:
    fonts.register()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=letter, pageCompression=1, initialFontName=fonts.SANS)
    pdf.setTitle("Kinxpro Desktop smoke test")
    fonts.draw(pdf, 72, 720, "Kinxpro Desktop", 18, bold=True)
    fonts.draw(pdf, 72, 700, f"Version {__version__}: PDF rendering works.", 11)
    fonts.draw(pdf, 72, 680, SAMPLE, 11)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
