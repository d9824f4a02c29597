"""Backups without buyer data: `create` writes the store's copy under a new random key shown
once as a recovery code; `restore` fills an empty store from a backup. Both are audited; the
restored audit log is the backup's chain, continued by the restore's own entry."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.store.backup import (
    BackupError,
    BackupStats,
    export_backup,
    read_backup,
    restore_backup,
)
from kinxpro_desktop.store.database import Database

KEY_BYTES = 32
_CHECK_BYTES = 2
_GROUP = 5


def recovery_code(key: bytes) -> str:
    """The key and a 2-byte checksum in base32, in groups of five (mistypes are caught)."""
    body = key + hashlib.sha256(key).digest()[:_CHECK_BYTES]
    text = base64.b32encode(body).decode().rstrip("=")
    return "-".join(text[i : i + _GROUP] for i in range(0, len(text), _GROUP))


def parse_recovery_code(code: str) -> bytes:
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    mistyped = BackupError(
        "That is not the backup's recovery code (it has a typing mistake or is incomplete). "
        "Type the code shown when the backup was made, with or without the dashes; nothing "
        "was changed."
    )
    try:
        body = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError:
        raise mistyped from None
    key, check = body[:KEY_BYTES], body[KEY_BYTES:]
    if len(key) != KEY_BYTES or check != hashlib.sha256(key).digest()[:_CHECK_BYTES]:
        raise mistyped
    return key


@dataclass(frozen=True)
class BackupMade:
    path: Path
    recovery_code: str
    stats: BackupStats


class BackupService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def create(self, out: Path, actor: str) -> BackupMade:
        self._db.access.require(Permission.CHANGE_PRIVACY)
        folder = out.parent
        if not folder.is_dir():
            raise BackupError(
                f"The folder {folder} does not exist. Choose an existing folder; nothing was "
                "written."
            )
        key = secrets.token_bytes(KEY_BYTES)
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".part")
        os.close(fd)
        tmp = Path(name)
        try:
            stats = export_backup(self._db, tmp, key)
            with tmp.open("rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, out)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        with self._db.transaction() as uow:
            uow.audit.append(
                AuditEvent.BACKUP_CREATED,
                actor,
                (),
                {
                    "file": out.name,
                    "orders": stats.tables.get("orders", 0),
                    "listings": stats.tables.get("listings", 0),
                    "audit_head": stats.audit_head[0] if stats.audit_head else None,
                    "buyer_data": False,
                },
                at=self._clock(),
            )
        return BackupMade(out, recovery_code(key), stats)

    def restore(self, source: Path, code: str, actor: str) -> BackupStats:
        self._db.access.require(Permission.CHANGE_PRIVACY)
        key = parse_recovery_code(code)
        if not source.is_file():
            raise BackupError(f"{source} is not a file. Give the backup file's path.")
        if self._db.orders.count() or self._db.listings.count():
            raise BackupError(
                "This data folder already holds orders or listings; a restore would replace "
                "them and their audit log. Restore into a new data folder (--data-dir NEW), "
                "then use that folder; nothing was changed."
            )
        replaced = self._db.audit.count()
        restore_backup(self._db, source, key)
        stats = read_backup(source, key)
        with self._db.transaction() as uow:
            uow.audit.append(
                AuditEvent.BACKUP_RESTORED,
                actor,
                (),
                {
                    "file": source.name,
                    "orders": stats.tables.get("orders", 0),
                    "listings": stats.tables.get("listings", 0),
                    "backup_head": stats.audit_head[0] if stats.audit_head else None,
                    "replaced_entries": replaced,
                },
                at=self._clock(),
            )
        self._db.audit.save_anchor()  # the keyring's copy of the head follows the restored log
        return stats
