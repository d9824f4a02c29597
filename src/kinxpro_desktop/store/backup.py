"""Backups without buyer data, at the SQLCipher level.

`export_backup` copies the store into a new file under its own raw key (`sqlcipher_export`
through ATTACH), then, in the copy only, deletes every row of the buyer-data tables, the label
documents and the stored secrets, VACUUMs it (no freed page keeps a byte of them) and verifies
it. `restore_backup` copies a backup's tables into an empty store in one transaction: the
buyer-data tables stay empty, so a restore never brings back buyer data.

`key=None` writes an unencrypted copy: a test-only switch to prove the bytes hold no buyer data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.store import order_search
from kinxpro_desktop.store.database import Database

#: Never in a backup: buyer data, label documents (they print the address), secrets.
EXCLUDED = ("order_pii", "label_documents", "secrets")
#: Managed by the restore itself, not copied as data.
_NOT_DATA = ("alembic_version", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4")
_ALIAS = "kx_backup"


class BackupError(UserError):
    title = "Backup"


@dataclass(frozen=True)
class BackupStats:
    tables: dict[str, int]  # rows per table in the backup
    schema: str  # alembic revision
    audit_head: tuple[int, str] | None  # (entry id, hash)


def _key_text(key: bytes | None) -> str:
    return "" if key is None else f"x'{key.hex()}'"


def _raw(db: Database) -> Any:
    raw = db.engine.raw_connection()
    return raw


def _connect(path: Path, key: bytes | None) -> Any:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    if key is not None:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f'PRAGMA key = "{_key_text(key)}"')
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        conn.close()
        raise BackupError(
            f"{path.name} cannot be opened with this recovery code (a mistyped code, or not "
            "a Kinxpro backup). Check the code and the file; nothing was changed."
        ) from None
    return conn


def _tables(conn: Any, schema: str = "main") -> list[str]:
    rows = conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name"  # noqa: S608
    ).fetchall()
    return [str(r[0]) for r in rows]


def _columns(conn: Any, table: str, schema: str = "main") -> list[str]:
    return [str(r[1]) for r in conn.execute(f'PRAGMA {schema}.table_info("{table}")').fetchall()]


def stats_of(conn: Any) -> BackupStats:
    tables = {
        t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # noqa: S608
        for t in _tables(conn)
    }
    rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    head = conn.execute("SELECT entry_id, hash FROM audit_anchor WHERE name = 'head'").fetchone()
    return BackupStats(
        tables, str(rev[0]) if rev else "", (int(head[0]), str(head[1])) if head else None
    )


def export_backup(db: Database, target: Path, key: bytes | None) -> BackupStats:
    """Write the scrubbed, verified copy to `target` (a new file; the caller renames it)."""
    if target.exists():
        target.unlink()
    raw = _raw(db)
    try:
        conn = raw.driver_connection
        conn.execute(f"ATTACH DATABASE ? AS {_ALIAS} KEY ?", (str(target), _key_text(key)))
        try:
            conn.execute(f"SELECT sqlcipher_export('{_ALIAS}')").fetchall()
        finally:
            conn.execute(f"DETACH DATABASE {_ALIAS}")
    finally:
        raw.close()
    copy = _connect(target, key)
    try:
        copy.execute("PRAGMA journal_mode = MEMORY")  # no journal file beside the copy
        copy.execute("PRAGMA secure_delete = ON")
        copy.execute("BEGIN IMMEDIATE")
        present = set(_tables(copy))
        for table in EXCLUDED:
            if table in present:
                copy.execute(f'DELETE FROM "{table}"')  # noqa: S608
        copy.execute("COMMIT")
        copy.execute("VACUUM")
        return verify_backup_conn(copy)
    finally:
        copy.close()


def verify_backup_conn(conn: Any) -> BackupStats:
    check = conn.execute("PRAGMA integrity_check").fetchone()
    if not check or check[0] != "ok":
        raise BackupError("The backup failed its integrity check; nothing was kept. Try again.")
    stats = stats_of(conn)
    left = {t: n for t, n in stats.tables.items() if t in EXCLUDED and n}
    if left:
        raise BackupError(
            "The backup still held buyer data or secrets (" + ", ".join(left) + "); it was not "
            "kept. Please report this."
        )
    return stats


def read_backup(path: Path, key: bytes) -> BackupStats:
    conn = _connect(path, key)
    try:
        return verify_backup_conn(conn)
    finally:
        conn.close()


def restore_backup(
    db: Database, source: Path, key: bytes, keep: Sequence[str] = ("secrets",)
) -> None:
    """Replace the store's tables with the backup's (one transaction). Buyer-data tables and
    label documents are emptied and not copied; `keep` tables (this folder's own stored
    credentials) stay as they are."""
    read_backup(source, key)  # readable, intact, without buyer data
    raw = _raw(db)
    try:
        conn = raw.driver_connection
        conn.execute(f"ATTACH DATABASE ? AS {_ALIAS} KEY ?", (str(source), _key_text(key)))
        try:
            theirs_rev = conn.execute(f"SELECT version_num FROM {_ALIAS}.alembic_version")  # noqa: S608
            ours_rev = conn.execute("SELECT version_num FROM main.alembic_version")
            theirs, ours = theirs_rev.fetchone(), ours_rev.fetchone()
            if theirs != ours:
                raise BackupError(
                    f"The backup was made by a Kinxpro with another database version "
                    f"({theirs[0] if theirs else '?'}; this one is {ours[0] if ours else '?'}). "
                    "Restore it with the Kinxpro version that made it; nothing was changed."
                )
            _copy_tables(conn, keep)
        finally:
            conn.execute(f"DETACH DATABASE {_ALIAS}")
    finally:
        raw.close()
    db.checkpoint()


def _copy_tables(conn: Any, keep: Sequence[str]) -> None:
    theirs = set(_tables(conn, _ALIAS))
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for table in _tables(conn):
            if table in _NOT_DATA or table in keep or order_search.is_search_table(table):
                continue
            conn.execute(f'DELETE FROM main."{table}"')  # noqa: S608
            if table in EXCLUDED or table not in theirs:
                continue
            cols = ", ".join(f'"{c}"' for c in _columns(conn, table, _ALIAS))
            conn.execute(
                f'INSERT INTO main."{table}" ({cols}) SELECT {cols} FROM {_ALIAS}."{table}"'  # noqa: S608
            )
        for sql in order_search.REBUILD_SQL:  # the copied orders have rowids of their own
            conn.execute(sql)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
