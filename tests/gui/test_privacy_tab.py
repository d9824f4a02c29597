"""The Privacy tab: live status, retention changes that wipe off the GUI thread, checks."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QTimer

from kinxpro_desktop.core.models import WipeResult
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.ui.main_window import MainWindow
from kinxpro_desktop.ui.models.audit import AuditTableModel


class SlowPrivacy(PrivacyService):
    """The real service, with a slow wipe that records which thread ran it."""

    def __init__(self, db, delay: float) -> None:  # type: ignore[no-untyped-def]
        super().__init__(db)
        self.delay = delay
        self.wipe_threads: list[threading.Thread] = []

    def wipe(self, actor: str = "system") -> WipeResult:
        self.wipe_threads.append(threading.current_thread())
        time.sleep(self.delay)
        return super().wipe(actor)


def show(qtbot, ctx) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.privacy_tab)
    window.privacy_tab.refresh()
    qtbot.waitUntil(lambda: window.privacy_tab.status is not None, timeout=5000)
    return window


def test_status_shows_encryption_retention_and_audit(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    tab = show(qtbot, make_ctx()).privacy_tab
    assert tab.sqlcipher_label.text().startswith("4.")
    assert "AES-256" in tab.cipher_label.text()
    assert tab.key_source_label.text() == "test key"
    assert tab.db_path_label.text() == str(database.path)
    assert tab.retention_spin.value() == 30
    assert tab.retention_spin.minimum() == 1 and tab.retention_spin.maximum() == 30
    assert tab.pii_count_label.text() == "60"
    assert tab.last_wipe_label.text() == "never"
    assert tab.next_wipe_label.text() != "never"


def test_changing_retention_wipes_without_blocking_the_gui(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    privacy = SlowPrivacy(database, delay=0.6)
    tab = show(qtbot, make_ctx(privacy=privacy)).privacy_tab
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    tab.retention_spin.setValue(10)
    started = time.monotonic()
    tab.apply_button.click()
    assert time.monotonic() - started < 0.2  # the click returned at once
    assert not tab.apply_button.isEnabled()
    qtbot.waitUntil(lambda: "Retention saved" in tab.disposal_result.text(), timeout=10_000)
    timer.stop()
    assert privacy.wipe_threads and privacy.wipe_threads[0] is not threading.main_thread()
    assert len([t for t in ticks if t > started]) >= 10  # the event loop kept running
    assert tab.apply_button.isEnabled()
    qtbot.waitUntil(lambda: tab.last_wipe_label.text() != "never", timeout=5000)
    assert privacy.retention_days() == 10
    events = [tab.audit_model.index(r, 2).data() for r in range(tab.audit_model.rowCount())]
    assert "settings_changed" in events and "wipe" in events
    assert database.orders.count_with_pii() < 60


def test_verify_buttons_report_results(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    tab = show(qtbot, make_ctx()).privacy_tab
    tab.verify_chain_button.click()
    qtbot.waitUntil(lambda: "intact" in tab.chain_result.text(), timeout=5000)
    assert tab.chain_result.text().startswith("✔")
    tab.verify_disposal_button.click()
    qtbot.waitUntil(lambda: tab.disposal_result.text().startswith(("✔", "✘")), timeout=5000)
    # The seeded store still holds buyer data past the window until the first wipe.
    assert tab.disposal_result.text().startswith("✘")
    assert "order_pii" in tab.disposal_result.text()
    tab.apply_button.click()
    qtbot.waitUntil(lambda: "Retention saved" in tab.disposal_result.text(), timeout=5000)
    tab.verify_disposal_button.click()
    qtbot.waitUntil(lambda: tab.disposal_result.text().startswith("✔"), timeout=5000)


def test_scheduled_wipe_runs_on_the_runner_as_system(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    privacy = SlowPrivacy(database, delay=0.0)
    window = MainWindow(make_ctx(privacy=privacy, wipe_interval_ms=50))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(privacy.wipe_threads) >= 2, timeout=5000)
    window.wipe_timer.stop()
    assert all(t is not threading.main_thread() for t in privacy.wipe_threads)
    qtbot.waitUntil(lambda: database.audit.latest("wipe") is not None, timeout=5000)
    assert database.audit.latest("wipe").actor == "system"
    assert database.orders.count_with_pii() == 30


def test_a_failing_wipe_is_shown_not_swallowed(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    class Broken(PrivacyService):
        def wipe(self, actor: str = "system") -> WipeResult:
            raise OSError("disk full")

    window = MainWindow(make_ctx(privacy=Broken(database)))
    qtbot.addWidget(window)
    window.run_scheduled_wipe()
    qtbot.waitUntil(
        lambda: "Scheduled wipe failed" in window.statusBar().currentMessage(), timeout=5000
    )


def test_audit_model_is_a_well_behaved_qt_model(qtmodeltester, database) -> None:  # type: ignore[no-untyped-def]
    database.audit.append("unlock", "owner")
    database.audit.append("wipe", "system", ("111-1",), {"orders": 3})
    model = AuditTableModel()
    model.set_entries(database.audit.entries())
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.index(0, 2).data() == "wipe"
