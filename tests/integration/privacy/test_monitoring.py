"""Access monitoring: each security event raises one visible alert and one audit entry.
Real paths: a refused host through the Connection's gateway, an invalid_grant from the
simulator's Login with Amazon during a sync, buyer data past the window in a real store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import AccountSync
from kinxpro_desktop.services.monitoring import SecurityMonitor
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.spapi.errors import AuthRejected, EgressRefused
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.vault.secret_store import MemorySecretStore
from tests.support.seed import Seeded
from tests.support.simulator import creds_for, db_fixture, sim_fixture
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


sim = sim_fixture(start=START, orders=40, listings=5, time_scale=300.0)


db = db_fixture("kinxpro.db")


def alerts_of(db: Database, kind: str) -> list[object]:
    return [
        e
        for e in db.audit.entries()
        if e.event == "security_alert" and e.detail.get("kind") == kind
    ]


def test_refused_outbound_host_raises_an_alert_once(sim: Simulator, db: Database) -> None:
    monitor = SecurityMonitor(PrivacyService(db, clock=sim.now), clock=sim.now)
    assert monitor.check() == ()
    account = AccountSync(
        db, MemorySecretStore(), endpoint=sim.base_url, fixed_credentials=creds_for(sim)
    )
    try:
        with pytest.raises(EgressRefused):
            account.connection.gateway().reports.fetch({"url": "https://collector.evil.example/"})
    finally:
        account.close()
    (text,) = monitor.check()
    assert "refused to connect to collector.evil.example" in text
    (entry,) = alerts_of(db, "egress_refused")
    assert entry.detail["source"] == db.audit.latest("egress_refused").entry_id  # type: ignore[attr-defined,union-attr]
    assert monitor.check() == ()  # raised once
    assert db.audit.verify().ok


def test_revoked_credentials_raise_an_alert(sim: Simulator, db: Database) -> None:
    monitor = SecurityMonitor(PrivacyService(db, clock=sim.now), clock=sim.now)
    account = AccountSync(
        db, MemorySecretStore(), endpoint=sim.base_url, fixed_credentials=creds_for(sim)
    )
    try:
        sim.set_faults("lwa:invalid-grant")
        with pytest.raises(AuthRejected):
            account.run(CancelToken(), lambda _: None)
    finally:
        account.close()
    (text,) = monitor.check()
    assert "invalid_grant" in text and "Seller Central" in text
    assert len(alerts_of(db, "credentials_revoked")) == 1
    assert monitor.check() == ()


def test_buyer_data_past_the_window_raises_an_alert(
    seeded_store: tuple[Database, Seeded],
) -> None:
    db, seeded = seeded_store
    privacy = PrivacyService(db)
    monitor = SecurityMonitor(privacy)
    texts = monitor.check()  # the live scan: 60 days of buyer data, never wiped
    assert any("still held past the retention window" in t for t in texts)
    assert any("day keys older than the retention window" in t for t in texts)  # its keys too
    (entry,) = alerts_of(db, "pii_past_window")
    assert entry.object_ids  # type: ignore[attr-defined]
    assert all(o in {x.order_id for x in seeded.orders} for o in entry.object_ids)  # type: ignore[attr-defined]
    assert monitor.check() == ()  # unchanged: not raised again
    report = privacy.verify("owner")  # verify's own finding is an event too
    assert not report.ok
    assert any("disposal check found buyer data" in t for t in monitor.check())
    privacy.wipe("owner")
    assert monitor.check() == ()


def test_cli_shows_the_alert_on_stderr(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from sqlalchemy import text

    from tests.support.seed import make_orders

    passphrase = "correct horse battery staple"
    env = {k: v for k, v in os.environ.items() if k != "KINXPRO_PASSPHRASE"}
    env.update(
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", KINXPRO_PASSPHRASE=passphrase
    )
    data = tmp_path / "d"
    cli = [sys.executable, "-m", "kinxpro_desktop", "--data-dir", str(data)]
    first = subprocess.run(
        [*cli, "--key-source", "passphrase", "wipe"], env=env, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    db = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=passphrase))
    old = min(
        make_orders(datetime.now(UTC), count=10, days=60).orders, key=lambda o: o.purchase_date
    )
    db.orders.upsert([old])
    with db.engine.begin() as conn:  # buyer data the wipe's own rule misses (a wrong placed_at)
        conn.execute(
            text(
                "INSERT INTO order_pii (order_id, placed_at, fetched_at) "
                "VALUES (:o, '2999-01-01T00:00:00.000000Z', '2999-01-01T00:00:00.000000Z')"
            ),
            {"o": old.order_id},
        )
    db.close()
    shown = subprocess.run([*cli, "retention"], env=env, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert (
        "kinxpro-desktop: SECURITY ALERT: Buyer data of 1 order is still held past the "
        "retention window" in shown.stderr
    )
    again = subprocess.run([*cli, "retention"], env=env, capture_output=True, text=True)
    assert "SECURITY ALERT" not in again.stderr  # raised once


def test_a_day_key_older_than_the_window_raises_an_alert(
    seeded_store: tuple[Database, Seeded],
) -> None:
    from kinxpro_desktop.store.pii_crypto import cipher_for

    db, _ = seeded_store
    privacy = PrivacyService(db)
    privacy.wipe("owner")
    monitor = SecurityMonitor(privacy)
    assert monitor.check() == ()
    cipher_for(db.engine).keys.get_or_create("2001-01-01")  # survived a wipe somehow
    (text,) = monitor.check()
    assert "day keys older than the retention window" in text and "2001-01-01" in text
    assert len(alerts_of(db, "day_key_past_window")) == 1
    assert monitor.check() == ()
    privacy.wipe("owner")  # destroys it
    assert "2001-01-01" not in cipher_for(db.engine).keys.days()
    assert monitor.check() == ()
