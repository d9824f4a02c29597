"""The audit chain: any edit, deletion or reordering is found at the right link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.store.database import Database

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path, raw_key: DatabaseKey) -> Database:
    database = Database.open(tmp_path / "kinxpro.db", raw_key)
    for i in range(1, 11):
        database.audit.append(
            "reveal", "owner", (f"111-{i:07d}",), {"n": i}, at=T0 + timedelta(minutes=i)
        )
    yield database  # type: ignore[misc]
    database.close()


def run(db: Database, sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_intact_chain_verifies(db: Database) -> None:
    check = db.audit.verify()
    assert check.ok and check.entries_checked == 10
    assert "intact" in check.describe()


@pytest.mark.parametrize(
    "column, value",
    [
        ("detail", '{"n":99}'),
        ("event", "wipe"),
        ("actor", "shipper"),
        ("object_ids", '["111-9999999"]'),
        ("at", "2026-01-01T00:00:00.000000Z"),
    ],
)
def test_editing_any_field_is_found_at_that_entry(db: Database, column: str, value: str) -> None:
    run(db, f"UPDATE audit_log SET {column} = :v WHERE id = 4", v=value)  # noqa: S608
    check = db.audit.verify()
    assert not check.ok
    assert check.broken_at == 4
    assert "changed" in check.reason


def test_rehashing_an_edited_entry_breaks_the_next_link(db: Database) -> None:
    from kinxpro_desktop.store.audit import entry_hash

    with db.engine.begin() as conn:
        r = conn.execute(text("SELECT * FROM audit_log WHERE id = 6")).one()
        forged = entry_hash(r.prev_hash, 6, r.at, r.event, r.actor, r.object_ids, '{"n":0}')
        conn.execute(
            text("UPDATE audit_log SET detail=:d, hash=:h WHERE id=6"),
            {"d": '{"n":0}', "h": forged},
        )
    check = db.audit.verify()
    assert check.broken_at == 7
    assert "link" in check.reason


def test_deleting_an_entry_in_the_middle_is_found(db: Database) -> None:
    run(db, "DELETE FROM audit_log WHERE id = 5")
    check = db.audit.verify()
    assert check.broken_at == 5
    assert "missing" in check.reason


def test_deleting_the_last_entries_is_found(db: Database) -> None:
    run(db, "DELETE FROM audit_log WHERE id >= 9")
    check = db.audit.verify()
    assert not check.ok
    assert check.broken_at == 9
    assert "removed from the end" in check.reason


def test_reordering_entries_is_found(db: Database) -> None:
    with db.engine.begin() as conn:
        rows = {r.id: r for r in conn.execute(text("SELECT * FROM audit_log WHERE id IN (3, 7)"))}
        for target, source in ((3, 7), (7, 3)):
            s = rows[source]
            conn.execute(
                text(
                    "UPDATE audit_log SET at=:at, event=:e, actor=:a, object_ids=:o, detail=:d,"
                    " prev_hash=:p, hash=:h WHERE id=:id"
                ),
                {
                    "at": s.at,
                    "e": s.event,
                    "a": s.actor,
                    "o": s.object_ids,
                    "d": s.detail,
                    "p": s.prev_hash,
                    "h": s.hash,
                    "id": target,
                },
            )
    check = db.audit.verify()
    assert check.broken_at == 3


def test_pruning_keeps_the_rest_verifiable(db: Database) -> None:
    removed = db.audit.prune(now=T0 + timedelta(days=365, minutes=5, seconds=30))
    assert removed == 5
    check = db.audit.verify()
    assert check.ok, check.describe()
    assert db.audit.latest("audit_pruned") is not None
    run(db, "DELETE FROM audit_log WHERE id = 6")
    assert db.audit.verify().broken_at == 6


def test_entries_survive_reopening(tmp_path: Path, raw_key: DatabaseKey) -> None:
    path = tmp_path / "k.db"
    first = Database.open(path, raw_key)
    first.audit.append("unlock", "owner")
    first.close()
    again = Database.open(path, raw_key)
    again.audit.append("unlock", "owner")
    assert again.audit.verify().entries_checked == 2
    again.close()


# ---------------------------------------------------------------- the head, at unlock


def reopen_as_unlock_does(path: Path, key: DatabaseKey) -> Database:
    """What every start-up does before anyone verifies: open, wipe, append the unlock."""
    from kinxpro_desktop.services.privacy import PrivacyService

    db = Database.open(path, key)
    PrivacyService(db).wipe("system")
    db.audit.append("unlock", "owner", (), {"key_source": "test"})
    return db


def test_entries_deleted_from_the_end_are_found_after_the_next_unlock(
    tmp_path: Path, raw_key: DatabaseKey
) -> None:
    """Issue 9 #1: the new entries used to reuse the deleted ids and overwrite the head."""
    path = tmp_path / "k.db"
    db = Database.open(path, raw_key)
    for i in range(1, 21):
        db.audit.append("reveal", "owner", (f"111-{i:07d}",), {"n": i})
    run(db, "DELETE FROM audit_log WHERE id > 13")
    db.close()
    again = reopen_as_unlock_does(path, raw_key)
    try:
        assert not again.chain_at_open.ok
        assert "removed from the end" in again.chain_at_open.reason
        check = again.audit.verify()
        assert not check.ok
        assert check.broken_at == 14
        ids = [e.entry_id for e in again.audit.entries()]
        assert min(i for i in ids if i > 13) > 20  # nothing reused a deleted id
        sealed = again.audit.latest("audit_chain_broken")
        assert sealed is not None and sealed.detail["broken_at"] == 14
    finally:
        again.close()


def test_a_dropped_audit_table_is_a_named_finding_and_auditing_goes_on(
    tmp_path: Path, raw_key: DatabaseKey
) -> None:
    path = tmp_path / "k.db"
    db = Database.open(path, raw_key)
    for _ in range(5):
        db.audit.append("reveal", "owner")
    run(db, "DROP TABLE audit_log")
    check = db.audit.verify()  # used to crash with OperationalError
    assert not check.ok and "audit_log table is missing" in check.reason
    db.close()
    again = reopen_as_unlock_does(path, raw_key)
    try:
        assert "table is missing" in again.chain_at_open.reason
        check = again.audit.verify()
        assert not check.ok
        assert "table is missing" in check.reason
        assert again.audit.latest("unlock") is not None
    finally:
        again.close()


def test_a_deleted_head_record_is_a_named_finding(tmp_path: Path, raw_key: DatabaseKey) -> None:
    path = tmp_path / "k.db"
    db = Database.open(path, raw_key)
    for _ in range(5):
        db.audit.append("reveal", "owner")
    run(db, "DELETE FROM audit_anchor WHERE name = 'head'")
    assert "head record is missing" in db.audit.verify().reason
    db.close()
    again = reopen_as_unlock_does(path, raw_key)
    try:
        check = again.audit.verify()
        assert not check.ok
        assert "head record is missing" in check.reason
    finally:
        again.close()


def test_an_append_refuses_a_head_that_does_not_match_the_last_row(db: Database) -> None:
    from kinxpro_desktop.store.audit import AuditChainBroken, entry_hash

    with db.engine.begin() as conn:  # a forged entry after the head, head left alone
        r = conn.execute(text("SELECT * FROM audit_log WHERE id = 10")).one()
        h = entry_hash(r.hash, 11, r.at, "wipe", "owner", "[]", "{}")
        conn.execute(
            text(
                "INSERT INTO audit_log (id, at, event, actor, object_ids, detail, prev_hash,"
                " hash) VALUES (11, :at, 'wipe', 'owner', '[]', '{}', :p, :h)"
            ),
            {"at": r.at, "p": r.hash, "h": h},
        )
    head_before = db.audit.check_head()
    assert not head_before.ok and "does not match" in head_before.reason
    with pytest.raises(AuditChainBroken, match="will not write over it"):
        db.audit.append("unlock", "owner")
    check = db.audit.verify()
    assert not check.ok and check.broken_at == 10


def test_a_broken_head_found_at_open_stays_a_finding(tmp_path: Path, raw_key: DatabaseKey) -> None:
    path = tmp_path / "k.db"
    db = Database.open(path, raw_key)
    for _ in range(5):
        db.audit.append("reveal", "owner")
    run(db, "UPDATE audit_anchor SET entry_id = 3 WHERE name = 'head'")
    db.close()
    for _ in range(2):  # later unlocks neither hide nor repeat the finding
        again = reopen_as_unlock_does(path, raw_key)
        check = again.audit.verify()
        again.close()
        assert not check.ok
        assert "found altered at entry 3" in check.reason


class DictStore:
    """A stand-in for the keyring SecretStore (the real one is tested with gnome-keyring)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value


def rewrite_from(db: Database, first: int) -> None:
    """What someone holding the database key can do: edit an entry, re-hash the rest."""
    from kinxpro_desktop.store.audit import entry_hash

    with db.engine.begin() as conn:
        rows = conn.execute(text("SELECT * FROM audit_log ORDER BY id")).all()
        prev = next(r.hash for r in rows if r.id == first - 1)
        for r in rows:
            if r.id < first:
                continue
            detail = '{"n":0}' if r.id == first else r.detail
            h = entry_hash(prev, r.id, r.at, r.event, r.actor, r.object_ids, detail)
            conn.execute(
                text("UPDATE audit_log SET detail=:d, prev_hash=:p, hash=:h WHERE id=:i"),
                {"d": detail, "p": prev, "h": h, "i": r.id},
            )
            prev = h
        conn.execute(text("UPDATE audit_anchor SET hash=:h WHERE name='head'"), {"h": prev})


def test_a_rehashed_chain_passes_alone_but_not_against_the_keyring_copy(
    tmp_path: Path, raw_key: DatabaseKey
) -> None:
    path = tmp_path / "k.db"
    store = DictStore()
    db = Database.open(path, raw_key)
    db.anchor_audit(store)
    for i in range(1, 11):
        db.audit.append("reveal", "owner", (), {"n": i})
    db.close()  # the head goes to the keyring
    assert store.values["audit-head"].startswith("10:")
    plain = Database.open(path, raw_key)
    rewrite_from(plain, 4)
    assert plain.audit.verify().ok  # the limit of a chain without a key: it re-hashes
    plain.engine.dispose()
    anchored = Database.open(path, raw_key)
    anchored.anchor_audit(store)
    check = anchored.audit.verify()
    anchored.engine.dispose()
    assert not check.ok
    assert check.broken_at == 10
    assert "keyring" in check.reason and "rewritten" in check.reason
