"""Privacy center panel against a real store and task runner: each button's work happens off
the GUI thread and its result shows; alerts appear in a dialog."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kinxpro_desktop.services.backup import parse_recovery_code
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.privacy_center import PrivacyCenter
from kinxpro_desktop.services.wipe_job import WipeJob
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui.widgets.privacy_center import PrivacyCenterPanel


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    assert r.shutdown(10_000)


class Recording(PrivacyCenter):
    """The real center, noting which thread each call ran on."""

    threads: list[str]

    def compliance_report(self, out: Path) -> Path:
        self.threads.append(threading.current_thread().name)
        return super().compliance_report(out)


@pytest.fixture
def panel(
    qtbot: QtBot, database: Database, runner: TaskRunner, tmp_path: Path
) -> PrivacyCenterPanel:
    runtime = tmp_path / "run"
    runtime.mkdir()
    job = WipeJob(
        database.path.parent,
        system="linux",
        env={"HOME": str(tmp_path / "home"), "XDG_RUNTIME_DIR": str(runtime), "PATH": "/usr/bin"},
    )
    center = Recording(PrivacyService(database), key_mode="keyring", wipe_job=job)
    center.threads = []
    widget = PrivacyCenterPanel(center, runner)
    qtbot.addWidget(widget)
    widget.ask_path = lambda _title, name: str(tmp_path / Path(name).name)
    return widget


def test_compliance_report_is_written_off_the_gui_thread(
    qtbot: QtBot, panel: PrivacyCenterPanel, tmp_path: Path
) -> None:
    panel.compliance_button.click()
    qtbot.waitUntil(lambda: "Compliance report saved" in panel.result_label.text(), timeout=20_000)
    assert (tmp_path / "kinxpro-compliance.pdf").read_bytes()[:5] == b"%PDF-"
    center = panel._center
    assert isinstance(center, Recording)
    assert center.threads and center.threads[0] != threading.main_thread().name


def test_incident_report_and_receipts_for_the_period(
    qtbot: QtBot, panel: PrivacyCenterPanel, tmp_path: Path
) -> None:
    panel.incident_button.click()
    qtbot.waitUntil(lambda: "Incident report saved" in panel.result_label.text(), timeout=20_000)
    assert "security@amazon.com" in panel.result_label.text()
    panel.receipts_button.click()
    qtbot.waitUntil(lambda: "disposal receipts saved" in panel.result_label.text(), timeout=20_000)
    assert (tmp_path / "kinxpro-receipts.pdf").is_file()
    panel.to_edit.setDate(panel.from_edit.date().addDays(-1))
    panel.incident_button.click()
    assert "ends before it starts" in panel.result_label.text()


def test_backup_shows_the_recovery_code_once(
    qtbot: QtBot, panel: PrivacyCenterPanel, tmp_path: Path
) -> None:
    panel.backup_button.click()
    qtbot.waitUntil(lambda: panel.message_box is not None, timeout=30_000)
    assert panel.message_box is not None
    code = re.findall(r"[A-Z2-7]{5}(?:-[A-Z2-7]{1,5})+", panel.message_box.text())[0]
    assert len(parse_recovery_code(code)) == 32
    assert (tmp_path / "kinxpro.kxbackup").is_file()
    assert code not in panel.result_label.text()
    panel.message_box.close()


def test_wipe_job_set_up_and_removed(qtbot: QtBot, panel: PrivacyCenterPanel) -> None:
    panel.refresh()
    qtbot.waitUntil(lambda: "No daily wipe job" in panel.job_label.text(), timeout=10_000)
    assert panel.last_run_label.text() == "never"
    panel.install_button.click()
    qtbot.waitUntil(lambda: "systemctl --user enable" in panel.job_label.text(), timeout=10_000)
    assert panel.remove_button.isEnabled()
    panel.remove_button.click()
    qtbot.waitUntil(lambda: "removed" in panel.job_label.text(), timeout=10_000)


def test_security_alert_is_shown_in_a_dialog(qtbot: QtBot, panel: PrivacyCenterPanel) -> None:
    # The seeded store holds 60 days of buyer data that was never wiped.
    with qtbot.waitSignal(panel.alerts_shown, timeout=10_000) as shown:
        panel.check_alerts()
    assert any("past the retention window" in a for a in shown.args[0])
    assert panel.message_box is not None and panel.message_box.isVisible()
    assert "past the retention window" in panel.message_box.text()
    panel.message_box.close()


def test_panel_for_the_window_context(qtbot: QtBot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    ctx = make_ctx()
    widget = PrivacyCenterPanel.for_context(ctx)
    qtbot.addWidget(widget)
    assert widget.install_button.isEnabled()  # keyring mode, not demo
    assert widget.alert_timer.isActive() and widget.alert_timer.interval() == 60_000


def test_privacy_tab_holds_the_panel_and_refreshes_it(qtbot: QtBot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    from kinxpro_desktop.ui.tabs.privacy import PrivacyTab

    tab = PrivacyTab(make_ctx())
    qtbot.addWidget(tab)
    assert tab.findChild(PrivacyCenterPanel, "privacyCenter") is tab.center
    tab.refresh()
    qtbot.waitUntil(lambda: tab.center.job_label.text() != "…", timeout=10_000)
