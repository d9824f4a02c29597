"""The Orders tab's filter bar pieces: date presets, quick-filter buttons with live counts,
and saved filters (QSettings; never the search text, which could be a buyer's name)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, QSettings, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QToolButton, QWidget

from kinxpro_desktop.services.views import OrderFilter, QuickCounts
from kinxpro_desktop.ui import fmt

PRESETS: tuple[tuple[str, int | None], ...] = (
    ("Any date", None),
    ("Today", 0),
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
    ("Custom…", -1),
)
SAVED_GROUP = "orders/savedFilters"


def local_midnight(day: datetime) -> datetime:
    """Midnight at the start of ``day``'s local date, in UTC."""
    local = day.astimezone()
    return datetime.combine(local.date(), time(0), local.tzinfo).astimezone(UTC)


def end_of_today(now: datetime | None = None) -> datetime:
    """The last moment of the seller's local today, in UTC (ship-by 'due today')."""
    start = local_midnight(now or datetime.now(UTC))
    return start + timedelta(days=1) - timedelta(microseconds=1)


class DateRange(QWidget):
    """A preset combo, and two dates for Custom; ``changed`` when the range changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset = QComboBox(self)
        self.preset.setObjectName("datePreset")
        for words, days in PRESETS:
            self.preset.addItem(words, days)
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-30), self)
        self.end = QDateEdit(today, self)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.hide()
            edit.dateChanged.connect(lambda _d: self.changed.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preset)
        layout.addWidget(self.start)
        layout.addWidget(self.end)
        self.preset.currentIndexChanged.connect(self._preset_changed)

    def _preset_changed(self) -> None:
        custom = self.preset.currentData() == -1
        self.start.setVisible(custom)
        self.end.setVisible(custom)
        self.changed.emit()

    def range(self, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
        days = self.preset.currentData()
        now = now or datetime.now(UTC)
        if days is None:
            return None, None
        if days == -1:
            start = date(
                self.start.date().year(), self.start.date().month(), self.start.date().day()
            )
            end = date(self.end.date().year(), self.end.date().month(), self.end.date().day())
            since = datetime.combine(start, time(0)).astimezone(UTC)
            until = datetime.combine(end, time(0)).astimezone(UTC) + timedelta(days=1)
            return since, until
        midnight = local_midnight(now)
        return (midnight if days == 0 else now - timedelta(days=days)), None


def _day(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


@dataclass(frozen=True)
class Quick:
    key: str
    words: str
    tip: str


QUICK = (
    Quick("needs_shipping", "Unshipped", "Merchant-fulfilled orders you still have to ship"),
    Quick("risk", "Late or due today", "Ship-by passed, or ending before tonight"),
    Quick("late", "Late", "Merchant-fulfilled orders past their ship-by time"),
    Quick("pending", "Pending", "Orders whose payment Amazon has not confirmed yet"),
)


class QuickFilters(QWidget):
    """Checkable buttons 'Unshipped 14', 'Late 2', …; one at a time (or none)."""

    chosen = Signal(str)  # the key, "" when unchecked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QToolButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for q in QUICK:
            b = QToolButton(self)
            b.setObjectName(f"quick_{q.key}")
            b.setCheckable(True)
            b.setText(q.words)
            b.setToolTip(q.tip)
            b.clicked.connect(lambda checked, k=q.key: self._clicked(k, checked))
            layout.addWidget(b)
            self.buttons[q.key] = b
        layout.addStretch(1)
        self.counts: dict[str, int] = {}

    def _clicked(self, key: str, checked: bool) -> None:
        for k, b in self.buttons.items():
            if k != key:
                b.setChecked(False)
        self.chosen.emit(key if checked else "")

    def current(self) -> str:
        return next((k for k, b in self.buttons.items() if b.isChecked()), "")

    def set_counts(self, counts: QuickCounts) -> None:
        self.counts = {
            "needs_shipping": counts.needs_shipping,
            "risk": counts.late + counts.due_today,
            "late": counts.late,
            "pending": counts.pending,
        }
        for q in QUICK:
            n = self.counts[q.key]
            self.buttons[q.key].setText(f"{q.words} {fmt.number(n)}")


def apply_quick(f: OrderFilter, key: str, now: datetime) -> OrderFilter:
    """The filter with one quick filter added (the other fields kept)."""
    if key == "needs_shipping":
        return replace(f, needs_shipping=True)
    if key == "risk":
        return replace(f, due_by=end_of_today(now))
    if key == "late":
        return replace(f, due_by=now)
    if key == "pending":
        return replace(f, status="Pending")
    return f


# -- saved filters: only choices, never the search text -------------------------------------
def save_filter(settings: QSettings, name: str, choices: dict[str, object]) -> None:
    settings.setValue(f"{SAVED_GROUP}/{name}", json.dumps(choices, sort_keys=True))


def saved_filters(settings: QSettings) -> dict[str, dict[str, object]]:
    settings.beginGroup(SAVED_GROUP)
    try:
        out: dict[str, dict[str, object]] = {}
        for key in settings.childKeys():
            try:
                value = json.loads(str(settings.value(key)))
            except ValueError:
                continue
            if isinstance(value, dict):
                out[key] = value
        return out
    finally:
        settings.endGroup()
