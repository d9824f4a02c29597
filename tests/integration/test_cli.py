"""The command line a seller schedules: wipe, verify, retention; passphrase mode; one instance."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.retention import is_past_window
from kinxpro_desktop.instance import InstanceLock
from kinxpro_desktop.paths import resolve_paths
from kinxpro_desktop.store.database import Database
from tests.support.seed import MARKER, make_orders, store_seeded

PASS = "correct horse battery staple"
NOW = datetime.now(UTC)


def cli(
    data: Path | None,
    *args: str,
    passphrase: str | None = PASS,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`kinxpro-desktop [--data-dir DATA] ARGS` in a child process, without a keyring."""
    child_env = {k: v for k, v in os.environ.items() if k != "KINXPRO_PASSPHRASE"}
    child_env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    if passphrase is not None:
        child_env["KINXPRO_PASSPHRASE"] = passphrase
    child_env.update(env or {})
    folder = ["--data-dir", str(data)] if data is not None else []
    return subprocess.run(
        [sys.executable, "-m", "kinxpro_desktop", *folder, *args],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
    )


def one_clean_line(result: subprocess.CompletedProcess[str]) -> str:
    """stderr is exactly one `kinxpro-desktop: ...` line, without a traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kinxpro-desktop: "), lines[0]
    return lines[0]


def folder_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".log" and p.name != "kinxpro.lock"
    }


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A passphrase-mode data folder holding 60 days of orders with buyer data."""
    folder = tmp_path / "data"
    created = cli(folder, "--key-source", "passphrase", "wipe")
    assert created.returncode == 0, created.stderr
    db = Database.open(folder / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    store_seeded(db, make_orders(NOW, count=60, days=60))
    db.close()
    return folder


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kinxpro_desktop", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("kinxpro-desktop 0.")


def test_null_keyring_is_refused_and_passphrase_mode_is_offered(tmp_path: Path) -> None:
    result = cli(tmp_path / "d", "wipe", passphrase=None)
    assert result.returncode == 2
    line = one_clean_line(result)
    assert "No secure system keyring" in line
    assert "--key-source passphrase" in line  # names the option, not just "passphrase mode"
    assert not (tmp_path / "d" / "kinxpro.db").exists()


def test_new_passphrase_store_without_passphrase_does_not_claim_a_database(
    tmp_path: Path,
) -> None:
    result = cli(tmp_path / "d", "--key-source", "passphrase", "wipe", passphrase=None)
    assert result.returncode == 2
    line = one_clean_line(result)
    assert "This database uses passphrase mode" not in line
    assert "new database" in line and "KINXPRO_PASSPHRASE" in line
    assert not (tmp_path / "d" / "kinxpro.db").exists()


@pytest.mark.parametrize("short", ["x", "12345"])
def test_short_passphrase_is_refused_by_the_one_rule(tmp_path: Path, short: str) -> None:
    result = cli(tmp_path / "d", "--key-source", "passphrase", "wipe", passphrase=short)
    assert result.returncode == 2
    assert "at least 12 characters" in one_clean_line(result)
    assert not (tmp_path / "d" / "kinxpro.db").exists()


def test_wipe_prints_counts_and_no_pii(data: Path) -> None:
    expected = sum(
        is_past_window(o.purchase_date, NOW, 30) for o in make_orders(NOW, count=60, days=60).orders
    )
    result = cli(data, "wipe")
    assert result.returncode == 0, result.stderr
    assert f"deleted buyer data of {expected} orders" in result.stdout
    assert MARKER not in result.stdout + result.stderr
    again = cli(data, "wipe")
    assert "deleted buyer data of 0 orders" in again.stdout


def test_verify_passes_after_wipe_and_names_leftovers(data: Path) -> None:
    ok = cli(data, "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "no buyer data past the retention window" in ok.stdout
    assert "Audit chain intact" in ok.stdout
    # Plant buyer data past the window behind the app's back: verify must name the order.
    db = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    old = min(make_orders(NOW, count=60, days=60).orders, key=lambda o: o.purchase_date)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO order_pii (order_id, placed_at, fetched_at) "
                "VALUES (:o, '2999-01-01T00:00:00.000000Z', '2999-01-01T00:00:00.000000Z')"
            ),
            {"o": old.order_id},
        )
        conn.execute(text("UPDATE audit_log SET actor='mallory' WHERE id = 2"))
    db.close()
    bad = cli(data, "verify")
    assert bad.returncode == 1
    assert old.order_id in bad.stdout
    assert "Audit chain broken at entry 2" in bad.stdout


def test_wrong_passphrase_is_refused_and_changes_nothing(data: Path) -> None:
    before = folder_digest(data)
    result = cli(data, "wipe", passphrase="not the passphrase")
    assert result.returncode == 2
    assert "passphrase does not unlock" in result.stderr
    after = folder_digest(data)
    # Only the failure record (timestamps, no secret) is added.
    assert {k: v for k, v in after.items() if k != "unlock-failures.json"} == before
    # The next successful unlock folds the failure into the audit log.
    assert cli(data, "verify").returncode == 0
    db = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    failed = db.audit.latest("unlock_failed")
    db.close()
    assert failed is not None and failed.detail["reason"] == "WrongKey"
    assert not (data / "unlock-failures.json").exists()


@pytest.mark.parametrize("bad", ["0", "31", "ten", "-2"])
def test_bad_retention_is_refused_clearly(data: Path, bad: str) -> None:
    before = folder_digest(data)
    result = cli(data, "retention", bad)
    assert result.returncode == 2
    assert "Retention" in result.stderr
    shown = cli(data, "retention")
    assert shown.stdout.strip() == "Retention: 30 days"
    assert before.keys() <= folder_digest(data).keys()


def test_retention_can_be_shortened(data: Path) -> None:
    result = cli(data, "retention", "3")
    assert result.returncode == 0, result.stderr
    assert "Retention set to 3 days" in result.stdout
    assert cli(data, "retention").stdout.strip() == "Retention: 3 days"


def test_second_instance_says_so_and_touches_nothing(data: Path) -> None:
    before = folder_digest(data)
    with InstanceLock(resolve_paths(data).lock_file):
        result = cli(data, "wipe")
    assert result.returncode == 2
    assert "already running" in result.stderr
    assert folder_digest(data) == before


def test_missing_passphrase_without_terminal_says_how(data: Path) -> None:
    result = cli(data, "wipe", passphrase=None)
    assert result.returncode == 2
    assert "KINXPRO_PASSPHRASE" in result.stderr


def test_corrupt_database_is_reported_and_left_alone(data: Path) -> None:
    db_file = data / "kinxpro.db"
    db_file.write_bytes(os.urandom(8192))
    before = folder_digest(data)
    result = cli(data, "verify")
    assert result.returncode == 2
    assert "damaged" in result.stderr
    after = folder_digest(data)
    assert after[db_file.name] == before[db_file.name]


def test_repeated_failed_unlocks_raise_an_alert(data: Path) -> None:
    for _ in range(3):
        assert cli(data, "wipe", passphrase="guessing").returncode == 2
    opened = cli(data, "verify")
    assert opened.returncode == 0
    assert "SECURITY ALERT: 3 failed attempts" in opened.stderr
    db = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    alert = db.audit.latest("security_alert")
    failures = [e for e in db.audit.entries() if e.event == "unlock_failed"]
    db.close()
    assert len(failures) == 3
    assert alert is not None and "3 failed attempts" in str(alert.detail["alert"])


def test_a_broken_audit_chain_raises_an_alert_at_unlock(data: Path) -> None:
    db = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail='{}' WHERE id = 1"))
    db.close()
    cli(data, "retention")
    db = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    alert = db.audit.latest("security_alert")
    db.close()
    assert alert is not None and alert.detail["broken_at"] == 1
