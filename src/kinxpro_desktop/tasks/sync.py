"""Background sync: one long-lived worker on its own QThread, behind a GUI-thread controller.

UI code and tests connect only to the controller's signals (never the worker's). Failures
are shown and retried with backoff; scheduled sync never stops silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.sync import BucketState, SyncReport

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MS = 5 * 60 * 1000
FIRST_RETRY_MS = 30 * 1000


class SyncRunner(Protocol):
    def run(self, cancel: CancelToken, progress: ProgressFn) -> SyncReport: ...

    def rate_limits(self) -> list[BucketState]: ...


@dataclass(frozen=True)
class SyncHealth:
    running: bool = False
    last_success: datetime | None = None
    last_error: str = ""
    last_error_at: datetime | None = None
    next_attempt: datetime | None = None
    consecutive_failures: int = 0

    def describe(self) -> str:
        parts = []
        if self.running:
            parts.append("Syncing…")
        elif self.last_error and self.consecutive_failures:
            parts.append(f"Sync failed: {self.last_error}")
        if self.last_success:
            parts.append(f"last sync {self.last_success.astimezone():%H:%M}")
        if self.next_attempt and not self.running:
            parts.append(f"next {self.next_attempt.astimezone():%H:%M}")
        return " · ".join(parts) or "Not synced yet"


NOT_CONNECTED = (
    "No Amazon account is connected. Choose Account ▸ Connect to connect yours, or try the "
    "demo (kinxpro-desktop --demo)."
)


class NotConnected:
    """The SyncRunner before an account exists: every run says how to connect."""

    def run(self, cancel: CancelToken, progress: ProgressFn) -> SyncReport:
        raise UserError(NOT_CONNECTED)

    def rate_limits(self) -> list[BucketState]:
        return []


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        return exc.message
    return f"{type(exc).__name__} (details in the log)"


class SyncWorker(QObject):
    progress = Signal(object)
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, runner: SyncRunner) -> None:
        super().__init__()
        self._runner = runner

    @Slot(object)
    def run_once(self, token: CancelToken) -> None:
        try:
            report = self._runner.run(token, self.progress.emit)
        except BaseException as exc:  # reported to the controller, never lost
            self.failed.emit(exc)
        else:
            self.done.emit(report)


class SyncController(QObject):
    progress = Signal(object)  # ProgressUpdate
    finished = Signal(object)  # SyncReport
    failed = Signal(str)  # what went wrong, what to do
    cancelled = Signal()
    health_changed = Signal(object)  # SyncHealth
    new_mfn_orders = Signal(object)  # tuple of order ids
    _run = Signal(object)

    def __init__(
        self,
        runner: SyncRunner,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        first_retry_ms: int = FIRST_RETRY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.interval_ms = interval_ms
        self.first_retry_ms = first_retry_ms
        self.health = SyncHealth()
        self._token: CancelToken | None = None
        self._thread = QThread()
        self._thread.setObjectName("sync")
        self._worker = SyncWorker(runner)
        self._worker.moveToThread(self._thread)
        self._run.connect(self._worker.run_once)
        self._worker.progress.connect(self._on_progress)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.sync_now)
        self._started = False

    @property
    def running(self) -> bool:
        return self._token is not None

    @property
    def connected(self) -> bool:
        """True once started: an account (or the demo) is there to sync with."""
        return self._started

    def start(self, first_delay_ms: int = 0) -> None:
        if not self._started:
            self._thread.start()
            self._started = True
        self._schedule(first_delay_ms)

    def sync_now(self) -> bool:
        """Start a sync unless one is running. True if started."""
        if self._token is not None or not self._started:
            return False
        self._timer.stop()
        self._token = CancelToken()
        self._set_health(running=True, next_attempt=None)
        self.progress.emit(ProgressUpdate("Starting sync"))
        self._run.emit(self._token)
        return True

    def cancel(self) -> None:
        if self._token is not None:
            self._token.cancel()

    def rate_limits(self) -> list[BucketState]:
        return self._runner.rate_limits()

    def stop(self, timeout_ms: int = 30_000) -> bool:
        self._timer.stop()
        self.cancel()
        if not self._started:
            return True
        self._thread.quit()
        return self._thread.wait(timeout_ms)

    # -- worker results (queued onto the GUI thread) ---------------------------------------
    @Slot(object)
    def _on_progress(self, update: ProgressUpdate) -> None:
        self.progress.emit(update)

    @Slot(object)
    def _on_done(self, report: SyncReport) -> None:
        self._token = None
        self._set_health(
            running=False,
            last_success=report.finished_at,
            consecutive_failures=0,
            last_error="",
        )
        self._schedule(self.interval_ms)
        self.finished.emit(report)
        if report.new_mfn_order_ids:
            self.new_mfn_orders.emit(report.new_mfn_order_ids)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self._token = None
        if isinstance(exc, Cancelled):
            self._set_health(running=False)
            self._schedule(self.interval_ms)
            self.cancelled.emit()
            return
        message = describe_error(exc)
        log.warning(
            "sync failed: %s", message, exc_info=None if isinstance(exc, UserError) else exc
        )
        failures = self.health.consecutive_failures + 1
        self._set_health(
            running=False,
            last_error=message,
            last_error_at=utcnow(),
            consecutive_failures=failures,
        )
        delay = min(self.interval_ms, self.first_retry_ms * 2 ** (failures - 1))
        self._schedule(delay)
        self.failed.emit(message)

    def _schedule(self, delay_ms: int) -> None:
        self._timer.start(max(0, delay_ms))
        self._set_health(next_attempt=utcnow() + timedelta(milliseconds=delay_ms))

    def _set_health(self, **changes: object) -> None:
        self.health = replace(self.health, **changes)  # type: ignore[arg-type]
        self.health_changed.emit(self.health)
