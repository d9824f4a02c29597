"""The packing-slip and pick-list preview, offscreen over a real encrypted store: pages are
rendered on a worker and shown from memory (no file written), Save writes the PDF where asked,
Print sends it to a real CUPS queue, damaged bytes get a clear message, and closing the dialog
while its pages are still rendering is safe (the earlier QPdfView crashed CI that way)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from kinxpro_desktop.core.printing import PageSize
from kinxpro_desktop.printing.system import SystemPrinter
from kinxpro_desktop.services.order_documents import DocumentKind, OrderDocuments
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.ui.dialogs.document_preview import PREVIEW_PAGES, DocumentPreviewDialog
from tests.integration.printing import conftest as printing_fixtures
from tests.integration.printing.test_cups_printing import text_of
from tests.support.cups import PrivateCups

private_cups = printing_fixtures.private_cups  # the private CUPS daemon (session)
cups = printing_fixtures.cups  # its queues, reset per test


def _order_ids(database: Database, count: int = 5) -> list[str]:
    with database.engine.connect() as conn:
        sql = text("SELECT order_id FROM orders ORDER BY order_id LIMIT :n")
        return [r[0] for r in conn.execute(sql, {"n": count})]


def _ink(image: QImage) -> int:
    """Dark pixels on a sample grid: a blank page has none."""
    dark = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            dark += image.pixelColor(x, y).lightness() < 128
    return dark


def _preview(ctx: Any, qtbot: Any, **kwargs: Any) -> DocumentPreviewDialog:
    dialog = DocumentPreviewDialog(ctx, **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def test_pages_render_from_memory_and_save_where_asked(
    make_ctx: Callable[..., Any], database: Database, qtbot: Any, tmp_path: Path
) -> None:
    ctx = make_ctx()
    dialog = _preview(
        ctx,
        qtbot,
        kind=DocumentKind.PICK_LIST,
        order_ids=_order_ids(database, 3),
        page=PageSize.A4,
        documents=OrderDocuments(database),
    )
    with qtbot.waitSignal(dialog.loaded, timeout=10_000) as blocker:
        pass
    assert blocker.args[0] == dialog.page_count >= 1
    pages = dialog.strip.pages
    assert len(pages) == dialog.page_count
    assert pages[0].width() >= 1000 and _ink(pages[0]) > 50  # sharp, and not blank
    assert abs(pages[0].height() / pages[0].width() - 842 / 595) < 0.01  # A4's shape
    assert dialog.status.text().startswith(f"{dialog.page_count} page")
    assert not list(tmp_path.rglob("*.pdf"))  # shown from memory: no file was written
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_to(tmp_path / "picks.pdf")
    assert (tmp_path / "picks.pdf").read_bytes()[:5] == b"%PDF-"
    assert "Saved to" in dialog.status.text()
    dialog.show()
    qtbot.waitExposed(dialog)
    shot = dialog.view.viewport().grab().toImage()
    assert _ink(shot) > 20  # the page is painted in the window, not only held
    # no printer service in this document service: no Print button to press
    assert not dialog.print_button.isVisible()
    dialog.reject()  # closing lets go of the pages (a packing slip's hold an address)
    assert dialog.strip.pages == []


def test_closing_while_pages_render_is_safe(
    make_ctx: Callable[..., Any], database: Database, qtbot: Any
) -> None:
    """Closed and deleted before the worker finishes: the result is dropped, nothing crashes,
    and a second preview still works."""
    ctx = make_ctx()
    documents = OrderDocuments(database)
    ids = _order_ids(database, 40)
    for _ in range(5):
        dialog = DocumentPreviewDialog(
            ctx, kind=DocumentKind.PICK_LIST, order_ids=ids, documents=documents
        )
        dialog.show()
        dialog.reject()
        dialog.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.wait(500)  # the workers finish and their results arrive for deleted dialogs
    closed = _preview(ctx, qtbot, kind=DocumentKind.PICK_LIST, order_ids=ids, documents=documents)
    closed.reject()  # closed, not deleted: a result arriving later is not shown
    qtbot.wait(500)
    assert closed.strip.pages == [] and closed.page_count == 0
    QApplication.processEvents()
    again = _preview(
        ctx, qtbot, kind=DocumentKind.PICK_LIST, order_ids=ids[:2], documents=documents
    )
    with qtbot.waitSignal(again.loaded, timeout=10_000):
        pass
    assert again.page_count >= 1


@pytest.mark.parametrize(
    "data", [b"", b"not a pdf at all", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF"]
)
def test_damaged_bytes_say_so(make_ctx: Callable[..., Any], qtbot: Any, data: bytes) -> None:
    dialog = _preview(make_ctx(), qtbot, pdf=data)
    qtbot.waitUntil(lambda: "could not be shown" in dialog.status.text(), timeout=10_000)
    assert dialog.page_count == 0 and dialog.strip.pages == []


def test_long_documents_show_the_first_pages_and_say_so(
    make_ctx: Callable[..., Any], qtbot: Any
) -> None:
    from reportlab.pdfgen.canvas import Canvas

    path_pages = PREVIEW_PAGES + 5
    import io

    out = io.BytesIO()
    canvas = Canvas(out)
    for n in range(path_pages):
        canvas.drawString(72, 720, f"Page {n + 1}")
        canvas.showPage()
    canvas.save()
    dialog = _preview(make_ctx(), qtbot, pdf=out.getvalue())
    with qtbot.waitSignal(dialog.loaded, timeout=20_000):
        pass
    assert dialog.page_count == path_pages
    assert len(dialog.strip.pages) == PREVIEW_PAGES
    assert f"first {PREVIEW_PAGES} of {path_pages} pages" in dialog.status.text()


@pytest.mark.cups
def test_print_sends_the_document_to_the_chosen_printer(
    make_ctx: Callable[..., Any], database: Database, cups: PrivateCups, qtbot: Any
) -> None:
    ctx = make_ctx()
    documents = OrderDocuments(database, SystemPrinter(cups_server=cups.server))
    ids = _order_ids(database, 2)
    dialog = _preview(ctx, qtbot, kind=DocumentKind.PICK_LIST, order_ids=ids, documents=documents)
    qtbot.waitUntil(lambda: dialog.print_button.isEnabled(), timeout=10_000)
    names = [dialog.printer_box.itemData(i) for i in range(dialog.printer_box.count())]
    assert cups.pdf_queue in names
    dialog.printer_box.setCurrentIndex(names.index(cups.pdf_queue))
    with qtbot.waitSignal(dialog.printed, timeout=30_000) as blocker:
        dialog.print_button.click()
    job = blocker.args[0]
    assert job.queue == cups.pdf_queue and job.pages >= 1
    assert f"Sent to {cups.pdf_queue}" in dialog.status.text()
    (pdf,) = cups.new_pdfs(1)
    with database.engine.connect() as conn:
        skus = [
            r[0]
            for r in conn.execute(
                text("SELECT DISTINCT sku FROM order_items WHERE order_id IN (:a, :b)"),
                {"a": ids[0], "b": ids[1]},
            )
        ]
    printed = text_of(pdf)
    assert skus and all(sku in printed for sku in skus)
