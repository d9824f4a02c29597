"""Orders and Listings tabs over a real encrypted store: search, sort, detail, audited reveal."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from PySide6.QtCore import QItemSelectionModel, Qt
from sqlalchemy import insert

from kinxpro_desktop.store.schema import listings
from kinxpro_desktop.ui.main_window import MainWindow
from kinxpro_desktop.ui.tabs.orders import MASKED


def window_for(qtbot, ctx) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.refresh_all()
    return window


def wait_rows(qtbot, tab, expected: int) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: tab.model.rowCount() == expected, timeout=5000)
    qtbot.waitUntil(lambda: tab.model.index(0, 0).data() != "…", timeout=5000)


def shown(qtbot, pane, order_id: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.order.order_id == order_id, timeout=5000
    )


def select(tab, row: int) -> None:  # type: ignore[no-untyped-def]
    tab.table.selectionModel().select(
        tab.model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def test_orders_table_lists_searches_and_sorts(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    tab = window_for(qtbot, make_ctx()).orders_tab
    wait_rows(qtbot, tab, 60)
    assert tab.stack.currentIndex() == 1
    assert tab.count_label.text() == "60 orders"
    newest = tab.model.index(0, 0).data()
    assert newest == "113-0000000-0000000"  # placed most recently: default sort is newest first
    tab.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: tab.model.index(0, 0).data() == "113-0000059-0467221", timeout=5000)
    tab.search.setText("0000042")
    tab.apply_filter()
    wait_rows(qtbot, tab, 1)
    assert tab.model.index(0, 0).data().startswith("113-0000042")
    tab.search.setText("SKU-2")  # an item SKU: orders whose items match
    tab.apply_filter()
    wait_rows(qtbot, tab, 20)
    tab.search.clear()
    tab.channel_combo.setCurrentIndex(2)  # Amazon (FBA)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=5000)
    assert (
        tab.stack.currentIndex() == 1
    )  # a filter with no hits keeps the table, not the empty state
    assert tab.count_label.text() == "0 orders"


def test_order_detail_masks_buyer_data_until_an_audited_reveal(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    tab = window_for(qtbot, make_ctx()).orders_tab
    wait_rows(qtbot, tab, 60)
    select(tab, 0)
    pane = tab.detail
    shown(qtbot, pane, "113-0000000-0000000")
    assert pane.items.rowCount() == 1
    assert "19.99 USD" in pane.total_label.text()
    assert pane.name_label.text() == MASKED
    assert pane.reveal_button.isEnabled()
    pane.reveal_button.click()
    qtbot.waitUntil(lambda: pane.name_label.text() != MASKED, timeout=5000)
    assert "Recipient00000" in pane.name_label.text()
    assert "Lane" in pane.address_label.text()
    reveal = database.audit.latest("reveal")
    assert reveal is not None and reveal.object_ids == ("113-0000000-0000000",)
    assert "Qzvpiimark" not in json.dumps(reveal.detail)
    select(tab, 1)
    qtbot.waitUntil(
        lambda: pane.detail and pane.detail.order.order_id != "113-0000000-0000000", timeout=5000
    )
    assert pane.name_label.text() == MASKED


def test_order_without_buyer_data_says_why(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    from kinxpro_desktop.store.retention import wipe_expired

    wipe_expired(database.engine, datetime.now(UTC), 30)
    tab = window_for(qtbot, make_ctx()).orders_tab
    wait_rows(qtbot, tab, 60)
    tab.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # oldest first: past the window
    qtbot.waitUntil(lambda: tab.model.index(0, 8).data() == "", timeout=5000)
    select(tab, 0)
    qtbot.waitUntil(lambda: tab.detail.detail is not None, timeout=5000)
    assert not tab.detail.reveal_button.isEnabled()
    assert "under the 30-day policy" in tab.detail.buyer_note.text()
    assert MASKED not in tab.detail.name_label.text()  # nothing is held, so nothing is masked


def test_orders_model_passes_the_model_tester(qtbot, qtmodeltester, make_ctx) -> None:  # type: ignore[no-untyped-def]
    tab = window_for(qtbot, make_ctx()).orders_tab
    wait_rows(qtbot, tab, 60)
    qtmodeltester.check(tab.model)


def test_listings_table_shows_price_quantity_status_and_issues(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    now = "2026-11-26T00:00:00.000000Z"
    rows = [
        {
            "sku": f"KX-{i:03d}",
            "marketplace_id": "ATVPDKIKX0DER",
            "asin": f"B0KX{i:06d}",
            "title": f"Widget {i}",
            "price_minor": 1999 + i,
            "currency": "USD",
            "quantity": i,
            "status": "Active" if i % 4 else "Inactive",
            "fulfillment_channel": "DEFAULT",
            "issues_json": json.dumps(["Missing image"] if i % 10 == 0 else []),
            "updated_at": now,
        }
        for i in range(25)
    ]
    with database.engine.begin() as conn:
        conn.execute(insert(listings), rows)
    tab = window_for(qtbot, make_ctx()).listings_tab
    wait_rows(qtbot, tab, 25)
    assert tab.count_label.text() == "25 listings"
    assert tab.model.index(1, 0).data() == "KX-001"
    assert tab.model.index(1, 4).data() == "20.00 USD"
    assert tab.model.index(1, 5).data() == "1"
    assert tab.model.index(0, 8).data() == "1 error"  # an old flattened string, still read
    assert tab.model.index(0, 8).data(Qt.ItemDataRole.ToolTipRole) == "Error: Missing image"
    tab.issues_only.setChecked(True)
    wait_rows(qtbot, tab, 3)
    tab.issues_only.setChecked(False)
    tab.search.setText("Widget 2")
    tab.apply_filter()
    wait_rows(qtbot, tab, 6)  # Widget 2, 20..24
