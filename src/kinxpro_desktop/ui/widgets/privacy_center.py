"""Privacy center panel: compliance report, incident report, disposal receipts, backup, the
wipe-while-closed job, and security alerts checked every minute. Every action runs on the task
runner; this widget only asks for a file name and shows results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.services.privacy_center import JobState, PrivacyCenter
from kinxpro_desktop.tasks.runner import TaskRunner

ALERT_CHECK_MS = 60_000
AskPath = Callable[[str, str], str | None]


def _ask_save_path(parent: QWidget) -> AskPath:
    def ask(title: str, suggested: str) -> str | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, suggested)
        return name or None

    return ask


def _day(edit: QDateEdit) -> datetime:
    d = edit.date()
    return datetime(d.year(), d.month(), d.day(), tzinfo=UTC)


class PrivacyCenterPanel(QGroupBox):
    """`ask_path` is replaceable (tests); `alerts_shown` fires with each batch of alerts."""

    alerts_shown = Signal(object)  # tuple[str, ...]

    def __init__(
        self,
        center: PrivacyCenter,
        runner: TaskRunner,
        *,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Privacy center", parent)
        self.setObjectName("privacyCenter")
        self._center = center
        self._runner = runner
        self.ask_path: AskPath = _ask_save_path(self)
        self.message_box: QMessageBox | None = None

        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        self.job_label = QLabel("…")
        self.job_label.setWordWrap(True)
        self.job_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last_run_label = QLabel("…")
        self.install_button = QPushButton("Set up daily wipe")
        self.remove_button = QPushButton("Remove")
        self.install_button.setEnabled(not demo)
        self.remove_button.setEnabled(not demo)
        self.install_button.setToolTip(
            "Register a daily job with the operating system that deletes buyer data past the "
            "retention window even when Kinxpro is closed."
        )
        self.install_button.clicked.connect(lambda: self._job(self._center.install_wipe_job))
        self.remove_button.clicked.connect(lambda: self._job(self._center.remove_wipe_job))
        jobs = QHBoxLayout()
        jobs.addWidget(QLabel("Wipe while closed:"))
        jobs.addWidget(self.job_label, 1)
        jobs.addWidget(self.install_button)
        jobs.addWidget(self.remove_button)
        layout.addLayout(jobs)
        last = QHBoxLayout()
        last.addWidget(QLabel("Last scheduled run:"))
        last.addWidget(self.last_run_label, 1)
        layout.addLayout(last)

        today = QDate.currentDate()
        self.from_edit = QDateEdit(today.addDays(-7))
        self.to_edit = QDateEdit(today)
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.compliance_button = QPushButton("Compliance report…")
        self.incident_button = QPushButton("Incident report…")
        self.receipts_button = QPushButton("Disposal receipts…")
        self.backup_button = QPushButton("Backup without buyer data…")
        self.compliance_button.clicked.connect(lambda: self.compliance_report())
        self.incident_button.clicked.connect(lambda: self.incident_report())
        self.receipts_button.clicked.connect(lambda: self.receipts())
        self.backup_button.clicked.connect(lambda: self.backup())
        actions = QHBoxLayout()
        actions.addWidget(self.compliance_button)
        actions.addWidget(self.backup_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        period = QHBoxLayout()
        period.addWidget(QLabel("Audit period:"))
        period.addWidget(self.from_edit)
        period.addWidget(QLabel("to"))
        period.addWidget(self.to_edit)
        period.addWidget(self.incident_button)
        period.addWidget(self.receipts_button)
        period.addStretch(1)
        layout.addLayout(period)
        self.result_label = QLabel("")
        self.result_label.setObjectName("privacyCenterResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)

        self.alert_timer = QTimer(self)
        self.alert_timer.setInterval(ALERT_CHECK_MS)
        self.alert_timer.timeout.connect(self.check_alerts)
        self.alert_timer.start()

    @classmethod
    def for_context(cls, ctx: AppContext, parent: QWidget | None = None) -> PrivacyCenterPanel:
        """The panel for the window: the role and key mode the context was built with."""
        center = PrivacyCenter(ctx.privacy, key_mode=ctx.key_mode, actor=ctx.actor)
        return cls(center, ctx.runner, demo=ctx.demo, parent=parent)

    def scrollable(self) -> QScrollArea:
        """The panel in a frameless scroll area, so it never raises the tab's minimum size."""
        area = QScrollArea()
        area.setObjectName("privacyCenterArea")
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidgetResizable(True)
        area.setWidget(self)
        area.setMaximumHeight(self.sizeHint().height() + 2)
        return area

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._runner.submit(self._center.wipe_job, on_done=self._show_job, on_error=self._error)

    def _show_job(self, state: JobState) -> None:
        self.job_label.setText(state.outcome.message)
        self.remove_button.setEnabled(self.install_button.isEnabled() and state.outcome.installed)
        last = state.last
        self.last_run_label.setText(
            "never"
            if last is None
            else f"{last.at.astimezone():%Y-%m-%d %H:%M}: {last.orders} orders, "
            f"{last.labels} labels"
        )

    def _job(self, action: Callable[[], JobState]) -> None:
        self._runner.submit(action, on_done=self._job_done, on_error=self._error)

    def _job_done(self, state: JobState) -> None:
        self._show_job(state)
        self.result_label.setText(state.outcome.message)

    # -- documents --------------------------------------------------------------------------
    def _target(self, title: str, name: str) -> Path | None:
        chosen = self.ask_path(title, str(Path.home() / name))
        return Path(chosen) if chosen else None

    def _period(self) -> tuple[datetime, datetime] | None:
        start, end = _day(self.from_edit), _day(self.to_edit) + timedelta(days=1)
        if end <= start:
            self.result_label.setText("The period ends before it starts: choose a later 'to'.")
            return None
        return start, end

    def compliance_report(self) -> None:
        out = self._target("Save the compliance report", "kinxpro-compliance.pdf")
        if out is not None:
            self._runner.submit(
                self._center.compliance_report,
                out,
                on_done=lambda p: self.result_label.setText(f"Compliance report saved: {p}"),
                on_error=self._error,
            )

    def incident_report(self) -> None:
        period = self._period()
        out = period and self._target("Save the incident report", "kinxpro-incident.pdf")
        if period and out:
            self._runner.submit(
                self._center.incident_report,
                *period,
                out,
                on_done=lambda i: self.result_label.setText(
                    f"Incident report saved: {out}. {len(i.order_ids)} orders affected; notify "
                    f"security@amazon.com by {i.deadline.astimezone():%Y-%m-%d %H:%M}."
                ),
                on_error=self._error,
            )

    def receipts(self) -> None:
        period = self._period()
        out = period and self._target("Save the disposal receipts", "kinxpro-receipts.pdf")
        if period and out:
            self._runner.submit(
                self._center.receipts,
                *period,
                out,
                on_done=lambda n: self.result_label.setText(f"{n} disposal receipts saved: {out}"),
                on_error=self._error,
            )

    def backup(self) -> None:
        out = self._target("Save the backup", "kinxpro.kxbackup")
        if out is not None:
            self._runner.submit(
                self._center.backup, out, on_done=self._backup_done, on_error=self._error
            )

    def _backup_done(self, made: object) -> None:
        code = getattr(made, "recovery_code", "")
        self.result_label.setText(f"Backup saved: {getattr(made, 'path', '')} (no buyer data).")
        self._show_box(
            "Backup recovery code",
            "Write this code down and keep it apart from the file. It is shown only now; "
            f"without it the backup cannot be restored.\n\n{code}",
            QMessageBox.Icon.Information,
        )

    # -- alerts -----------------------------------------------------------------------------
    def check_alerts(self) -> None:
        self._runner.submit(self._center.check_alerts, on_done=self._alerts, on_error=self._error)

    def _alerts(self, alerts: tuple[str, ...]) -> None:
        if alerts:
            self._show_box("Security alert", "\n\n".join(alerts), QMessageBox.Icon.Warning)
            self.alerts_shown.emit(alerts)

    def _show_box(self, title: str, text: str, icon: QMessageBox.Icon) -> None:
        box = QMessageBox(icon, title, text, parent=self)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_box = box
        box.open()

    def _error(self, exc: BaseException) -> None:
        text = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__} (see the log)"
        self.result_label.setText(text)
