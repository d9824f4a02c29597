"""Damaged files are named, never written into: page HMACs and structure checks (verify,
the wipe timer, sync), and a left-over `-wal` from another database (refused untouched)."""

from __future__ import annotations

import hashlib
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.errors import DatabaseDamaged
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.engine import PAGE_SIZE
from kinxpro_desktop.store.walcheck import StrayWal
from tests.support.seed import make_orders, store_seeded


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def other_key() -> DatabaseKey:
    return DatabaseKey(raw=secrets.token_bytes(32), source="another database's key")


@pytest.fixture
def filled(tmp_path: Path, raw_key: DatabaseKey) -> Path:
    path = tmp_path / "kinxpro.db"
    db = Database.open(path, raw_key)
    store_seeded(db, make_orders(datetime.now(UTC), count=400, days=20))
    db.close()
    return path


def overwrite(path: Path, page: int, offset: int = 1000, size: int = 21) -> None:
    with open(path, "r+b") as fh:
        fh.seek((page - 1) * PAGE_SIZE + offset)
        fh.write(secrets.token_bytes(size))


def orders_root_page(path: Path, key: DatabaseKey) -> int:
    db = Database.open(path, key)
    try:
        with db.engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT rootpage FROM sqlite_master WHERE name = 'orders'")
                ).scalar_one()
            )
    finally:
        db.close()


# ---------------------------------------------------------------- integrity (issue 9 #7)


def test_an_intact_file_passes_both_checks(filled: Path, raw_key: DatabaseKey) -> None:
    db = Database.open(filled, raw_key)
    try:
        assert db.integrity(full=True).ok
        assert db.integrity(full=False).ok
        report = PrivacyService(db).verify("test")
        assert report.ok
        assert any("intact" in line for line in report.lines() if line.startswith("integrity"))
    finally:
        db.close()


def test_21_bytes_overwritten_in_a_page_are_named_by_verify(
    filled: Path, raw_key: DatabaseKey
) -> None:
    pages = filled.stat().st_size // PAGE_SIZE
    damaged = pages // 2
    overwrite(filled, damaged)
    db = Database.open(filled, raw_key)
    try:
        report = PrivacyService(db).verify("test")
        assert not report.ok
        assert not report.integrity.ok
        assert any(f"page {damaged}" in f for f in report.integrity.findings)
        assert any(line.startswith("integrity: Database file damaged") for line in report.lines())
    finally:
        db.engine.dispose()


def test_a_damaged_root_page_is_named_with_its_table(filled: Path, raw_key: DatabaseKey) -> None:
    root = orders_root_page(filled, raw_key)
    overwrite(filled, root, offset=200)
    db = Database.open(filled, raw_key)
    try:
        report = db.integrity(full=False)
        assert not report.ok
        assert any(f"page {root}" in f and "root page of orders" in f for f in report.findings)
        with pytest.raises(DatabaseDamaged, match="will not write to a damaged database"):
            PrivacyService(db).wipe("system")  # the 15-minute timer path refuses
    finally:
        db.engine.dispose()


# ---------------------------------------------------------------- a stray -wal (issue 9 #6)


def leave_wal(path: Path, key: DatabaseKey, sql: str) -> Path:
    """Run `sql` and copy the -wal while the engine is still open (as a crash leaves it)."""
    db = Database.open(path, key)
    with db.engine.begin() as conn:
        conn.execute(text(sql))
    copy = path.with_name(path.name + ".wal-copy")
    shutil.copy(path.with_name(path.name + "-wal"), copy)
    db.close()
    return copy


@pytest.mark.parametrize(
    "sql",
    [
        # New pages (page 1 is in the log): the first read already fails.
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) "
        "INSERT INTO settings SELECT 'row' || i, '1', 'x' FROM n",
        # Same layout, one page changed in place: page 1 is not in the log, so reading
        # sqlite_master works and only a walk through every b-tree finds the stray page.
        "UPDATE settings SET value_json = '2'",
    ],
    ids=["new-pages", "same-layout"],
)
def test_a_wal_from_another_database_is_refused_and_both_files_stay_untouched(
    tmp_path: Path, raw_key: DatabaseKey, sql: str
) -> None:
    ours = tmp_path / "kinxpro.db"
    theirs = tmp_path / "other" / "kinxpro.db"
    theirs.parent.mkdir()
    for path, key in ((ours, raw_key), (theirs, other := other_key())):
        db = Database.open(path, key)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO settings VALUES ('k', '1', 'x')"))
        db.close()
    stray = leave_wal(theirs, other, sql)
    wal = ours.with_name("kinxpro.db-wal")
    shutil.copy(stray, wal)
    before = (digest(ours), digest(wal))
    with pytest.raises(StrayWal) as caught:
        Database.open(ours, raw_key)
    assert "move kinxpro.db-wal" in caught.value.message
    assert isinstance(caught.value, DatabaseDamaged)
    assert (digest(ours), digest(wal)) == before
    assert not ours.with_name("kinxpro.db-shm").exists()
    wal.rename(tmp_path / "kinxpro.db-wal.aside")  # what the message says to do
    db = Database.open(ours, raw_key)
    try:
        assert db.settings.get("k") == 1
    finally:
        db.close()


def test_the_databases_own_wal_after_a_crash_is_replayed(
    tmp_path: Path, raw_key: DatabaseKey
) -> None:
    path = tmp_path / "kinxpro.db"
    Database.open(path, raw_key).close()
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    db = Database.open(path, raw_key)
    store_seeded(db, make_orders(datetime.now(UTC), count=50, days=5))
    for name in ("kinxpro.db", "kinxpro.db-wal"):  # the files as kill -9 leaves them
        shutil.copy(tmp_path / name, crashed / name)
    db.close()
    assert (crashed / "kinxpro.db-wal").stat().st_size > 32
    again = Database.open(crashed / "kinxpro.db", raw_key)
    try:
        assert again.orders.count() == 50
        assert again.integrity(full=True).ok
    finally:
        again.close()


def test_a_wal_with_the_wrong_key_is_a_wrong_key_error_and_changes_nothing(
    tmp_path: Path, raw_key: DatabaseKey
) -> None:
    from kinxpro_desktop.core.errors import WrongKey

    path = tmp_path / "kinxpro.db"
    Database.open(path, raw_key).close()
    copy = leave_wal(path, raw_key, "INSERT INTO settings VALUES ('k', '1', 'x')")
    wal = path.with_name("kinxpro.db-wal")
    shutil.copy(copy, wal)
    before = (digest(path), digest(wal))
    with pytest.raises(WrongKey):
        Database.open(path, other_key())
    assert (digest(path), digest(wal)) == before


@pytest.mark.parametrize("written", [0.1, 0.5, 0.9])
def test_a_kill_during_a_checkpoint_loses_nothing(
    tmp_path: Path, raw_key: DatabaseKey, written: float
) -> None:
    """kill -9 while SQLite copies the log into the main file (it writes pages in ascending
    order): the main file alone is half old, half new and unreadable, the log is whole. The
    next start reads through the log and replays it (seen in CI as a "wrong key" refusal)."""
    path = tmp_path / "kinxpro.db"
    Database.open(path, raw_key).close()
    old_main = path.read_bytes()
    db = Database.open(path, raw_key)
    # 100 orders: about 370 log frames, below the 1,000-page auto-checkpoint, so the log
    # holds every change since the main file was last whole
    store_seeded(db, make_orders(datetime.now(UTC), count=100, days=20))
    log = path.with_name("kinxpro.db-wal").read_bytes()  # the log as kill -9 leaves it
    db.close()  # the checkpoint completes here: the main file as it ends up
    new_main = path.read_bytes()
    assert len(log) > 32 and new_main != old_main
    pages = len(new_main) // PAGE_SIZE
    cut = max(1, int(pages * written)) * PAGE_SIZE
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    (crashed / "kinxpro.db").write_bytes(new_main[:cut] + old_main[cut:])
    (crashed / "kinxpro.db-wal").write_bytes(log)
    again = Database.open(crashed / "kinxpro.db", raw_key)
    try:
        assert again.orders.count() == 100
        assert again.integrity(full=True).ok
    finally:
        again.close()
