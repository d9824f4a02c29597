"""A left-over `-wal` must belong to its database before anything may checkpoint it.

SQLite trusts any self-consistent write-ahead log next to a database file: a `-wal` copied
from another database (a restored backup, a synced folder, a copy taken while the app ran)
is replayed on open and folded into the main file by the first checkpoint, destroying it
for good. SQLCipher encrypts the WAL's frames with the database key, so a stray log shows up
as pages that fail their HMAC when read through it. `check_wal` reads the database through
its log on a read-only connection (a read-only connection never checkpoints) and walks
every b-tree (`PRAGMA quick_check`); if anything fails it refuses, leaving both files as
they were. A `-shm` that only this check created is removed again.

The main file on its own is read only when the read through the log fails, to tell a wrong
key (neither reads) from a stray log (the main file reads, the two together do not). It must
not be a precondition: a kill -9 during a checkpoint leaves a main file that is half old
pages and half new (SQLite copies the log in page order) and unreadable alone, next to the
whole log that makes it consistent again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3

from kinxpro_desktop.core.errors import DatabaseDamaged

WAL_HEADER_BYTES = 32


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def shm_path(path: Path) -> Path:
    return path.with_name(path.name + "-shm")


class StrayWal(DatabaseDamaged):
    title = "Database log does not match"


def check_wal(
    path: Path,
    connect: Callable[[str], Any],
    key_error: Callable[[Exception], Exception],
) -> None:
    """Refuse a `-wal` next to `path` that cannot be read with this database and key.

    `connect(uri)` opens a keyed connection for a URI; `key_error(exc)` turns a failure to
    read the main file itself into the usual wrong-key error.
    """
    wal = wal_path(path)
    try:
        if not path.exists() or wal.stat().st_size <= WAL_HEADER_BYTES:
            return  # no log, or one without frames: nothing to replay
    except FileNotFoundError:
        return
    shm = shm_path(path)
    shm_existed = shm.exists()
    try:
        problem = _read_through_wal(path, connect)
        if problem is not None:
            _check_main_file(path, connect, key_error)  # a wrong key fails here
            raise StrayWal(
                f"The write-ahead log {wal} does not belong to {path.name} (or one of the two "
                f"files is damaged: {problem[:120]}). Kinxpro has changed neither file. Quit "
                f"Kinxpro, move {wal.name} (and {path.name}-shm, if present) out of "
                f"{path.parent}, then start Kinxpro again; if the database still does not "
                "open, restore it from a backup."
            )
    finally:
        if not shm_existed:
            shm.unlink(missing_ok=True)


def _check_main_file(
    path: Path, connect: Callable[[str], Any], key_error: Callable[[Exception], Exception]
) -> None:
    """The key must open the main file on its own (immutable: the log is not read)."""
    conn = connect(path.as_uri() + "?mode=ro&immutable=1")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        raise key_error(exc) from None
    finally:
        conn.close()


def _read_through_wal(path: Path, connect: Callable[[str], Any]) -> str | None:
    """None when the database reads whole through its log; otherwise what failed."""
    conn = connect(path.as_uri() + "?mode=ro")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        result = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlcipher3.DatabaseError as exc:
        result = [f"{type(exc).__name__}: {exc}"]
    finally:
        conn.close()
    return None if result == ["ok"] else result[0]
