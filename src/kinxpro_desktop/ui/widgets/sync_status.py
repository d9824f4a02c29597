"""Sync in the status bar: phase and counts, a progress bar, Cancel, health and Sync now.

It sits in the status bar's permanent area, so temporary messages never hide it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from kinxpro_desktop.core.progress import ProgressUpdate
from kinxpro_desktop.core.sync import SyncReport
from kinxpro_desktop.tasks.sync import SyncController, SyncHealth
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.style import icon


def describe_health(health: SyncHealth) -> str:
    """SyncHealth in the seller's locale: "last sync 9:41 AM · next 9:46 AM"."""
    parts = []
    if health.running:
        parts.append("Syncing…")
    elif health.last_error and health.consecutive_failures:
        parts.append(f"Sync failed: {health.last_error}")
    if health.last_success:
        parts.append(f"last sync {fmt.local_time(health.last_success)}")
    elif not health.running and not parts:
        parts.append("Not synced yet")
    if health.next_attempt and not health.running:
        parts.append(f"next {fmt.local_time(health.next_attempt)}")
    return " · ".join(parts) or "Not synced yet"


class SyncStatus(QWidget):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self._controller = controller
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self.phase = QLabel("")
        self.phase.setObjectName("syncPhase")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(True)
        self.bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this sync after the current page (Ctrl+.)")
        self.cancel_button.clicked.connect(controller.cancel)
        self.cancel_button.hide()
        self.health = QLabel("Not synced yet")
        self.health.setObjectName("syncHealth")
        self.sync_button = QPushButton(icon("sync"), "Sync now")
        self.sync_button.setToolTip("Sync orders and listings with Amazon now (F5)")
        self.sync_button.clicked.connect(controller.sync_now)
        for w in (self.phase, self.bar, self.cancel_button, self.health, self.sync_button):
            layout.addWidget(w)
        self.report: SyncReport | None = None
        controller.progress.connect(self.show_progress)
        controller.finished.connect(self.show_finished)
        controller.failed.connect(self.show_failed)
        controller.cancelled.connect(lambda: self.phase.setText("Sync cancelled"))
        controller.health_changed.connect(self.show_health)
        self.set_connected(controller.connected)

    def set_connected(self, connected: bool) -> None:
        if not connected:
            self.health.setText("No Amazon account connected")
            self.sync_button.setToolTip("Connect an Amazon account first (Account ▸ Connect…)")

    def show_progress(self, update: ProgressUpdate) -> None:
        counts = f" {fmt.number(update.done)}" + (
            f"/{fmt.number(update.total)}" if update.total else ""
        )
        self.phase.setText(update.phase + (counts if update.done or update.total else ""))
        self.bar.show()
        self.cancel_button.show()
        self.sync_button.setEnabled(False)
        if update.percent is None:
            self.bar.setRange(0, 0)  # busy
        else:
            self.bar.setRange(0, 100)
            self.bar.setValue(update.percent)

    def _idle(self) -> None:
        self.bar.hide()
        self.cancel_button.hide()
        self.sync_button.setEnabled(True)

    def show_finished(self, report: SyncReport) -> None:
        self._idle()
        self.report = report
        self.phase.setText("Synced")
        self.phase.setToolTip(
            f"This sync stored {fmt.plural(report.orders_upserted, 'order update')} and "
            f"{fmt.plural(report.listings_upserted, 'listing update')} "
            f"({fmt.plural(report.api_calls, 'Amazon call')}). An order seen by both the "
            "backfill report and the live search counts twice here, once in the table."
        )

    def show_totals(self, orders: int, listings: int) -> None:
        """What the store holds: the same numbers the Orders and Listings tabs count."""
        if self.report is None:
            return
        self.phase.setText(
            f"Synced · {fmt.plural(orders, 'order')}, {fmt.plural(listings, 'listing')}"
        )

    def show_failed(self, message: str) -> None:
        self._idle()
        self.phase.setText("Sync failed")
        self.phase.setToolTip(message)

    def show_health(self, health: SyncHealth) -> None:
        if self._controller.connected or health.running:
            self.health.setText(describe_health(health))
        if not health.running:
            self._idle()
