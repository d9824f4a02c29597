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
