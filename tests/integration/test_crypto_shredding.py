"""Crypto-shredding: buyer data sealed under day keys; the wipe destroys the keys of the days
past the window, so an old copy of the database file cannot reveal them."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, text

from kinxpro_desktop.core.retention import cutoff
from kinxpro_desktop.paths import AppPaths
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.session import StoreLocation, open_session
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.day_key_file import day_key_file
from kinxpro_desktop.store.schema import settings
from kinxpro_desktop.store.shredding import UPGRADE_KEY
from kinxpro_desktop.vault.day_keys import KeyringDayKeys
from kinxpro_desktop.vault.keys import passphrase_database_key
from kinxpro_desktop.vault.secret_store import KeyringSecretStore
from tests.support.seed import Seeded, make_orders, pii_strings, store_seeded

NOW = datetime.now(UTC)


def dump(db: Database) -> str:
    """Every row of every table as text (sqlcipher3 has no iterdump), blobs decoded too."""
    out = []
    with db.engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
        for (name,) in names.all():
            for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"'):  # noqa: S608
                out.extend(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row)
    return "\n".join(out)


def expired_and_kept(seeded: Seeded) -> tuple[list[str], list[str]]:
    """Orders of the days wholly past the window (their keys are destroyed), and the rest.
    The cutoff's own day keeps its key until the next day: its later orders are held."""
    first_kept = cutoff(NOW, 30).date()
    past = {o.order_id for o in seeded.orders if o.purchase_date.date() < first_kept}
    return sorted(past), sorted(o.order_id for o in seeded.orders if o.order_id not in past)


def check_old_copy(copy: Database, seeded: Seeded) -> None:
    expired, kept = expired_and_kept(seeded)
    by_id = {p.order_id: p for p in seeded.pii}
    # The old copy still holds the expired rows, but their day keys are gone.
    assert copy.orders.count_with_pii() == len(seeded.pii)
    assert all(copy.orders.get_pii(i) is None for i in expired)
    assert copy.orders.get_pii(kept[-1]) == by_id[kept[-1]]
    full = dump(copy)
    for p in seeded.pii:
        for value in pii_strings(p):
            assert value not in full, "a seeded buyer string is in the dump"


def test_old_copy_in_passphrase_mode_cannot_reveal_a_destroyed_day(tmp_path: Path) -> None:
    path = tmp_path / "kinxpro.db"
    key = passphrase_database_key("correct horse battery", path)
    db = Database.open(path, key)
    seeded = make_orders(NOW, count=120, days=60)
    store_seeded(db, seeded)
    db.checkpoint()
    old = tmp_path / "old"
    old.mkdir()
    shutil.copy2(path, old / path.name)  # an OS backup taken before the wipe
    assert (day_key_file(path).stat().st_mode & 0o777) == 0o600
    result = PrivacyService(db, clock=lambda: NOW).wipe()
    assert result.day_keys_destroyed >= 29
    assert db.audit.latest("wipe").detail["day_keys_destroyed"] == result.day_keys_destroyed  # type: ignore[union-attr]
    report = PrivacyService(db, clock=lambda: NOW).verify()
    assert report.ok
    assert any(line.startswith("day keys: none older than the window") for line in report.lines())
    db.close()
    # The old database beside today's key file (both copied now, after the destruction).
    shutil.copy2(day_key_file(path), day_key_file(old / path.name))
    copy = Database.open(
        old / path.name, passphrase_database_key("correct horse battery", old / path.name)
    )
    try:
        check_old_copy(copy, seeded)
    finally:
        copy.close()


def test_old_copy_in_keyring_mode_cannot_reveal_a_destroyed_day(
    secret_service_env: dict[str, str], app_paths: AppPaths, tmp_path: Path
) -> None:
    loc = StoreLocation.of(app_paths)
    session = open_session(loc)
    seeded = make_orders(NOW, count=80, days=60)
    store_seeded(session.db, seeded)
    session.db.checkpoint()
    keys = KeyringDayKeys(KeyringSecretStore(app_paths.keyring_service))
    oldest = min(o.purchase_date for o in seeded.orders).date().isoformat()
    assert keys.get(oldest) is not None  # the day key is in the real keyring
    old = tmp_path / "old.db"
    shutil.copy2(app_paths.database, old)
    result = PrivacyService(session.db, clock=lambda: NOW).wipe()
    assert result.day_keys_destroyed >= 29
    assert KeyringDayKeys(KeyringSecretStore(app_paths.keyring_service)).get(oldest) is None
    session.close()
    from kinxpro_desktop.vault.keys import keyring_database_key

    store = KeyringSecretStore(app_paths.keyring_service)
    copy = Database.open(old, keyring_database_key(store, old), KeyringDayKeys(store))
    try:
        check_old_copy(copy, seeded)
    finally:
        copy.close()


def test_verify_reports_a_day_key_older_than_the_window(tmp_path: Path) -> None:
    db = Database.open(
        tmp_path / "kinxpro.db", passphrase_database_key("pw pw pw pw", tmp_path / "kinxpro.db")
    )
    try:
        db.orders.cipher.keys.get_or_create("2001-01-01")
        report = PrivacyService(db, clock=lambda: NOW).verify()
        assert not report.ok
        assert any(f.kind == "day_key" and f.order_ids == ("2001-01-01",) for f in report.findings)
    finally:
        db.close()


def test_existing_plaintext_store_is_reencrypted_once(tmp_path: Path) -> None:
    path = tmp_path / "kinxpro.db"
    key = passphrase_database_key("an old store", path)
    db = Database.open(path, key)
    seeded = make_orders(NOW, count=40, days=20)
    store_seeded(db, seeded)
    # Make it what the previous version left: plaintext buyer data, no upgrade marker.
    with db.engine.begin() as conn:
        for p in seeded.pii:
            conn.execute(
                text(
                    "UPDATE order_pii SET buyer_name = :n, address_line1 = :a WHERE order_id = :i"
                ),
                {"n": p.buyer_name, "a": p.address_line1, "i": p.order_id},
            )
        conn.execute(delete(settings).where(settings.c.key == UPGRADE_KEY))
    assert seeded.pii[0].buyer_name in dump(db)
    db.close()
    db = Database.open(path, passphrase_database_key("an old store", path))
    try:
        full = dump(db)
        assert not any(v in full for p in seeded.pii for v in pii_strings(p))
        assert all(db.orders.get_pii(p.order_id) == p for p in seeded.pii)
    finally:
        db.close()
    db = Database.open(path, passphrase_database_key("an old store", path))  # idempotent
    try:
        assert db.orders.get_pii(seeded.pii[0].order_id) == seeded.pii[0]
    finally:
        db.close()


def test_reads_of_a_destroyed_day_say_deleted_and_search_still_matches_held_names(
    tmp_path: Path,
) -> None:
    """Labels, reveal, buyer-name search and exports work on sealed data; once the day key is
    gone the same reads give 'deleted' (None / no match / blanks), never an exception."""
    from kinxpro_desktop.store.exports import ExportQueries, ExportScope
    from kinxpro_desktop.store.pii_crypto import day_of
    from kinxpro_desktop.store.queries import OrderFilter, ViewQueries
    from kinxpro_desktop.store.timefmt import to_db

    path = tmp_path / "kinxpro.db"
    db = Database.open(path, passphrase_database_key("reads reads", path))
    try:
        seeded = make_orders(NOW, count=30, days=20)
        store_seeded(db, seeded)
        order, pii = seeded.orders[-1], seeded.pii[-1]
        label = b"%PDF-1.4 label for " + pii.recipient_name.encode()
        with db.transaction() as uow:
            row = uow.shipments.add_intent(order.order_id, "UPS", "Ground", NOW)
            uow.shipments.save_label(
                row, order.order_id, label_format="PDF", content=label, checksum="", now=NOW
            )
        assert db.shipments.label(row) == ("PDF", label)
        assert pii.recipient_name not in dump(db)
        views = ViewQueries(db.engine)
        name = pii.buyer_name.split()[0].upper()  # case-insensitive, like the old LIKE
        assert order.order_id in views.order_keys(OrderFilter(text=name), "purchase_date", False)
        exports = ExportQueries(db.engine)
        rows = [r for page in exports.order_pages(ExportScope(), buyer_data=True) for r in page]
        mine = next(r for r in rows if r[0] == order.order_id)
        assert pii.buyer_name in mine and pii.address_line1 in mine

        db.orders.cipher.destroy([day_of(to_db(order.purchase_date))])
        assert db.shipments.label(row) is None
        assert db.orders.get_pii(order.order_id) is None
        keys = views.order_keys(OrderFilter(text=pii.buyer_name), "purchase_date", False)
        assert order.order_id not in keys
        rows = [r for page in exports.order_pages(ExportScope(), buyer_data=True) for r in page]
        mine = next(r for r in rows if r[0] == order.order_id)
        assert pii.buyer_name not in mine and len(mine) == len(rows[0])
    finally:
        db.close()
