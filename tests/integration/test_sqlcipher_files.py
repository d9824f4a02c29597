"""Real SQLCipher files: encrypted on disk, unreadable without the key, untouched on failure."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.errors import DatabaseDamaged, WrongKey
from kinxpro_desktop.store.database import Database
from tests.support.seed import make_orders, pii_strings, store_seeded


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def filled(tmp_path: Path, raw_key: DatabaseKey) -> Path:
    path = tmp_path / "kinxpro.db"
    db = Database.open(path, raw_key)
    store_seeded(db, make_orders(datetime.now(UTC), count=20, days=10))
    db.close()
    return path


def test_file_is_not_plain_sqlite_and_holds_no_buyer_data(filled: Path) -> None:
    data = filled.read_bytes()
    assert data[:16] != b"SQLite format 3\x00"
    seeded = make_orders(datetime.now(UTC), count=20, days=10)
    for p in seeded.pii:
        for value in pii_strings(p):
            assert value.encode() not in data
    assert b"Springfield" not in data  # even non-PII text is encrypted


def test_plain_sqlite3_cannot_read_it(filled: Path) -> None:
    conn = sqlite3.connect(filled)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


def test_wrong_key_fails_clearly_and_leaves_the_folder_byte_identical(filled: Path) -> None:
    before = snapshot(filled.parent)
    wrong = DatabaseKey(raw=secrets.token_bytes(32), source="keyring (test)")
    with pytest.raises(WrongKey) as err:
        Database.open(filled, wrong)
    assert "could not be decrypted" in err.value.message
    assert "Nothing was changed" in err.value.message
    assert snapshot(filled.parent) == before


def test_wrong_passphrase_fails_clearly_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    Database.open(
        path, DatabaseKey(passphrase="correct horse battery", source="passphrase")
    ).close()
    before = snapshot(tmp_path)
    with pytest.raises(WrongKey) as err:
        Database.open(path, DatabaseKey(passphrase="wrong horse", source="passphrase"))
    assert "passphrase does not unlock" in err.value.message
    assert snapshot(tmp_path) == before
    reopened = Database.open(path, DatabaseKey(passphrase="correct horse battery", source="pp"))
    reopened.close()


def test_store_settings_are_applied(filled: Path, raw_key: DatabaseKey) -> None:
    db = Database.open(filled, raw_key)
    try:
        with db.engine.connect() as conn:
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "secure_delete", "foreign_keys", "busy_timeout")
            }
            version = conn.exec_driver_sql("PRAGMA cipher_version").scalar()
    finally:
        db.close()
    assert pragmas == {
        "journal_mode": "wal",
        "secure_delete": 1,
        "foreign_keys": 1,
        "busy_timeout": 10_000,
    }
    assert str(version).startswith("4.")


def test_empty_file_is_refused_untouched(tmp_path: Path, raw_key: DatabaseKey) -> None:
    path = tmp_path / "kinxpro.db"
    path.write_bytes(b"")
    with pytest.raises(DatabaseDamaged, match="is empty"):
        Database.open(path, raw_key)
    assert path.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kinxpro.db"]


def test_truncated_file_is_refused_untouched(filled: Path, raw_key: DatabaseKey) -> None:
    data = filled.read_bytes()
    filled.write_bytes(data[: len(data) - 1000])
    before = snapshot(filled.parent)
    with pytest.raises(DatabaseDamaged, match="truncated"):
        Database.open(filled, raw_key)
    assert snapshot(filled.parent) == before


def test_corrupt_file_is_refused_untouched(filled: Path, raw_key: DatabaseKey) -> None:
    data = bytearray(filled.read_bytes())
    data[0:64] = secrets.token_bytes(64)  # first page (salt and HMAC-checked content)
    filled.write_bytes(bytes(data))
    before = snapshot(filled.parent)
    with pytest.raises(WrongKey, match="damaged"):
        Database.open(filled, raw_key)
    assert snapshot(filled.parent) == before


def test_plain_sqlite_file_is_refused_untouched(tmp_path: Path, raw_key: DatabaseKey) -> None:
    path = tmp_path / "kinxpro.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    before = snapshot(tmp_path)
    with pytest.raises(DatabaseDamaged, match="unencrypted SQLite file"):
        Database.open(path, raw_key)
    assert snapshot(tmp_path) == before
