"""AppContext: the services a window needs, built once in app.py and handed down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from kinxpro_desktop.paths import AppPaths
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.tasks.runner import TaskRunner


class AppEvents(QObject):
    """App-wide signals, always emitted on the GUI thread."""

    wiped = Signal(object)  # WipeResult
    audit_changed = Signal()
    status_message = Signal(str)


@dataclass(frozen=True)
class AppContext:
    paths: AppPaths
    privacy: PrivacyService
    runner: TaskRunner
    events: AppEvents
    key_mode: str
    actor: str = "owner"
    demo: bool = False
    wipe_interval_ms: int = 15 * 60 * 1000

    def next_wipe_after(self, last: datetime) -> datetime:
        from datetime import timedelta

        return last + timedelta(milliseconds=self.wipe_interval_ms)
