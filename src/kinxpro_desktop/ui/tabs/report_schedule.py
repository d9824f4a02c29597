"""The Reports tab's "Refresh automatically" control for one report type: on/off, the
interval its regeneration limit allows, the next due time in local time. The schedule is
read and stored on the task runner (ReportService.schedule), never on the GUI thread."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.services.report_schedule import ScheduleEntry, choices_for, describe
from kinxpro_desktop.services.reports import KINDS
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.widgets.dashboard import named

#: a last automatic run that did not end well, in the seller's words
_NOT_WELL = {
    "CANCELLED": "no data",
    "FATAL": "failed at Amazon",
    "FAILED": "failed",
    "PARTIAL": "some marketplaces failed",
}


class ScheduleControl(QWidget):
    """ "Refresh automatically" for one report type (the one chosen beside it, or a fixed
    one): on/off, the interval its regeneration limit allows, the next due time in local
    time. Changes are stored on the task runner; `changed` carries the stored entry."""

    changed = Signal(object)  # ScheduleEntry

    def __init__(
        self, ctx: AppContext, name: str, text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.report_type = ""
        self.entry: ScheduleEntry | None = None
        self.enabled_box = named(QCheckBox(text), f"{name}Auto")
        self.every = named(QComboBox(), f"{name}Every")
        self.next_label = named(QLabel(), f"{name}Next")
        self.next_label.setWordWrap(True)  # the last run's per-marketplace summary
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.enabled_box)
        row.addWidget(self.every)
        row.addWidget(self.next_label, 1)
        self.enabled_box.toggled.connect(lambda _on: self._store())
        self.every.activated.connect(lambda _i: self._store())

    def bind(self, report_type: str) -> None:
        """Show this type's schedule (loaded on the task runner)."""
        self.report_type = report_type
        self.entry = None
        with _quiet(self.every, self.enabled_box):
            self.every.clear()
            for every in choices_for(KINDS[report_type]):
                self.every.addItem(describe(every).capitalize(), _minutes(every))
            self.enabled_box.setChecked(False)
        self.setEnabled(False)
        self.next_label.setText("")
        self._ctx.runner.submit(
            self._ctx.reports.schedule.entry, report_type, on_done=self.show_entry
        )

    def show_entry(self, entry: ScheduleEntry) -> None:
        if entry.report_type != self.report_type:
            return  # an answer for a type no longer shown
        self.entry = entry
        with _quiet(self.every, self.enabled_box):
            self.enabled_box.setChecked(entry.enabled)
            index = self.every.findData(_minutes(entry.every)) if entry.every else 0
            self.every.setCurrentIndex(max(index, 0))
        self.every.setEnabled(entry.enabled)
        self.setEnabled(True)
        self.next_label.setText(_next_text(entry))
        self.next_label.setToolTip(entry.last_message)

    def _store(self) -> None:
        minutes = self.every.currentData()
        on = self.enabled_box.isChecked() and isinstance(minutes, int)
        every = timedelta(minutes=minutes) if on else None
        self.setEnabled(False)
        self._ctx.runner.submit(
            self._ctx.reports.schedule.set_interval,
            self.report_type,
            every,
            self._ctx.actor,
            on_done=self._stored,
            on_error=self._refused,
        )

    def _stored(self, entry: ScheduleEntry) -> None:
        self.show_entry(entry)
        self.changed.emit(entry)

    def _refused(self, exc: BaseException) -> None:
        self.next_label.setText(exc.message if isinstance(exc, UserError) else "Not saved.")
        self.setEnabled(True)


def _minutes(every: timedelta) -> int:
    """An interval as the combo's item data (a plain int: QVariant compares it)."""
    return int(every / timedelta(minutes=1))


def _next_text(entry: ScheduleEntry) -> str:
    if not entry.enabled:
        last = (
            f" Last automatic run: {fmt.local_datetime(entry.last_run)}." if entry.last_run else ""
        )
        return f"Off.{last}"
    text = f"Next: {fmt.local_datetime(entry.next_due)}" if entry.next_due else "Next: now"
    if entry.last_run is not None:
        text += f" · last {fmt.local_datetime(entry.last_run)}"
        if entry.last_status not in ("", "DONE", "REUSED"):
            text += f" ({_NOT_WELL.get(entry.last_status, entry.last_status)})"
        if entry.last_message:  # each marketplace's result: "US: 80 rows; CA: no data."
            text += f": {entry.last_message}"
    return text


class _quiet:
    """Block the widgets' signals while the code (not the seller) sets them."""

    def __init__(self, *widgets: QWidget) -> None:
        self._widgets = widgets

    def __enter__(self) -> None:
        for w in self._widgets:
            w.blockSignals(True)

    def __exit__(self, *_exc: object) -> None:
        for w in self._widgets:
            w.blockSignals(False)
