"""SQLCipher 4 through SQLAlchemy 2.

The creator applies the key, then reads `sqlite_master` so that a wrong key fails at
once. WAL, secure_delete, foreign keys and a busy timeout are set on every connection.
A file that is empty, truncated or not ours is refused before SQLCipher touches it, and
so is a left-over `-wal` that does not belong to it (checked read-only, before anything
could checkpoint it). Statement parameters never appear in exception text
(`hide_parameters`): they may be buyer data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.pool import QueuePool

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.errors import DatabaseDamaged, WrongKey
from kinxpro_desktop.store.walcheck import check_wal

PAGE_SIZE = 4096
PLAIN_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
CACHE_SIZE_KIB = 64_000
IMMEDIATE = "kinxpro_immediate"  # execution option: BEGIN IMMEDIATE


def key_pragma(key: DatabaseKey) -> str:
    if key.raw is not None:
        return f"PRAGMA key = \"x'{key.raw.hex()}'\""
    assert key.passphrase is not None
    quoted = key.passphrase.replace("'", "''")
    return f"PRAGMA key = '{quoted}'"


def check_file(path: Path) -> None:
    """Refuse files that cannot be a SQLCipher database, leaving them untouched."""
    if not path.exists():
        return
    size = path.stat().st_size
    if size == 0:
        raise DatabaseDamaged(
            f"The database file {path} is empty (0 bytes). Kinxpro has not touched it. "
            "Restore it from a backup, or move it away to start with a new database."
        )
    if size % PAGE_SIZE:
        raise DatabaseDamaged(
            f"The database file {path} is truncated ({size} bytes is not a whole number of "
            f"{PAGE_SIZE}-byte pages). Kinxpro has not touched it. Restore it from a backup."
        )


def _connect_raw(path: Path, key: DatabaseKey | None) -> Any:
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    if key is not None:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(key_pragma(key))
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise _open_error(path, key, exc) from None
    return conn


def _connect_uri(uri: str, key: DatabaseKey | None) -> Any:
    """A connection by URI (the read-only WAL check), keyed like the app's own."""
    conn = sqlcipher3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    if key is not None:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(key_pragma(key))
    return conn


def _open_error(path: Path, key: DatabaseKey | None, exc: Exception) -> Exception:
    header = path.read_bytes()[:16] if path.exists() else b""
    if header == PLAIN_HEADER and key is not None:
        return DatabaseDamaged(
            f"{path} is an unencrypted SQLite file, not a Kinxpro database. "
            "Kinxpro has not touched it; move it away or choose another data folder."
        )
    if key is not None and key.passphrase is not None:
        return WrongKey(
            "The passphrase does not unlock the database (or the file is damaged). "
            "Check the passphrase and try again; nothing was changed."
        )
    return WrongKey(
        f"The database at {path} could not be decrypted with the key from "
        f"{key.source if key else 'nowhere'}: the key does not match or the file is damaged "
        f"({type(exc).__name__}). Nothing was changed. If you restored the database from "
        "another machine, restore its keyring entry too."
    )


def make_engine(
    path: Path,
    key: DatabaseKey | None,
    *,
    pool_size: int = 4,
) -> Engine:
    """An engine over an encrypted file; `key=None` means plain SQLite (tests and benchmarks)."""
    path = Path(path)
    check_file(path)
    check_wal(path, lambda uri: _connect_uri(uri, key), lambda e: _open_error(path, key, e))
    # Open once now so that a wrong key or damaged file fails before anything else runs.
    _connect_raw(path, key).close()

    creator: Callable[[], Any] = lambda: _connect_raw(path, key)  # noqa: E731
    engine = create_engine(
        "sqlite+pysqlite://",
        module=sqlcipher3,
        creator=creator,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=4,
        hide_parameters=True,  # bound values may be buyer data: never in exception text
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA secure_delete = ON")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute(f"PRAGMA cache_size = -{CACHE_SIZE_KIB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # pysqlite's own transaction handling is off (isolation_level=None); begin explicitly.
        # Write transactions (Database.transaction) take the write lock at once, so two
        # writers never deadlock upgrading a read lock.
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DatabaseError as exc:
        engine.dispose()
        raise _open_error(path, key, exc) from None
    return engine


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A write transaction that holds SQLite's write lock from its first statement."""
    with engine.connect().execution_options(**{IMMEDIATE: True}) as conn, conn.begin():
        yield conn


def checkpoint_truncate(engine: Engine) -> tuple[int, int, int]:
    """Fold the WAL into the main file and truncate it, so deleted rows don't linger there.

    Runs outside any transaction (inside one, SQLite cannot checkpoint). Returns SQLite's
    (busy, wal pages, pages checkpointed).
    """
    raw = engine.raw_connection()
    try:
        row = raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()  # type: ignore[union-attr]
    finally:
        raw.close()
    return (int(row[0]), int(row[1]), int(row[2]))


def cipher_info(engine: Engine) -> tuple[str, str]:
    """(SQLCipher version, cipher description)."""
    with engine.connect() as conn:
        version = conn.exec_driver_sql("PRAGMA cipher_version").scalar() or ""
        provider = conn.exec_driver_sql("PRAGMA cipher_provider").scalar() or ""
        kdf = conn.exec_driver_sql("PRAGMA kdf_iter").scalar()
    if not version:
        return ("none (plain SQLite)", "none")
    return (str(version), f"AES-256-CBC, HMAC-SHA512 ({provider}; KDF iterations {kdf})")
