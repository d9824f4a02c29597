"""Sync in the status bar: phase and counts, a progress bar, Cancel, and health."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from kinxpro_desktop.core.progress import ProgressUpdate
from kinxpro_desktop.core.sync import SyncReport
from kinxpro_desktop.tasks.sync import SyncController, SyncHealth


class SyncStatus(QWidget):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.phase = QLabel("")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(True)
        self.bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this sync after the current page")
        self.cancel_button.clicked.connect(controller.cancel)
        self.cancel_button.hide()
        self.health = QLabel("Not synced yet")
        self.sync_button = QPushButton("Sync now")
        self.sync_button.clicked.connect(controller.sync_now)
        for w in (self.phase, self.bar, self.cancel_button, self.health, self.sync_button):
            layout.addWidget(w)
        controller.progress.connect(self.show_progress)
        controller.finished.connect(self.show_finished)
        controller.failed.connect(self.show_failed)
        controller.cancelled.connect(lambda: self.phase.setText("Sync cancelled"))
        controller.health_changed.connect(self.show_health)

    def show_progress(self, update: ProgressUpdate) -> None:
        counts = f" {update.done:,}" + (f"/{update.total:,}" if update.total else "")
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
        self.phase.setText(
            f"Synced {report.orders_upserted:,} orders, {report.listings_upserted:,} listings"
        )

    def show_failed(self, message: str) -> None:
        self._idle()
        self.phase.setText("Sync failed")
        self.phase.setToolTip(message)

    def show_health(self, health: SyncHealth) -> None:
        self.health.setText(health.describe())
        if not health.running:
            self._idle()
