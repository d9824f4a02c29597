"""The Privacy tab: live status, retention changes that wipe off the GUI thread, checks."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox

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


def confirm(qtbot, tab, yes: bool = True) -> str:  # type: ignore[no-untyped-def]
    """Answer the "Apply and wipe" question; returns its text."""
    qtbot.waitUntil(lambda: tab.confirm_box is not None, timeout=5000)
    box = tab.confirm_box
    text = box.text()
    if yes:
        button = next(
            b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
        )
    else:
        button = box.button(QMessageBox.StandardButton.Cancel)
    button.click()
    return text


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
    assert tab.retention_spin.text() == "30 days"
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
    tab.apply_button.click()
    question = confirm(qtbot, tab)
    assert "Keep buyer data for 10 days?" in question
    assert "The buyer data of 50 orders placed more than 10 days ago is deleted" in question
    clicked = len(ticks)
    # The click returned before the 0.6 s wipe finished: the wipe runs on the task runner.
    assert "Retention saved" not in tab.disposal_result.text()
    assert not tab.apply_button.isEnabled()
    qtbot.waitUntil(lambda: "Retention saved" in tab.disposal_result.text(), timeout=10_000)
    timer.stop()
    assert privacy.wipe_threads and privacy.wipe_threads[0] is not threading.main_thread()
    assert len(ticks) - clicked >= 10  # the event loop kept running during the wipe
    assert tab.apply_button.isEnabled()
    qtbot.waitUntil(lambda: tab.last_wipe_label.text() != "never", timeout=5000)
    assert privacy.retention_days() == 10
    events = [
        tab.audit_model.index(r, 2).data(Qt.ItemDataRole.UserRole)
        for r in range(tab.audit_model.rowCount())
    ]
    assert "settings_changed" in events and "wipe" in events
    details = [tab.audit_model.index(r, 5).data() for r in range(tab.audit_model.rowCount())]
    assert "Buyer data retention: 30 days → 10 days" in details
    assert any(d.startswith("Deleted buyer data of 50 orders") for d in details)
    assert not any(d.startswith("{") for d in details)  # words, not raw JSON
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
    confirm(qtbot, tab)
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
    assert model.index(0, 2).data() == "Retention wipe"
    assert model.index(0, 5).data().startswith("Deleted buyer data of 3 orders")
    assert model.index(0, 3).data() == "Kinxpro (scheduled)"


def test_typed_retention_out_of_range_is_refused_in_words(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    tab = show(qtbot, make_ctx()).privacy_tab
    tab.retention_spin.setFocus()
    tab.retention_spin.selectAll()
    qtbot.keyClicks(tab.retention_spin.lineEdit(), "40")
    assert tab.retention_spin.value() == 40  # not silently turned into 4
    assert "1 to 30 days" in tab.retention_error.text()
    assert not tab.apply_button.isEnabled()
    tab.retention_spin.selectAll()
    qtbot.keyClicks(tab.retention_spin.lineEdit(), "1")
    assert tab.retention_spin.text() == "1 day"  # not "1 days"
    assert tab.retention_error.text() == "" and tab.apply_button.isEnabled()


def test_apply_and_wipe_asks_first_and_cancel_keeps_everything(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    tab = show(qtbot, make_ctx()).privacy_tab
    tab.retention_spin.setValue(7)
    tab.apply_button.click()
    question = confirm(qtbot, tab, yes=False)
    assert "Keep buyer data for 7 days?" in question
    assert "orders placed more than 7 days ago" in question
    assert tab.disposal_result.text() == "Retention unchanged."
    assert database.orders.count_with_pii() == 60
    assert tab._ctx.privacy.retention_days() == 30
