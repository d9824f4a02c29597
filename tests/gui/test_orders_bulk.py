"""Orders at work on a selection (issue 10): multi-select, packing slips and a pick list of
the selection (the PDF text has the right items and quantities), Buy label hands the ids
to the Labels tab, Confirm shipment from the tab reaches the simulator and updates the row,
an audited reveal without buyer data in the entry, selection and detail kept across a sync."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel
from sp_api.auth import access_token_client
from sqlalchemy import text

from kinxpro_desktop.core.changes import Changes
from kinxpro_desktop.core.vocabulary import OrderStatus
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.order_documents import DocumentKind
from kinxpro_desktop.services.shipments import ShipmentService
from kinxpro_desktop.spapi.mapping import order_from_2026
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.ui.main_window import MainWindow
from kinxpro_desktop.ui.tabs.orders import MASKED, OrdersTab
from tests.gui.test_orders_keep_place import newer_order
from tests.gui.test_orders_listings_tabs import shown, wait_rows
from tests.support.simulator import creds_for

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def pick_rows(tab: OrdersTab, rows: list[int]) -> list[str]:
    sel = tab.table.selectionModel()
    sel.clearSelection()
    for r in rows:  # Ctrl+click each
        sel.select(
            tab.model.index(r, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    sel.setCurrentIndex(tab.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    return [str(tab.model.key_at(r)) for r in rows]


def tab_for(qtbot: Any, ctx: Any) -> OrdersTab:
    tab = OrdersTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    tab.model.reload()
    wait_rows(qtbot, tab, 60)
    return tab


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_packing_slips_and_pick_list_of_the_selection(
    qtbot: Any, make_ctx: Any, database: Database, tmp_path: Path
) -> None:
    tab = tab_for(qtbot, make_ctx())
    ids = pick_rows(tab, [1, 2, 4])  # 2, 3 and 2 items (seeded: 1 + n % 3)
    assert tab.selected_ids() == ids
    assert tab.order_actions.slips_button.isEnabled()
    assert not tab.order_actions.confirm_button.isEnabled()  # one order at a time
    slips = tab.order_actions.preview(DocumentKind.PACKING_SLIP)
    assert slips is not None
    with qtbot.waitSignal(slips.loaded, timeout=10_000) as blocker:
        pass
    assert blocker.args[0] >= 3  # a page per order
    with qtbot.waitSignal(slips.saved, timeout=10_000):
        slips.save_to(tmp_path / "slips.pdf")
    slips.reject()
    body = pdf_text(tmp_path / "slips.pdf")
    for oid in ids:
        assert oid in body
    assert "Test product 2" in body and "SKU-2" in body
    picks = tab.order_actions.preview(DocumentKind.PICK_LIST)
    assert picks is not None
    with qtbot.waitSignal(picks.loaded, timeout=10_000):
        pass
    with qtbot.waitSignal(picks.saved, timeout=10_000):
        picks.save_to(tmp_path / "picks.pdf")
    picks.reject()
    lines = pdf_text(tmp_path / "picks.pdf").splitlines()
    # SKU-0 is in all three orders (1 each), SKU-1 in all three (2 each), SKU-2 in one (3)
    expected = {"SKU-0": "3", "SKU-1": "6", "SKU-2": "3"}
    for sku, qty in expected.items():
        line = next(ln for ln in lines if ln.strip().startswith(sku))
        assert qty in line.split(), (sku, line)


def test_buy_label_hands_the_selection_to_the_labels_tab(
    qtbot: Any, make_ctx: Any, database: Database
) -> None:
    window = MainWindow(make_ctx())
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.orders_tab)
    window.refresh_all()
    tab = window.orders_tab
    wait_rows(qtbot, tab, 60)
    ids = pick_rows(tab, [0, 3])
    handed: list[list[str]] = []
    tab.order_actions.buy_labels.connect(handed.append)
    tab.order_actions.label_button.click()
    assert handed == [ids]
    assert window.tabs.currentWidget() is window.labels_tab


def test_reveal_is_audited_without_buyer_data_and_kept_across_a_sync(
    qtbot: Any, make_ctx: Any, database: Database
) -> None:
    tab = tab_for(qtbot, make_ctx())
    ids = pick_rows(tab, [2, 5, 7])
    shown(qtbot, tab.detail, ids[0])
    tab.detail.reveal_button.click()
    qtbot.waitUntil(lambda: tab.detail.name_label.text() != MASKED, timeout=5000)
    revealed = tab.detail.name_label.text()
    with database.engine.connect() as conn:
        entry = conn.execute(
            text("SELECT object_ids, detail FROM audit_log WHERE event='reveal' ORDER BY id DESC")
        ).first()
    assert entry is not None and json.loads(entry[0]) == [ids[0]]
    pii = database.orders.get_pii(ids[0])
    assert pii is not None
    for value in (pii.buyer_name, pii.recipient_name, pii.address_line1, pii.buyer_email):
        assert value and value not in entry[0] + entry[1]
    added = newer_order(database)  # a sync stores a newer order on top
    tab._ctx.events.data_changed.emit(Changes.everything())
    wait_rows(qtbot, tab, 61)
    assert tab.model.key_at(0) == added.order_id
    assert tab.selected_ids() == ids  # the same three orders, one row further down
    assert tab.detail.order_id == ids[0] and tab.detail.name_label.text() == revealed


@pytest.fixture
def sim() -> Iterator[Simulator]:
    access_token_client.cache.clear()
    with Simulator(start=START, orders=200, listings=20, time_scale=300.0) as simulator:
        yield simulator
    access_token_client.cache.clear()


def test_confirm_shipment_from_the_tab_reaches_the_simulator_and_updates_the_row(
    qtbot: Any, make_ctx: Any, database: Database, sim: Simulator
) -> None:
    conn = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim), timeout=2)
    try:
        shipments = ShipmentService(database, conn, clock=sim.now)
        now = sim.state.now()
        found = next(
            o.order_id
            for o in sorted(sim.state.world.orders, key=lambda o: -o.created)
            if o.channel == "MFN" and o.created <= now and o.status_at(now) == "Unshipped"
        )
        raw = conn.gateway().orders.get_order(found, ("FULFILLMENT", "PROCEEDS"))
        with database.transaction() as uow:
            uow.orders.merge_page(
                [order_from_2026(raw)], replace_items=True, now=sim.now(), retention_days=30
            )
        tab = tab_for_any(qtbot, dataclasses.replace(make_ctx(), shipments=shipments))
        with qtbot.waitSignal(tab.model.loaded, timeout=5000):
            tab.search.setText(found)
            tab.apply_filter()
        qtbot.waitUntil(lambda: tab.model.order_at(0) is not None, timeout=5000)
        assert tab.model.order_at(0).status == "Unshipped"  # type: ignore[union-attr]
        pick_rows(tab, [0])
        assert tab.order_actions.confirm_button.isEnabled()
        dialog = tab.order_actions.confirm_shipment()
        assert dialog is not None
        qtbot.addWidget(dialog)
        today = sim.now().date()
        dialog.ship_date.setDate(QDate(today.year, today.month, today.day))
        dialog.carrier.setCurrentText("UPS")
        dialog.tracking.setText("1Z999AA10123456784")
        with qtbot.waitSignal(dialog.confirmed, timeout=15_000):
            dialog.ok.click()
        assert sim.state.world.by_id[found].packages[0]["trackingNumber"] == "1Z999AA10123456784"
        qtbot.waitUntil(
            lambda: (
                tab.model.order_at(0) is not None
                and tab.model.order_at(0).status == OrderStatus.SHIPPED
            ),  # type: ignore[union-attr]
            timeout=5000,
        )
        assert tab.model.index(0, 2).data() == "Shipped"
    finally:
        conn.close()


def tab_for_any(qtbot: Any, ctx: Any) -> OrdersTab:
    tab = OrdersTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    tab.model.reload()
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=5000)
    return tab
