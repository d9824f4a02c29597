"""A one-page PDF, used by --smoke-test to prove reportlab and its fonts work."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from kinxpro_desktop._version import __version__


def render_test_page() -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=letter, pageCompression=1)
    pdf.setTitle("Kinxpro Desktop smoke test")
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(72, 720, "Kinxpro Desktop")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, f"Version {__version__}: PDF rendering works.")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
