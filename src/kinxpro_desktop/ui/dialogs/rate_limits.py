"""The rate-limit meter: per-operation tokens left and when the next call may go out."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.tasks.sync import SyncController

HEADERS = ("Operation", "Rate /s", "Burst", "Tokens left", "Next call in", "Calls", "429s")


class RateLimitDialog(QDialog):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync status and Amazon rate limits")
        self._controller = controller
        layout = QVBoxLayout(self)
        self.health = QLabel()
        self.health.setWordWrap(True)
        layout.addWidget(self.health)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table)
        self.resize(720, 420)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        h = self._controller.health
        error = f"\nLast error: {h.last_error}" if h.last_error else ""
        self.health.setText(h.describe() + error)
        states = sorted(self._controller.rate_limits(), key=lambda s: s.operation)
        now = utcnow()
        self.table.setRowCount(len(states))
        for row, s in enumerate(states):
            wait = (s.next_call_at - now).total_seconds() if s.next_call_at else 0.0
            values = (
                s.operation,
                f"{s.rate:g}",
                str(s.burst),
                f"{s.tokens:.1f}",
                "now" if wait <= 0 else f"{wait:.0f} s",
                str(s.calls),
                str(s.throttled),
            )
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))
