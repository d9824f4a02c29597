"""The Reports tab: the dashboard, and Amazon reports (request a type for a date range, find
settlements, refresh chosen types automatically, the runs with status, time and rows, export
a run's rows). Everything that touches the store or Amazon runs on the task runner."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.vocabulary import Actor
from kinxpro_desktop.services.report_schedule import ScheduledRun
from kinxpro_desktop.services.reports import KINDS, SETTLEMENT, ReportOutcome, ReportRun
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.rows import RowsModel
from kinxpro_desktop.ui.tabs.report_schedule import ScheduleControl
from kinxpro_desktop.ui.widgets.dashboard import DashboardView, named
from kinxpro_desktop.ui.widgets.export_button import ExportButton

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("#", "Report", "Marketplace", "Status", "Requested", "Rows", "Message")
STATUS_WORDS = {
    "REQUESTED": "Requested",
    "IN_QUEUE": "Waiting at Amazon",
    "IN_PROGRESS": "Amazon is building it",
    "DONE": "Done",
    "CANCELLED": "No data (cancelled)",
    "FATAL": "Failed at Amazon",
    "FAILED": "Failed",
}


class RunsModel(RowsModel):
    COLUMNS = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs: list[ReportRun] = []

    def set_runs(self, runs: list[ReportRun]) -> None:
        self.beginResetModel()
        self.runs = list(runs)
        self.endResetModel()

    def row_count(self) -> int:
        return len(self.runs)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.runs):
            return None
        run = self.runs[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            kind = KINDS.get(run.report_type)
            values = (
                str(run.run_id),
                kind.label if kind else run.report_type,
                market_label(run.marketplace_id) if run.marketplace_id else "",
                STATUS_WORDS.get(run.status, run.status),
                fmt.local_datetime(run.requested_at),
                fmt.number(run.row_count),
                run.error,
            )
            return values[col] if 0 <= col < len(values) else None
        if role == Qt.ItemDataRole.ToolTipRole and col in (1, 6):
            return run.error or run.report_type
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


#: how often the window looks for scheduled reports that are due
SCHEDULE_CHECK_MS = 10 * 60 * 1000


def _utc(d: QDate, *, end: bool = False) -> datetime:
    day = datetime.combine(d.toPython(), time(0), tzinfo=UTC)  # type: ignore[arg-type]
    return day + timedelta(days=1) if end else day


class AmazonReportsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.kind = named(QComboBox(), "reportType")
        for k in KINDS.values():
            if k.requestable:
                self.kind.addItem(k.label, k.report_type)
        today = QDate.currentDate()
        self.start = named(QDateEdit(today.addDays(-30)), "reportFrom")
        self.end = named(QDateEdit(today), "reportTo")
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
        self.request_button = named(QPushButton("Request report"), "requestReport")
        self.settlements_button = named(QPushButton("Find settlements"), "findSettlements")
        self.message = named(QLabel(), "reportMessage")
        self.message.setWordWrap(True)
        self.model = RunsModel(self)
        self.table = named(QTableView(), "reportRuns")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.export = ExportButton(ctx, "report-rows", run_id=self.selected_run_id)
        self.auto = ScheduleControl(ctx, "reportSchedule", "Refresh automatically")
        self.auto_settlements = ScheduleControl(ctx, "settlementSchedule", "Find automatically")
        for control in (self.auto, self.auto_settlements):  # the service checks it too
            control.setVisible(ctx.access.can(Permission.SYNC))
        self.schedule_timer = QTimer(self)
        self.schedule_timer.timeout.connect(self.check_schedule)
        self._schedule_busy = False
        self._bound = False

        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind.setMinimumContentsLength(16)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Report"))
        bar.addWidget(self.kind, 1)
        bar.addWidget(QLabel("From"))
        bar.addWidget(self.start)
        bar.addWidget(QLabel("to"))
        bar.addWidget(self.end)
        bar.addWidget(self.request_button)
        actions = QHBoxLayout()
        actions.addWidget(self.settlements_button)
        actions.addWidget(self.auto_settlements)
        actions.addStretch(1)
        actions.addWidget(QLabel("Selected run:"))
        actions.addWidget(self.export)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.auto)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.request_button.clicked.connect(self.request)
        self.settlements_button.clicked.connect(self.find_settlements)
        self._kind_changed()

    def selected_run_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return self.model.runs[rows[0].row()].run_id
        return self.model.runs[0].run_id if self.model.runs else None

    def _kind_changed(self) -> None:
        kind = KINDS[str(self.kind.currentData())]
        self.start.setEnabled(kind.ranged)
        self.end.setEnabled(kind.ranged)
        if self._bound:
            self.auto.bind(kind.report_type)

    def reload(self) -> None:
        self._ctx.runner.submit(self._ctx.reports.runs, on_done=self.model.set_runs)
        self._bound = True
        self.auto.bind(str(self.kind.currentData()))
        self.auto_settlements.bind(SETTLEMENT)

    # -- scheduled refresh (checked at launch and every 10 minutes, run on the runner) ----
    def start_schedule(self, interval_ms: int = SCHEDULE_CHECK_MS) -> None:
        """Check now (the window opens after unlock) and then every `interval_ms`."""
        self.schedule_timer.start(interval_ms)
        self.check_schedule()

    def check_schedule(self) -> None:
        if self._schedule_busy:
            return  # the last check is still running: one at a time
        self._schedule_busy = True
        self._ctx.runner.submit(
            self._ctx.reports.schedule.due_now, on_done=self._due, on_error=self._schedule_failed
        )

    def _due(self, due: list[str]) -> None:
        if not due:
            self._schedule_busy = False
            return
        schedule = self._ctx.reports.schedule
        self.message.setText(f"Scheduled refresh: {len(due)} report(s) due…")
        self._ctx.runner.submit_job(
            lambda token, progress: schedule.run_due(
                actor=Actor.SYSTEM, cancel=token, progress=progress
            ),
            on_done=self._scheduled,
            on_error=self._schedule_failed,
            kind="net",
        )

    def _scheduled(self, results: list[ScheduledRun]) -> None:
        self._schedule_busy = False
        failed = [r for r in results if not r.ok]
        if results:
            text = f"Scheduled refresh: {len(results) - len(failed)} of {len(results)} done."
            if failed:
                text += f" {KINDS[failed[0].report_type].label}: {failed[0].message}"
            self.message.setText(text)
            self._ctx.events.audit_changed.emit()
        self.reload()

    def _schedule_failed(self, exc: BaseException) -> None:
        self._schedule_busy = False
        text = exc.message if isinstance(exc, UserError) else f"Failed ({type(exc).__name__})."
        self.message.setText(f"Scheduled refresh: {text}")

    def _busy(self, busy: bool, text: str = "") -> None:
        self.request_button.setEnabled(not busy)
        self.settlements_button.setEnabled(not busy)
        if text:
            self.message.setText(text)

    def request(self) -> None:
        report_type = str(self.kind.currentData())
        start, end = _utc(self.start.date()), _utc(self.end.date(), end=True)
        reports, actor = self._ctx.reports, self._ctx.actor
        self._busy(True, f"Requesting {KINDS[report_type].label} from Amazon…")
        self._ctx.runner.submit_job(
            lambda token, progress: reports.request(
                report_type, start=start, end=end, actor=actor, cancel=token, progress=progress
            ),
            on_done=self._requested,
            on_error=self._failed,
            on_progress=lambda u: self.message.setText(f"{u.phase}…"),
            kind="net",
        )

    def find_settlements(self) -> None:
        reports, actor = self._ctx.reports, self._ctx.actor
        self._busy(True, "Looking for settlement reports at Amazon…")
        self._ctx.runner.submit_job(
            lambda token, progress: reports.find_settlements(
                actor=actor, cancel=token, progress=progress
            ),
            on_done=lambda found: self._settled(found),
            on_error=self._failed,
            kind="net",
        )

    def _requested(self, outcome: ReportOutcome) -> None:
        self._busy(False, outcome.message)
        self.reload()
        self._ctx.events.audit_changed.emit()

    def _settled(self, found: list[ReportOutcome]) -> None:
        rows = sum(o.run.row_count for o in found)
        self._busy(False, f"{len(found)} new settlement reports stored ({rows} rows).")
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        text = exc.message if isinstance(exc, UserError) else f"Failed ({type(exc).__name__})."
        self._busy(False, text)
        self.reload()


class ReportsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsTab")
        self.dashboard = DashboardView(ctx)
        self.amazon = AmazonReportsView(ctx)
        self.pages = named(QTabWidget(), "reportsPages")
        self.pages.addTab(self.dashboard, "Dashboard")
        self.pages.addTab(self.amazon, "Amazon reports")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._loaded = False
        ctx.events.data_changed.connect(self._data_changed)

    def _data_changed(self, _changes: object) -> None:
        if self._loaded:
            self.refresh()

    def refresh(self) -> None:
        self.dashboard.refresh()
        self.amazon.reload()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._loaded:
            self._loaded = True
            self.refresh()
