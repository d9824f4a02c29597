"""The compliance report: every control of PRIVACY.md with its live state, no buyer data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kinxpro_desktop.services.compliance import ComplianceService
from kinxpro_desktop.services.wipe_job import WipeJob
from kinxpro_desktop.store.database import Database
from tests.integration.privacy.conftest import assert_no_pii, pdf_text, privacy
from tests.support.seed import Seeded

CONTROLS = [
    "Encryption at rest",
    "Encryption in transit",
    "Secrets in a secure store",
    "Retention of buyer data",
    "Secure deletion, verified",
    "Crypto-shredding (day keys)",
    "Data minimisation",
    "Audit logging",
    "Access monitoring and alerting",
    "Role-based access",
    "No sharing with third parties",
    "Incident response",
    "Print spools and exports",
    "Disposal (automated wipe)",
    "Wipe while closed",
]


def states(text: str) -> dict[str, str]:
    """control -> state, read from the PDF's text (label and state on one line)."""
    flat = re.sub(r"\s+", " ", text)
    found = {}
    for control in CONTROLS:
        m = re.search(re.escape(control) + r".{0,40}?\b(OK|ATTENTION|NOT SET UP|INFO)\b", flat)
        assert m, f"{control} is not listed with a state"
        found[control] = m.group(1)
    return found


def test_report_lists_each_control_with_its_state_and_no_buyer_data(
    seeded_store: tuple[Database, Seeded], private_job: WipeJob, tmp_path: Path
) -> None:
    db, seeded = seeded_store
    service = ComplianceService(privacy(db), wipe_job=private_job)
    before = states(pdf_text(service.write_pdf(tmp_path / "before.pdf", "owner")))
    # 60 days of buyer data, never wiped: the disposal check sees it.
    assert before["Secure deletion, verified"] == "ATTENTION"
    assert before["Disposal (automated wipe)"] == "ATTENTION"

    privacy(db).wipe("owner")
    out = service.write_pdf(tmp_path / "compliance.pdf", "owner")
    text = pdf_text(out)
    after = states(text)
    assert after["Encryption at rest"] == "OK"
    assert after["Encryption in transit"] == "OK"
    assert after["Secure deletion, verified"] == "OK"
    assert after["Crypto-shredding (day keys)"] == "OK"
    assert after["Audit logging"] == "OK"
    assert after["Disposal (automated wipe)"] == "OK"
    assert after["Wipe while closed"] == "NOT SET UP"
    assert after["Role-based access"] == "NOT SET UP"
    assert "sellingpartnerapi-na.amazon.com" in text and "api.amazon.com" in text
    assert "TLSv1_2" in text or "TLSv1_3" in text
    assert "30 days" in text
    assert_no_pii(text, seeded)
    assert db.audit.latest("compliance_report") is not None
    assert not list(tmp_path.glob("*.kinxpro-part"))


def test_an_altered_audit_log_shows_as_attention(
    seeded_store: tuple[Database, Seeded], private_job: WipeJob, tmp_path: Path
) -> None:
    from sqlalchemy import text as sql

    db, _ = seeded_store
    privacy(db).wipe("owner")
    with db.engine.begin() as conn:
        conn.execute(sql("UPDATE audit_log SET actor = 'mallory' WHERE id = 1"))
    service = ComplianceService(privacy(db), wipe_job=private_job)
    doc = service.document()
    (row,) = [r for r in doc.sections[0].rows if r.label.startswith("Audit logging")]
    assert row.state == "ATTENTION" and "broken at entry 1" in row.detail


def test_installed_job_is_reported(
    seeded_store: tuple[Database, Seeded], private_job: WipeJob
) -> None:
    db, _ = seeded_store
    private_job.install()
    rows = ComplianceService(privacy(db), wipe_job=private_job).document().sections[0].rows
    (row,) = [r for r in rows if r.label == "Wipe while closed"]
    assert "written but not registered" in row.detail and "Last run: never" in row.detail


@pytest.mark.parametrize("bad", ["missing-folder/x.pdf"])
def test_unwritable_target_is_a_clear_error(
    seeded_store: tuple[Database, Seeded], private_job: WipeJob, tmp_path: Path, bad: str
) -> None:
    from kinxpro_desktop.core.errors import UserError

    db, _ = seeded_store
    with pytest.raises(UserError, match="does not exist"):
        ComplianceService(privacy(db), wipe_job=private_job).write_pdf(tmp_path / bad, "owner")


def test_cli_writes_the_report(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "KINXPRO_PASSPHRASE"}
    env.update(
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        KINXPRO_PASSPHRASE="correct horse battery staple",
        HOME=str(tmp_path / "home"),  # the job is looked for here, never in the real HOME
        XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"),
        XDG_RUNTIME_DIR=str(tmp_path),
    )
    out = tmp_path / "c.pdf"
    cli = [sys.executable, "-m", "kinxpro_desktop", "--data-dir", str(tmp_path / "d")]
    done = subprocess.run(
        [*cli, "--key-source", "passphrase", "privacy", "compliance-report", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Compliance report written to {out}"
    found = states(pdf_text(out))
    assert found["Encryption at rest"] == "OK" and found["Wipe while closed"] == "NOT SET UP"
    flat = re.sub(r"\s+", " ", pdf_text(out))
    assert "passphrase" in flat
    assert "protects a copy of the database file alone" in flat  # the key file's limit


def test_a_day_key_older_than_the_window_shows_as_attention(
    seeded_store: tuple[Database, Seeded], private_job: WipeJob
) -> None:
    from kinxpro_desktop.store.pii_crypto import cipher_for

    db, _ = seeded_store
    privacy(db).wipe("owner")
    cipher_for(db.engine).keys.get_or_create("2001-01-01")  # a key the wipe should have destroyed
    rows = ComplianceService(privacy(db), wipe_job=private_job).document().sections[0].rows
    (row,) = [r for r in rows if r.label.startswith("Crypto-shredding")]
    assert row.state == "ATTENTION" and "1 older than the window" in row.detail
