"""Backups without buyer data: the round trip keeps listings, orders and the audit chain; the
backup's bytes hold no seeded buyer data or label document; a restore never brings buyer data
back; the recovery code comes from stdin, never argv."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.models import Listing, Money
from kinxpro_desktop.services.backup import BackupService, parse_recovery_code, recovery_code
from kinxpro_desktop.store.backup import BackupError, export_backup
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.secrets_repo import SecretsRepository
from tests.integration.privacy.conftest import NOW
from tests.support.seed import MARKER, Seeded, pii_strings

LABEL = b"%PDF-1.4 label for " + MARKER.encode() + b" Recipient"
PASS = "correct horse battery staple"
SEALED = b"kx1:"  # the prefix of a field sealed under a day key (crypto-shredding)


def add_listings_and_label(db: Database, seeded: Seeded) -> str:
    listings = [
        Listing(
            f"SKU-{n}",
            "ATVPDKIKX0DER",
            f"B0TEST{n:04d}",
            f"Thing {n}",
            Money(Decimal("9.99"), "USD"),
            5,
            "BUYABLE",
            "DEFAULT",
        )
        for n in range(5)
    ]
    db.listings.replace_marketplace("ATVPDKIKX0DER", listings, now=NOW)
    recent = seeded.orders[0].order_id
    with db.transaction() as uow:
        row = uow.shipments.add_intent(recent, "UPS", "Ground", NOW)
        uow.shipments.save_label(
            row, recent, label_format="PDF", content=LABEL, checksum="x", now=NOW
        )
    return recent


def assert_no_buyer_bytes(blob: bytes, seeded: Seeded) -> None:
    assert MARKER.encode() not in blob
    assert MARKER.lower().encode() not in blob
    for p in seeded.pii[:10]:
        for value in pii_strings(p):
            assert value.encode() not in blob


def test_unencrypted_copy_of_a_backup_holds_no_buyer_data(
    seeded_store: tuple[Database, Seeded], tmp_path: Path
) -> None:
    db, seeded = seeded_store
    add_listings_and_label(db, seeded)
    SecretsRepository(db.engine).set("refresh_token", "Atzr|secret-token-value")
    full = _plain_copy_bytes(db, tmp_path / "full.db", scrub=False)
    # The control: without the scrub the copy holds the (sealed) buyer data and the token.
    assert SEALED in full and b"Atzr|secret-token-value" in full
    blob = _plain_copy_bytes(db, tmp_path / "backup-plain.db", scrub=True)
    assert blob[:16] == b"SQLite format 3\x00"
    assert_no_buyer_bytes(blob, seeded)
    assert b"Atzr|secret-token-value" not in blob
    assert b"%PDF-1.4 label" not in blob
    assert SEALED not in blob  # not even the day-key-sealed values
    assert not list(tmp_path.glob("backup-plain.db-*"))  # no journal or WAL beside it


def _plain_copy_bytes(db: Database, target: Path, *, scrub: bool) -> bytes:
    if scrub:
        export_backup(db, target, None)
    else:  # the control: the same copy without the scrub does hold the marker
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.execute(  # type: ignore[union-attr]
                "ATTACH DATABASE ? AS c KEY ''", (str(target),)
            )
            raw.driver_connection.execute("SELECT sqlcipher_export('c')")  # type: ignore[union-attr]
            raw.driver_connection.execute("DETACH DATABASE c")  # type: ignore[union-attr]
        finally:
            raw.close()
    return target.read_bytes()


def test_round_trip_keeps_listings_orders_and_audit_without_buyer_data(
    seeded_store: tuple[Database, Seeded], tmp_path: Path
) -> None:
    db, seeded = seeded_store
    label_order = add_listings_and_label(db, seeded)
    db.audit.append("reveal", "owner", [label_order], {})
    SecretsRepository(db.engine).set("refresh_token", "Atzr|old-folder-token")
    made = BackupService(db, clock=lambda: NOW).create(tmp_path / "kinxpro.backup", "owner")
    assert made.stats.tables["order_pii"] == 0 and made.stats.tables["label_documents"] == 0
    assert made.path.read_bytes()[:16] != b"SQLite format 3\x00"
    assert_no_buyer_bytes(made.path.read_bytes(), seeded)
    assert not list(tmp_path.glob(".kinxpro.backup.*"))
    entries_at_backup = db.audit.count()  # the backup_created entry came after the copy

    fresh = Database.open(tmp_path / "new" / "kinxpro.db", DatabaseKey(raw=secrets.token_bytes(32)))
    try:
        fresh.audit.append("unlock", "owner", (), {})
        SecretsRepository(fresh.engine).set("refresh_token", "Atzr|new-folder-token")
        with pytest.raises(BackupError, match="recovery code"):
            BackupService(fresh).restore(made.path, "AAAAA-" + made.recovery_code[6:], "owner")
        stats = BackupService(fresh, clock=lambda: NOW).restore(
            made.path, made.recovery_code.lower().replace("-", " "), "owner"
        )
        assert fresh.orders.count() == len(seeded.orders) == stats.tables["orders"]
        assert fresh.listings.count() == 5
        assert fresh.orders.get(seeded.orders[3].order_id) == db.orders.get(
            seeded.orders[3].order_id
        )
        assert fresh.orders.count_with_pii() == 0
        # Credentials never travel in a backup; the folder's own stay.
        assert SecretsRepository(fresh.engine).get("refresh_token") == "Atzr|new-folder-token"
        assert made.stats.tables["secrets"] == 0
        assert fresh.orders.get_pii(label_order) is None
        assert not fresh.shipments.for_orders([label_order])[label_order][0].has_label
        chain = fresh.audit.verify()
        assert chain.ok, chain.describe()
        # the backup holds all but its own backup_created entry; the restore adds one
        assert fresh.audit.count() == entries_at_backup - 1 + 1
        restored = fresh.audit.latest("backup_restored")
        assert restored is not None and restored.detail["replaced_entries"] == 1
        assert fresh.audit.latest("reveal") is not None  # the backup's history came back
        with pytest.raises(BackupError, match="already holds orders"):
            BackupService(fresh).restore(made.path, made.recovery_code, "owner")
    finally:
        fresh.close()


def test_recovery_code_catches_typing_mistakes() -> None:
    key = secrets.token_bytes(32)
    code = recovery_code(key)
    assert parse_recovery_code(code) == key
    with pytest.raises(BackupError, match="typing mistake"):
        parse_recovery_code(code.replace(code[0], "B" if code[0] != "B" else "C", 1))


def cli(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KINXPRO_PASSPHRASE"}
    env.update(PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", KINXPRO_PASSPHRASE=PASS)
    return subprocess.run(
        [sys.executable, "-m", "kinxpro_desktop", "--data-dir", str(data), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
    )


def test_cli_backup_and_restore_take_the_code_from_stdin(tmp_path: Path) -> None:
    from tests.support.seed import make_orders, store_seeded

    old = tmp_path / "old"
    assert cli(old, "--key-source", "passphrase", "wipe").returncode == 0
    db = Database.open(old / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    seeded = make_orders(NOW, count=20, days=10)
    store_seeded(db, seeded)
    db.close()
    out = tmp_path / "b.kxbackup"
    made = cli(old, "backup", "create", "--out", str(out))
    assert made.returncode == 0, made.stderr
    code = next(line.split()[-1] for line in made.stdout.splitlines() if "Recovery code" in line)
    parse_recovery_code(code)
    assert MARKER not in made.stdout + made.stderr

    new = tmp_path / "new"
    assert cli(new, "--key-source", "passphrase", "wipe").returncode == 0
    refused = cli(new, "backup", "restore", str(out), stdin="not-the-code\n")
    assert refused.returncode == 2 and "typing mistake" in refused.stderr
    done = cli(new, "backup", "restore", str(out), stdin=code + "\n")
    assert done.returncode == 0, done.stderr
    assert "20 orders" in done.stdout
    verified = cli(new, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_restored_store_finds_orders_by_search(
    seeded_store: tuple[Database, Seeded], tmp_path: Path
) -> None:
    """The search index is keyed by order rowids, which a restore renumbers (a deleted order
    left a gap): it is rebuilt for the restored orders, never copied."""
    from sqlalchemy import text

    from kinxpro_desktop.store.order_queries import OrderFilter
    from kinxpro_desktop.store.queries import ViewQueries

    db, seeded = seeded_store
    gone, later = seeded.orders[0].order_id, seeded.orders[-1].order_id
    with db.engine.begin() as conn:  # an order removed: the rowids after it keep their numbers
        conn.execute(text("DELETE FROM order_items WHERE order_id = :o"), {"o": gone})
        conn.execute(text("DELETE FROM orders WHERE order_id = :o"), {"o": gone})
        conn.execute(
            text("UPDATE order_items SET title = 'Quokka lamp qz' WHERE order_id = :o"),
            {"o": later},
        )
    assert ViewQueries(db.engine).order_keys(OrderFilter(text="quokka"), "purchase_date", True) == [
        later
    ]
    made = BackupService(db, clock=lambda: NOW).create(tmp_path / "kinxpro.backup", "owner")
    fresh = Database.open(tmp_path / "new" / "kinxpro.db", DatabaseKey(raw=secrets.token_bytes(32)))
    try:
        BackupService(fresh, clock=lambda: NOW).restore(made.path, made.recovery_code, "owner")
        views = ViewQueries(fresh.engine)
        for needle in ("quokka", "qz", "z", later):
            keys = views.order_keys(OrderFilter(text=needle), "purchase_date", True)
            assert later in keys, needle
            assert views.count_orders(OrderFilter(text=needle)) == len(keys), needle
        assert views.order_keys(OrderFilter(text="quokka"), "purchase_date", True) == [later]
        assert gone not in views.order_keys(OrderFilter(text=gone), "purchase_date", True)
        assert fresh.integrity(full=True).ok
    finally:
        fresh.close()
