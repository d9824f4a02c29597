"""Sync now, through the real gateway and service, against the simulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from sp_api.auth import access_token_client

from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import AccountSync
from kinxpro_desktop.tasks.sync import SyncController
from kinxpro_desktop.ui.main_window import MainWindow
from kinxpro_desktop.vault.secret_store import MemorySecretStore
from tests.support.simulator import creds_for


@pytest.fixture
def sim() -> Iterator[Simulator]:
    access_token_client.cache.clear()
    simulator = Simulator(orders=300, listings=40, time_scale=300.0).start()
    yield simulator
    simulator.stop()
    access_token_client.cache.clear()


@pytest.fixture
def window(qtbot, make_ctx, empty_database, sim):  # type: ignore[no-untyped-def]
    from kinxpro_desktop.services.privacy import PrivacyService

    account = AccountSync(
        empty_database, MemorySecretStore(), endpoint=sim.base_url, fixed_credentials=creds_for(sim)
    )
    controller = SyncController(account, interval_ms=600_000, first_retry_ms=600_000)
    w = MainWindow(make_ctx(privacy=PrivacyService(empty_database), sync=controller))
    qtbot.addWidget(w)
    w.show()
    w.refresh_all()
    controller.start(first_delay_ms=600_000)
    yield w
    assert controller.stop(20_000)


def test_sync_now_fills_the_tables_and_status_bar(qtbot, window, empty_database) -> None:  # type: ignore[no-untyped-def]
    controller = window._ctx.sync
    events: list[str] = []
    timer = QTimer()
    timer.timeout.connect(lambda: events.append("tick"))
    timer.start(5)
    controller.progress.connect(lambda _u: events.append("progress"))
    with qtbot.waitSignal(controller.finished, timeout=60_000) as done:
        window.sync_action.trigger()
    timer.stop()
    report = done.args[0]
    assert report.orders_upserted >= 300
    # The event loop kept turning while the sync ran: timer ticks between its progress reports.
    first, last = events.index("progress"), len(events) - 1 - events[::-1].index("progress")
    assert "tick" in events[first:last]
    stored = empty_database.orders.count()
    assert stored >= 300  # upserts count an order again when report and search overlap
    qtbot.waitUntil(lambda: window.listings_tab.model.rowCount() > 0, timeout=10_000)
    # The Orders tab was hidden: its refresh waited, and runs when the seller opens it.
    assert window.orders_tab.model.deferred
    window.tabs.setCurrentWidget(window.orders_tab)
    qtbot.waitUntil(lambda: window.orders_tab.model.rowCount() == stored, timeout=10_000)
    qtbot.waitUntil(lambda: window.orders_tab.count_label.text() != "", timeout=10_000)
    # The status bar and the tab count agree (upserts are in the tooltip only).
    count = window.orders_tab.count_label.text().split()[0]
    qtbot.waitUntil(lambda: window.sync_status.phase.text().startswith("Synced · "), timeout=5000)
    assert f"{count} orders" in window.sync_status.phase.text()
    assert "last sync" in window.sync_status.health.text()
    assert empty_database.audit.latest("sync") is not None


def test_a_failing_sync_shows_its_message(qtbot, window, sim) -> None:  # type: ignore[no-untyped-def]
    sim.set_faults("lwa:invalid-grant")
    controller = window._ctx.sync
    with qtbot.waitSignal(controller.failed, timeout=60_000) as failed:
        window.sync_action.trigger()
    assert "reconnect" in failed.args[0].lower() or "refresh token" in failed.args[0].lower()
    assert window.sync_status.phase.text() == "Sync failed"
    assert "Sync failed" in window.sync_status.health.text()
    assert controller.health.next_attempt is not None  # still scheduled


def test_a_second_sync_keeps_the_sellers_place(qtbot, window, sim) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QItemSelectionModel

    from kinxpro_desktop.ui.tabs.orders import MASKED

    controller = window._ctx.sync
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        window.sync_action.trigger()
    tab = window.orders_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=10_000)
    qtbot.waitUntil(lambda: tab.model.row_object(0) is not None, timeout=10_000)
    held = None
    for row in range(min(tab.model.rowCount(), 200)):
        qtbot.waitUntil(lambda r=row: tab.model.row_object(r) is not None, timeout=5000)
        if tab.model.row_object(row).has_buyer_data:
            held = row
            break
    assert held is not None, "the simulator has merchant orders to ship"
    order_id = tab.model.key_at(held)
    tab.table.selectionModel().select(
        tab.model.index(held, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.waitUntil(lambda: tab.detail.detail is not None, timeout=5000)
    tab.detail.reveal_button.click()
    qtbot.waitUntil(lambda: tab.detail.name_label.text() != MASKED, timeout=5000)
    revealed = tab.detail.name_label.text()
    resets: list[bool] = []
    tab.model.modelReset.connect(lambda: resets.append(True))
    loaded: list[int] = []
    tab.model.loaded.connect(loaded.append)
    before = tab.model.rowCount()
    sim.advance(3 * 3600)  # new orders arrive at Amazon, others move on
    with qtbot.waitSignal(controller.finished, timeout=60_000) as done:
        window.sync_action.trigger()  # the scheduled sync, every 5 minutes (60 s in the demo)
    assert done.args[0].orders_upserted > 0
    assert done.args[0].order_ids  # the rows to refresh are named
    qtbot.waitUntil(lambda: bool(loaded), timeout=10_000)
    qtbot.wait(100)
    assert tab.model.rowCount() > before
    selected = tab.table.selectionModel().selectedRows()
    assert [tab.model.key_at(i.row()) for i in selected] == [order_id]
    assert tab.detail.order_id == order_id
    assert tab.detail.name_label.text() == revealed
    assert resets == []
