"""The incident report from a test incident in the audit log: what, when, which orders (ids
only), time of detection and the notice to Amazon with its 24-hour deadline; no buyer data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.services.incident import IncidentRangeError, IncidentService
from kinxpro_desktop.store.database import Database
from tests.integration.privacy.conftest import NOW, assert_no_pii, pdf_text
from tests.support.seed import Seeded, make_orders, store_seeded

PASS = "correct horse battery staple"


def stage_incident(db: Database, seeded: Seeded) -> tuple[list[str], str]:
    """Two days ago: a refused host (detection), reveals and a buyer-data export."""
    ids = [o.order_id for o in seeded.orders]
    day = NOW - timedelta(days=2)
    db.audit.append(AuditEvent.REVEAL, "owner", [ids[50]], {}, at=day - timedelta(days=5))
    db.audit.append(
        AuditEvent.EGRESS_REFUSED,
        "sync",
        (),
        {"host": "collector.evil.example", "reason": "not on the allow-list"},
        at=day,
    )
    db.audit.append(AuditEvent.REVEAL, "owner", [ids[1]], {}, at=day + timedelta(minutes=5))
    db.audit.append(
        AuditEvent.EXPORT,
        "owner",
        [ids[2], ids[3]],
        {"kind": "orders", "rows": 2, "buyer_data": True},
        at=day + timedelta(minutes=9),
    )
    return [ids[1], ids[2], ids[3]], ids[50]


def test_incident_pdf_names_orders_detection_and_deadline_without_pii(
    seeded_store: tuple[Database, Seeded], tmp_path: Path
) -> None:
    db, seeded = seeded_store
    affected, outside = stage_incident(db, seeded)
    start = (NOW - timedelta(days=3)).replace(hour=0, minute=0, second=0)
    service = IncidentService(db, clock=lambda: NOW)
    found = service.write_pdf(start, NOW + timedelta(seconds=1), tmp_path / "i.pdf", "owner")
    assert list(found.order_ids) == sorted(affected)
    assert found.detected == NOW - timedelta(days=2)
    assert found.deadline == found.detected + timedelta(hours=24)

    text = pdf_text(tmp_path / "i.pdf")
    flat = re.sub(r"\s+", " ", text)
    for oid in affected:
        assert oid in text
    assert outside not in text
    assert "security@amazon.com" in text
    assert "collector.evil.example" in flat
    assert f"by {found.deadline:%Y-%m-%d %H:%M} UTC" in flat
    assert "deadline has PASSED" in flat  # detected two days ago
    assert "orders export with buyer data" in flat
    assert_no_pii(text, seeded)
    assert db.audit.latest("incident_report") is not None


def test_period_without_alerts_is_detected_when_reported(
    seeded_store: tuple[Database, Seeded],
) -> None:
    db, _ = seeded_store
    found = IncidentService(db, clock=lambda: NOW).incident(NOW - timedelta(days=1), NOW)
    assert found.detected == NOW and "reported by the seller" in found.detected_by
    with pytest.raises(IncidentRangeError, match="ends before it starts"):
        IncidentService(db).incident(NOW, NOW - timedelta(days=1))


def test_cli_writes_the_report_and_refuses_bad_dates(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "KINXPRO_PASSPHRASE"}
    env.update(PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", KINXPRO_PASSPHRASE=PASS)
    cli = [sys.executable, "-m", "kinxpro_desktop", "--data-dir", str(data)]
    first = subprocess.run(
        [*cli, "--key-source", "passphrase", "wipe"], env=env, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    db = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    seeded = make_orders(NOW, count=60, days=60)
    store_seeded(db, seeded)
    affected, _ = stage_incident(db, seeded)
    db.close()

    day = f"{NOW - timedelta(days=3):%Y-%m-%d}"
    today = f"{NOW:%Y-%m-%d}"
    out = tmp_path / "incident.pdf"
    args = ["privacy", "incident-report", "--from", day, "--to", today, "--out", str(out)]
    done = subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "3 orders affected" in done.stdout and "security@amazon.com" in done.stdout
    text = pdf_text(out)
    assert all(oid in text for oid in affected)
    assert_no_pii(text + done.stdout + done.stderr, seeded)

    bad = [*cli, "privacy", "incident-report", "--from", "yesterday", "--to", today]
    refused = subprocess.run(
        [*bad, "--out", str(tmp_path / "x.pdf")], env=env, capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "kinxpro-desktop: --from 'yesterday' is not a date; write it as YYYY-MM-DD."
    )
    assert not (tmp_path / "x.pdf").exists()


def test_entries_behind_a_clock_set_back_are_still_found(
    seeded_store: tuple[Database, Seeded],
) -> None:
    from kinxpro_desktop.services.audit_period import entries_between

    db, seeded = seeded_store
    oid = seeded.orders[0].order_id
    db.audit.append(AuditEvent.REVEAL, "owner", [oid], {}, at=NOW)
    db.audit.append(AuditEvent.SYNC, "sync", (), {}, at=NOW - timedelta(days=40))  # clock back
    db.audit.append(AuditEvent.SYNC, "sync", (), {}, at=NOW - timedelta(days=40))
    found = list(entries_between(db, NOW - timedelta(hours=1), NOW + timedelta(hours=1)))
    assert [e.event for e in found] == ["reveal"]
