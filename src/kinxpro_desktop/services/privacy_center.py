"""The privacy center's use cases behind one object for the window: compliance and incident
reports, disposal receipts, backups, the wipe-while-closed job and security alerts. Qt-free;
the window calls every method on the task runner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.documents.incident import Incident
from kinxpro_desktop.services.backup import BackupMade, BackupService
from kinxpro_desktop.services.compliance import ComplianceService
from kinxpro_desktop.services.incident import IncidentService
from kinxpro_desktop.services.monitoring import SecurityMonitor
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.receipts import ReceiptService
from kinxpro_desktop.services.wipe_job import (
    JobOutcome,
    LastRun,
    WipeJob,
    last_run,
    record_change,
    refuse_passphrase_mode,
)


@dataclass(frozen=True)
class JobState:
    outcome: JobOutcome
    last: LastRun | None


class PrivacyCenter:
    def __init__(
        self,
        privacy: PrivacyService,
        *,
        key_mode: str,
        actor: str = "owner",
        wipe_job: WipeJob | None = None,
    ) -> None:
        self._privacy = privacy
        self._db = privacy.db
        self._key_mode = key_mode
        self._actor = actor
        self._job = wipe_job or WipeJob(self._db.path.parent)

    def compliance_report(self, out: Path) -> Path:
        return ComplianceService(self._privacy, wipe_job=self._job).write_pdf(out, self._actor)

    def incident_report(self, start: datetime, end: datetime, out: Path) -> Incident:
        return IncidentService(self._db).write_pdf(start, end, out, self._actor)

    def receipts(self, start: datetime, end: datetime, out: Path) -> int:
        return ReceiptService(self._db).write_pdf(start, end, out, self._actor)

    def backup(self, out: Path) -> BackupMade:
        return BackupService(self._db).create(out, self._actor)

    def wipe_job(self) -> JobState:
        return JobState(self._job.status(), last_run(self._db))

    def install_wipe_job(self) -> JobState:
        self._db.access.require(Permission.CHANGE_PRIVACY)
        refuse_passphrase_mode(self._key_mode)
        outcome = self._job.install()
        record_change(self._db, "install", outcome, self._actor)
        return JobState(outcome, last_run(self._db))

    def remove_wipe_job(self) -> JobState:
        self._db.access.require(Permission.CHANGE_PRIVACY)
        outcome = self._job.remove()
        record_change(self._db, "remove", outcome, self._actor)
        return JobState(outcome, last_run(self._db))

    def check_alerts(self) -> tuple[str, ...]:
        return SecurityMonitor(self._privacy).check()
