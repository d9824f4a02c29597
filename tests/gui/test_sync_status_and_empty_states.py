"""The sync-status dialog in words, with a Close button; empty states that match the state."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QDialogButtonBox

from kinxpro_desktop.core.progress import CancelToken, ProgressFn
from kinxpro_desktop.core.sync import BucketState, SyncReport
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.tasks.sync import SyncController
from kinxpro_desktop.ui.dialogs.rate_limits import RateLimitDialog, limit_words
from kinxpro_desktop.ui.main_window import MainWindow
from kinxpro_desktop.ui.tabs.empty import EmptyStateTab


class HeldRunner:
    """A sync that runs until released, with a searchOrders bucket that is waiting."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()

    def run(self, cancel: CancelToken, progress: ProgressFn) -> SyncReport:
        self.started.set()
        while not self.release.wait(0.01):
            cancel.check()
        now = datetime.now(UTC)
        return SyncReport(now, now)

    def rate_limits(self) -> list[BucketState]:
        later = datetime.now(UTC) + timedelta(seconds=130)
        return [
            BucketState("searchOrders", 0.0056, 20, 0.2, later, calls=21, throttled=1),
            BucketState("getOrder", 0.5, 30, 29.0, None, calls=1),
        ]


def test_sync_status_dialog_says_what_waits_on_which_limit(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = HeldRunner()
    c = SyncController(runner, interval_ms=600_000)
    try:
        c.start(first_delay_ms=600_000)
        dialog = RateLimitDialog(c)
        qtbot.addWidget(dialog)
        text = dialog.health.text()
        assert "Finding new and changed orders waits 2 min" in text
        assert "Amazon allows 1 call every 3 min, up to 20 at once" in text
        assert "refused 1 call as too frequent" in text
        assert dialog.table.item(0, 0).text() == "Finding new and changed orders"
        assert dialog.table.item(0, 2).text().startswith("Waiting 2 min")
        assert dialog.table.item(1, 2).text() == "Ready (29 calls left in the burst)"
        assert "searchOrders" in dialog.table.item(0, 0).toolTip()  # raw names for support
        close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
        assert close is not None
        dialog.show()
        close.click()
        assert not dialog.isVisible()
    finally:
        runner.release.set()
        assert c.stop(10_000)


def test_limit_words() -> None:
    assert limit_words(BucketState("getReport", 2.0, 15, 15, None)) == (
        "2 calls a second, up to 15 at once"
    )
    assert limit_words(BucketState("getOrder", 0.5, 30, 30, None)) == (
        "1 call every 2 s, up to 30 at once"
    )


def test_empty_states_match_not_connected_then_syncing(qtbot, make_ctx, empty_database) -> None:  # type: ignore[no-untyped-def]
    runner = HeldRunner()
    c = SyncController(runner, interval_ms=600_000)
    window = MainWindow(make_ctx(privacy=PrivacyService(empty_database), sync=c))
    qtbot.addWidget(window)
    window.show()
    window.refresh_all()
    orders, listings = window.orders_tab, window.listings_tab
    qtbot.waitUntil(lambda: orders.count_label.text() == "0 orders", timeout=5000)
    assert "Account ▸ Connect" in orders.empty.body  # not connected: say how
    placeholders = [
        t for t in (window.labels_tab, window.reports_tab) if isinstance(t, EmptyStateTab)
    ]
    assert all("Connect an account" in t.body for t in placeholders)
    try:
        c.start(first_delay_ms=600_000)  # connected, the first sync not started yet
        qtbot.waitUntil(lambda: orders.empty.state == "waiting", timeout=5000)
        assert "after the first sync" in orders.empty.body
        assert "No orders in the last 90 days" not in orders.empty.body
        assert "Not synced yet" in window.sync_status.health.text()
        c.sync_now()  # the first (demo) sync
        qtbot.waitUntil(runner.started.is_set, timeout=5000)
        qtbot.waitUntil(lambda: orders.empty.state == "syncing", timeout=5000)
        for tab in (orders, listings):
            assert tab.stack.currentWidget() is tab.empty
            assert "Syncing" in tab.empty.title
            assert "once an Amazon account is connected" not in tab.empty.body
            assert "demo" not in tab.empty.body.lower()
        runner.release.set()
        qtbot.waitUntil(lambda: orders.empty.state == "connected", timeout=5000)
        assert "Account ▸ Connect" not in orders.empty.body
        assert "Sync now" in orders.empty.body
        for tab in placeholders:  # connected: no "connect first"
            assert "Connect an account" not in tab.body
    finally:
        runner.release.set()
        assert c.stop(10_000)


def test_every_dialog_has_a_close_or_cancel_button(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    from kinxpro_desktop.ui.dialogs.connect import ConnectDialog

    ctx = make_ctx()
    for dialog in (RateLimitDialog(ctx.sync), ConnectDialog(ctx)):
        qtbot.addWidget(dialog)
        roles = {
            box.buttonRole(b)
            for box in dialog.findChildren(QDialogButtonBox)
            for b in box.buttons()
        }
        assert roles & {QDialogButtonBox.ButtonRole.RejectRole}, type(dialog).__name__
