"""Unlocking the store: key source, atomic creation, failure records, and the audit of all.

A new store is created atomically: the key-source marker is written first, the database is
built and migrated aside (same folder, temporary name, 0600) and moved into place only when
it works. An interrupted first run therefore leaves either nothing usable-looking or a working
store; a leftover from older versions (a lone 4 KiB header) is named as such.
"""

from __future__ import annotations

import errno
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kinxpro_desktop.core.day_keys import DayKeyStore
from kinxpro_desktop.core.dbkey import KEY_SOURCES, KEYRING, PASSPHRASE
from kinxpro_desktop.core.errors import (
    DatabaseDamaged,
    DiskFull,
    MigrationFailed,
    UserError,
    WrongKey,
    safe_traceback,
)
from kinxpro_desktop.core.passphrase import PASSPHRASE_ENV, check_new_passphrase
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.engine import PAGE_SIZE, check_file
from kinxpro_desktop.store.secrets_repo import SecretsRepository
from kinxpro_desktop.vault.day_keys import KeyringDayKeys
from kinxpro_desktop.vault.db_secret_store import DatabaseSecretStore
from kinxpro_desktop.vault.keys import (
    DatabaseKey,
    keyring_database_key,
    passphrase_database_key,
)
from kinxpro_desktop.vault.secret_store import KeyringSecretStore, SecretStore

log = logging.getLogger(__name__)

__all__ = [
    "KEYRING",
    "KEY_SOURCES",
    "PASSPHRASE",
    "Session",
    "StoreLocation",
    "effective_key_mode",
    "open_session",
    "read_key_mode",
]

PASSPHRASE_STORE_NAME = "encrypted database (passphrase mode)"  # noqa: S105 (a label)

MAX_FAILURES_BYTES = 64 * 1024
MAX_FAILURES = 100
FAILURE_REASONS = frozenset({"WrongKey", "KeyMissing", "KeyringLocked", "DatabaseDamaged"})
CREATING_PREFIX = ".creating-"
UNLOCK_REFUSED = (
    "The passphrase does not unlock the database (or the file is damaged). "
    "Check the passphrase and try again; nothing was changed."
)


@dataclass(frozen=True)
class StoreLocation:
    """Where one data folder keeps its database and non-secret markers."""

    database: Path
    key_mode_file: Path
    unlock_failures_file: Path
    keyring_service: str

    @classmethod
    def of(cls, paths: object) -> StoreLocation:
        """From any object with these four attributes (the app's AppPaths)."""
        return cls(
            database=paths.database,  # type: ignore[attr-defined]
            key_mode_file=paths.key_mode_file,  # type: ignore[attr-defined]
            unlock_failures_file=paths.unlock_failures_file,  # type: ignore[attr-defined]
            keyring_service=paths.keyring_service,  # type: ignore[attr-defined]
        )


@dataclass
class Session:
    db: Database
    secrets: SecretStore
    key_mode: str
    actor: str = "owner"
    failed_unlocks: int = 0  # failed attempts since the last successful unlock

    def close(self) -> None:
        self.db.close()


def read_key_mode(loc: StoreLocation) -> str | None:
    try:
        mode = loc.key_mode_file.read_text(encoding="utf-8", errors="replace").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UserError(
            f"Cannot read {loc.key_mode_file} ({exc.strerror}). Make it a readable file holding "
            f"{KEYRING!r} or {PASSPHRASE!r}, or remove it if no database exists yet."
        ) from None
    if mode not in KEY_SOURCES:
        raise UserError(
            f"{loc.key_mode_file} names an unknown key source {mode[:20]!r}; "
            f"it must be {KEYRING!r} or {PASSPHRASE!r}."
        )
    return mode


def effective_key_mode(loc: StoreLocation, prefer: str | None) -> str:
    """An existing database keeps its own key source; a new one takes the preference."""
    marker = read_key_mode(loc)
    if loc.database.exists():
        # Without a marker, an existing database can only be a keyring one.
        return marker or KEYRING
    return prefer or marker or KEYRING


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read_failures(loc: StoreLocation) -> tuple[list[dict[str, str]], bool]:
    """(well-formed entries, whether the file held anything else). Bounded and whitelisted."""
    try:
        with open(loc.unlock_failures_file, "rb") as fh:
            raw = fh.read(MAX_FAILURES_BYTES + 1)
    except FileNotFoundError:
        return [], False
    except OSError:
        return [], True
    if len(raw) > MAX_FAILURES_BYTES:
        return [], True
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return [], True
    if not isinstance(data, list):
        return [], True
    entries: list[dict[str, str]] = []
    odd = False
    for item in data[-MAX_FAILURES:]:
        at = item.get("at") if isinstance(item, dict) else None
        reason = item.get("reason") if isinstance(item, dict) else None
        try:
            moment = datetime.fromisoformat(at) if isinstance(at, str) and len(at) <= 40 else None
        except ValueError:
            moment = None
        if moment is None:
            odd = True
            continue
        if reason not in FAILURE_REASONS:
            odd = True
            reason = "other"
        entries.append({"at": moment.isoformat(), "reason": str(reason)})
    return entries, odd or len(data) > MAX_FAILURES


def _record_failure(loc: StoreLocation, now: datetime, reason: str) -> None:
    failures, _odd = _read_failures(loc)
    failures.append(
        {"at": now.isoformat(), "reason": reason if reason in FAILURE_REASONS else "other"}
    )
    try:
        _write_atomic(loc.unlock_failures_file, json.dumps(failures[-MAX_FAILURES:]))
    except OSError:
        log.warning("could not record a failed unlock in %s", loc.unlock_failures_file.name)


def _take_failures(loc: StoreLocation) -> tuple[list[dict[str, str]], bool]:
    failures, odd = _read_failures(loc)
    try:
        loc.unlock_failures_file.unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove %s", loc.unlock_failures_file.name)
    return failures, odd


def check_leftover(loc: StoreLocation) -> None:
    """A database that is only a header is what an interrupted older first run left behind."""
    try:
        size = loc.database.stat().st_size
    except FileNotFoundError:
        return
    if size == PAGE_SIZE:
        raise DatabaseDamaged(
            f"The database file {loc.database} holds only a database header ({size} bytes): it "
            "is what an interrupted first run left behind and contains no data. Kinxpro has not "
            "touched it. Delete it (or move it away), then start again to create a new store."
        )


def _disk_full(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        if "disk is full" in str(getattr(seen, "orig", "") or "") or "disk is full" in str(
            seen.args[0] if seen.args and isinstance(seen.args[0], str) else ""
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _remove_store_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove %s%s", path.name, suffix)


def _move_in(aside: Path, final: Path) -> None:
    """Put the finished store in place, never over one that appeared meanwhile."""
    try:
        os.link(aside, final)  # atomic, and fails if `final` exists
    except FileExistsError:
        raise UserError(
            f"A database appeared at {final} while this one was being created (another Kinxpro "
            "on the same folder?). Nothing was overwritten; start Kinxpro again."
        ) from None
    except OSError:  # no hard links on this file system
        if final.exists():
            raise UserError(
                f"A database appeared at {final} while this one was being created. Nothing was "
                "overwritten; start Kinxpro again."
            ) from None
        os.replace(aside, final)
        return
    aside.unlink()


def _create_store(
    loc: StoreLocation, key: DatabaseKey, mode: str, day_keys: DayKeyStore | None = None
) -> Database:
    """Marker first, the database built and migrated aside, then moved into place."""
    folder = loc.database.parent
    for stale in folder.glob(f"{loc.database.name}{CREATING_PREFIX}*"):
        try:
            stale.unlink()  # what an interrupted first run left aside; never the real store
        except OSError:
            log.warning("could not remove %s", stale.name)
    aside = loc.database.with_name(f"{loc.database.name}{CREATING_PREFIX}{os.getpid()}")
    try:
        _write_atomic(loc.key_mode_file, mode + "\n")
        Database.open(aside, key).close()
        os.chmod(aside, 0o600)
        with open(aside, "rb") as fh:
            os.fsync(fh.fileno())
        _move_in(aside, loc.database)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException as exc:
        _remove_store_files(aside)
        if isinstance(exc, Exception) and _disk_full(exc):
            raise DiskFull(
                f"The disk holding {folder} is full, so the new database could not be created. "
                "Free some space, then start again; nothing was left behind."
            ) from None
        if isinstance(exc, OSError):
            from kinxpro_desktop.paths import folder_error

            raise folder_error(folder, exc) from None
        if isinstance(exc, MigrationFailed):
            log.error("creating the store failed\n%s", safe_traceback(exc))
            raise MigrationFailed(
                f"Creating the new database in {folder} failed ({type(exc.__cause__).__name__}); "
                "nothing was left behind. Send the log file to support."
            ) from None
        raise
    return Database.open(loc.database, key, day_keys)


def open_session(
    loc: StoreLocation,
    *,
    prefer: str | None = None,
    passphrase: Callable[[bool], str] | None = None,
    keyring_store: Callable[[str], SecretStore] = KeyringSecretStore,
    actor: str = "owner",
    now: Callable[[], datetime] = utcnow,
) -> Session:
    """Unlock (or create) the store.

    `prefer` chooses the key source for a new data folder; an existing one keeps its own.
    `passphrase(new)` is asked for the passphrase only in passphrase mode (`new` is True when
    the database does not exist yet, so a GUI can ask twice).
    """
    check_leftover(loc)
    check_file(loc.database)  # a damaged file is reported before any key is looked up
    creating = not loc.database.exists()
    mode = effective_key_mode(loc, prefer)
    secrets_store: SecretStore | None = None
    key: DatabaseKey
    if mode == KEYRING:
        secrets_store = keyring_store(loc.keyring_service)
        key = keyring_database_key(secrets_store, loc.database)
    else:
        if passphrase is None:
            raise UserError(
                "This database is protected by a passphrase. Set "
                f"{PASSPHRASE_ENV} or run from a terminal to be asked for it."
            )
        text = passphrase(creating)
        if creating:
            check_new_passphrase(text)
        key = passphrase_database_key(text, loc.database)
    # buyer data's day keys: the keyring; passphrase mode: the key file beside the database
    day_keys = KeyringDayKeys(secrets_store) if secrets_store is not None else None
    if creating:
        db = _create_store(loc, key, mode, day_keys)
    else:
        try:
            db = Database.open(loc.database, key, day_keys)
        except WrongKey as exc:
            _record_failure(loc, now(), type(exc).__name__)
            if mode == PASSPHRASE:
                raise WrongKey(UNLOCK_REFUSED) from None
            raise
    try:
        if secrets_store is None:
            secrets_store = DatabaseSecretStore(SecretsRepository(db.engine), PASSPHRASE_STORE_NAME)
        else:
            # keyring mode: a copy of the audit head outside the file, compared at verify
            db.anchor_audit(secrets_store)
        failures, odd = _take_failures(loc)
        for failure in failures:
            db.audit.append(AuditEvent.UNLOCK_FAILED, Actor.UNKNOWN, (), dict(failure))
        if odd:
            db.audit.append(
                AuditEvent.SECURITY_ALERT,
                Actor.SYSTEM,
                (),
                {"alert": "the failed-unlock record held malformed entries; they were dropped"},
            )
        db.audit.append(
            AuditEvent.UNLOCK, actor, (), {"key_source": key.source, "created": creating}, at=now()
        )
    except BaseException:
        db.close()
        raise
    return Session(
        db=db, secrets=secrets_store, key_mode=mode, actor=actor, failed_unlocks=len(failures)
    )
