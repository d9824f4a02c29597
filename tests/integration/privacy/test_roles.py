"""The privacy center under operator roles: backups and the wipe job are privacy changes
(owner only); the compliance, incident and receipt reports carry no buyer data (every role)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from kinxpro_desktop.core.operators import Access, PermissionDenied, Role
from kinxpro_desktop.services.backup import BackupService
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.privacy_center import PrivacyCenter
from kinxpro_desktop.services.wipe_job import WipeJob
from kinxpro_desktop.store.database import Database
from tests.integration.privacy.conftest import NOW
from tests.support.seed import Seeded


@pytest.mark.parametrize("role", [Role.SHIPPER, Role.ANALYST])
def test_only_an_owner_makes_backups_or_changes_the_wipe_job(
    seeded_store: tuple[Database, Seeded], private_job: WipeJob, tmp_path: Path, role: Role
) -> None:
    db, _ = seeded_store
    db.bind_access(Access(role))
    center = PrivacyCenter(PrivacyService(db), key_mode="keyring", wipe_job=private_job)
    with pytest.raises(PermissionDenied, match="owner"):
        center.backup(tmp_path / "b.kx")
    with pytest.raises(PermissionDenied):
        center.install_wipe_job()
    with pytest.raises(PermissionDenied):
        BackupService(db).restore(tmp_path / "b.kx", "x", "cli")
    assert not (tmp_path / "b.kx").exists()
    assert not private_job.status().installed
    # Reports without buyer data: allowed.
    center.compliance_report(tmp_path / "c.pdf")
    center.incident_report(NOW - timedelta(days=1), NOW, tmp_path / "i.pdf")
    center.receipts(NOW - timedelta(days=1), NOW, tmp_path / "r.pdf")
    assert all((tmp_path / n).is_file() for n in ("c.pdf", "i.pdf", "r.pdf"))


def test_owner_may(
    seeded_store: tuple[Database, Seeded], private_job: WipeJob, tmp_path: Path
) -> None:
    db, _ = seeded_store
    center = PrivacyCenter(PrivacyService(db), key_mode="keyring", wipe_job=private_job)
    assert center.backup(tmp_path / "b.kx").path.is_file()
    assert center.install_wipe_job().outcome.installed
