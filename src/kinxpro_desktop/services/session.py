"""Unlocking the store: key source, failure records, and the audit of both."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kinxpro_desktop.core.errors import UserError, WrongKey
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.engine import check_file
from kinxpro_desktop.vault.keys import (
    DatabaseKey,
    keyring_database_key,
    passphrase_database_key,
)
from kinxpro_desktop.vault.secret_store import KeyringSecretStore, MemorySecretStore, SecretStore

KEYRING = "keyring"
PASSPHRASE = "passphrase"  # noqa: S105 (a mode name)
KEY_SOURCES = (KEYRING, PASSPHRASE)


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
        mode = loc.key_mode_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if mode not in KEY_SOURCES:
        raise UserError(
            f"{loc.key_mode_file} names an unknown key source {mode[:20]!r}; "
            f"it must be {KEYRING!r} or {PASSPHRASE!r}."
        )
    return mode


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _record_failure(loc: StoreLocation, now: datetime, reason: str) -> None:
    try:
        failures = json.loads(loc.unlock_failures_file.read_text(encoding="utf-8"))
        if not isinstance(failures, list):
            failures = []
    except (FileNotFoundError, ValueError):
        failures = []
    failures.append({"at": now.isoformat(), "reason": reason})
    _write_atomic(loc.unlock_failures_file, json.dumps(failures[-100:]))


def _take_failures(loc: StoreLocation) -> list[dict[str, str]]:
    try:
        failures = json.loads(loc.unlock_failures_file.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return []
    loc.unlock_failures_file.unlink(missing_ok=True)
    return [f for f in failures if isinstance(f, dict)] if isinstance(failures, list) else []


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
    check_file(loc.database)  # a damaged file is reported before any key is looked up
    mode = read_key_mode(loc)
    creating = not loc.database.exists()
    if mode is None:
        # Without a marker, an existing database can only be a keyring one.
        mode = (prefer or KEYRING) if creating else KEYRING
    secrets_store: SecretStore
    key: DatabaseKey
    if mode == KEYRING:
        secrets_store = keyring_store(loc.keyring_service)
        key = keyring_database_key(secrets_store, loc.database)
    else:
        if passphrase is None:
            raise UserError(
                "This database is protected by a passphrase. Set KINXPRO_PASSPHRASE or run "
                "from a terminal to be asked for it."
            )
        key = passphrase_database_key(passphrase(creating))
        secrets_store = MemorySecretStore("memory (passphrase mode)")
    try:
        db = Database.open(loc.database, key)
    except WrongKey as exc:
        _record_failure(loc, now(), type(exc).__name__)
        raise
    if creating:
        _write_atomic(loc.key_mode_file, mode + "\n")
    failures = _take_failures(loc)
    for failure in failures:
        db.audit.append(
            "unlock_failed",
            "unknown",
            (),
            {"at": failure.get("at", ""), "reason": failure.get("reason", "")},
        )
    db.audit.append(
        "unlock",
        actor,
        (),
        {"key_source": key.source, "created": creating},
        at=now(),
    )
    return Session(
        db=db, secrets=secrets_store, key_mode=mode, actor=actor, failed_unlocks=len(failures)
    )
