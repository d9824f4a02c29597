"""The sync controller: runs off the GUI thread, reports progress, never stops silently."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QTimer

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.core.sync import BucketState, SyncReport
from kinxpro_desktop.tasks.sync import SyncController


class PagedRunner:
    """Walks `pages` pages of work, checking the cancel token between pages like sync does."""

    def __init__(self, pages: int = 5, page_seconds: float = 0.02) -> None:
        self.pages = pages
        self.page_seconds = page_seconds
        self.threads: list[threading.Thread] = []
        self.pages_done = 0
        self.failures: list[BaseException] = []
        self.new_orders: tuple[str, ...] = ()

    def run(self, cancel: CancelToken, progress: ProgressFn) -> SyncReport:
        self.threads.append(threading.current_thread())
        if self.failures:
            raise self.failures.pop(0)
        started = datetime.now(UTC)
        for page in range(self.pages):
            cancel.check()
            time.sleep(self.page_seconds)
            self.pages_done += 1
            progress(ProgressUpdate("Orders", page + 1, self.pages))
        return SyncReport(
            started,
            datetime.now(UTC),
            orders_upserted=self.pages * 100,
            new_mfn_order_ids=self.new_orders,
        )

    def rate_limits(self) -> list[BucketState]:
        return [BucketState("searchOrders", 0.0056, 20, 19.0, None, calls=1)]


@pytest.fixture
def controller(qtbot):  # type: ignore[no-untyped-def]
    made: list[SyncController] = []

    def make(runner: PagedRunner, **kw: int) -> SyncController:
        c = SyncController(runner, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        assert c.stop(10_000)


def test_sync_runs_on_its_own_thread_and_reports_progress(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    runner = PagedRunner(pages=4)
    c = controller(runner, interval_ms=60_000)
    seen: list[ProgressUpdate] = []
    c.progress.connect(seen.append)
    c.start(first_delay_ms=60_000)
    with qtbot.waitSignal(c.finished, timeout=5000) as done:
        assert c.sync_now()
        assert not c.sync_now()  # one at a time
    assert done.args[0].orders_upserted == 400
    assert runner.threads[0] is not threading.main_thread()
    assert [u.percent for u in seen if u.total] == [25, 50, 75, 100]
    assert c.health.last_success is not None and c.health.consecutive_failures == 0
    assert c.health.next_attempt is not None
    assert (c.health.next_attempt - datetime.now(UTC)).total_seconds() > 50


def test_gui_keeps_running_during_a_long_sync(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    c = controller(PagedRunner(pages=10, page_seconds=0.05))
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    c.start(first_delay_ms=60_000)
    with qtbot.waitSignal(c.finished, timeout=5000):
        c.sync_now()
    timer.stop()
    assert len(ticks) >= 20


def test_cancel_stops_within_one_page(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    runner = PagedRunner(pages=100, page_seconds=0.05)
    c = controller(runner, interval_ms=60_000)
    c.start(first_delay_ms=60_000)
    with qtbot.waitSignal(c.progress, timeout=5000, check_params_cb=lambda u: u.done >= 2):
        c.sync_now()
    with qtbot.waitSignal(c.cancelled, timeout=5000):
        done_at_cancel = runner.pages_done
        c.cancel()
    assert runner.pages_done - done_at_cancel <= 1
    assert not c.running
    assert c.health.next_attempt is not None  # the schedule goes on


def test_failures_are_shown_retried_with_backoff_and_recover(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    runner = PagedRunner(pages=1)
    runner.failures = [
        UserError("Amazon no longer accepts this refresh token: reconnect the account."),
        OSError("network unreachable"),
    ]
    c = controller(runner, interval_ms=60_000, first_retry_ms=50)
    messages: list[str] = []
    c.failed.connect(messages.append)
    with qtbot.waitSignal(c.finished, timeout=10_000):
        c.start()
    assert messages == [
        "Amazon no longer accepts this refresh token: reconnect the account.",
        "OSError (details in the log)",
    ]
    assert len(runner.threads) == 3  # two failures, each retried automatically, then success
    assert c.health.consecutive_failures == 0 and c.health.last_error == ""


def test_health_after_a_failure_names_the_error(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    runner = PagedRunner(pages=1)
    runner.failures = [UserError("The SP-API endpoint refused the connection.")]
    c = controller(runner, interval_ms=60_000, first_retry_ms=30_000)
    with qtbot.waitSignal(c.failed, timeout=5000):
        c.start()
    assert c.health.consecutive_failures == 1
    assert "refused the connection" in c.health.describe()
    wait = (c.health.next_attempt - datetime.now(UTC)).total_seconds()  # type: ignore[operator]
    assert 20 < wait <= 30


def test_new_merchant_orders_raise_a_notification(qtbot, make_ctx, controller) -> None:  # type: ignore[no-untyped-def]
    from kinxpro_desktop.ui.main_window import MainWindow

    runner = PagedRunner(pages=1)
    runner.new_orders = ("113-1", "113-2")
    c = controller(runner, interval_ms=60_000)
    window = MainWindow(make_ctx(sync=c))
    qtbot.addWidget(window)
    window.show()
    assert window.sync_action.isEnabled()
    window.tabs.setCurrentWidget(window.orders_tab)
    reloaded: list[bool] = []
    window.orders_tab.model.loaded.connect(lambda _n: reloaded.append(True))
    c.start(first_delay_ms=60_000)
    with qtbot.waitSignal(c.finished, timeout=5000):
        window.sync_action.trigger()
    assert window.notifications == [
        ("New orders to ship", "2 new merchant-fulfilled orders need shipping.")
    ]
    qtbot.waitUntil(lambda: bool(reloaded), timeout=5000)  # tables refresh after a sync
    # The status bar counts what the store holds, as the tables do (not upserts).
    qtbot.waitUntil(lambda: window.sync_status.phase.text() != "Synced", timeout=5000)
    assert window.sync_status.phase.text() == "Synced · 60 orders, 0 listings"
    assert "100 order updates" in window.sync_status.phase.toolTip()
