"""Passphrase mode's day keys: a small file beside the database (``kinxpro.daykeys``, 0600,
written atomically), sealed with AES-256-GCM under HKDF-SHA256 of the raw database key, so
the file alone is useless, and the database alone cannot open buyer data whose day key was
destroyed. Destroying a day rewrites the file without it. Cached in memory behind a lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from filelock import FileLock

from kinxpro_desktop.core.day_keys import DAY_KEY_BYTES
from kinxpro_desktop.core.dbkey import KEY_BYTES, DatabaseKey
from kinxpro_desktop.core.errors import WrongKey

FILE_SUFFIX = ".daykeys"
_FILE_MAGIC = b"KXDK1"
_FILE_INFO = b"kinxpro day-key file v1"


class FileDayKeys:
    """Keys in one file (0600, written atomically), sealed with AES-GCM under HKDF of the
    database key: the file alone, or the database alone, reveals nothing."""

    def __init__(self, path: Path, material: bytes) -> None:
        self._path = path
        self._aead = AESGCM(
            HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=_FILE_INFO).derive(material)
        )
        self._lock = threading.Lock()
        self._keys: dict[str, bytes] | None = None

    @property
    def kind(self) -> str:
        return "key file"

    @property
    def path(self) -> Path:
        return self._path

    def _load(self) -> dict[str, bytes]:
        if self._keys is not None:
            return self._keys
        try:
            blob = self._path.read_bytes()
        except FileNotFoundError:
            self._keys = {}
            return self._keys
        if not blob.startswith(_FILE_MAGIC):
            raise WrongKey(
                f"The day-key file {self._path.name} is damaged. Restore it from the backup "
                "taken with the database; without it buyer data held now cannot be read."
            )
        nonce = blob[len(_FILE_MAGIC) : len(_FILE_MAGIC) + 12]
        try:
            plain = self._aead.decrypt(nonce, blob[len(_FILE_MAGIC) + 12 :], _FILE_MAGIC)
        except InvalidTag:
            raise WrongKey(
                f"The day-key file {self._path.name} does not belong to this database (or was "
                "altered). Put back the file that was beside this database."
            ) from None
        self._keys = {d: bytes.fromhex(k) for d, k in json.loads(plain).items()}
        return self._keys

    def _save(self, keys: dict[str, bytes]) -> None:
        nonce = secrets.token_bytes(12)
        plain = json.dumps({d: k.hex() for d, k in sorted(keys.items())}).encode()
        blob = _FILE_MAGIC + nonce + self._aead.encrypt(nonce, plain, _FILE_MAGIC)
        tmp = self._path.with_name(self._path.name + ".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        try:
            os.write(fd, blob)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self._path)
        try:
            dir_fd = os.open(self._path.parent, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def get(self, day: str) -> bytes | None:
        with self._lock:
            return self._load().get(day)

    def get_or_create(self, day: str) -> bytes:
        with self._lock:
            found = self._load().get(day)
            if found is not None:
                return found
            with self._file_lock():
                keys = self._reload()  # another process (the wipe job) may have changed it
                if day not in keys:
                    keys = {**keys, day: secrets.token_bytes(DAY_KEY_BYTES)}
                    self._save(keys)
                    self._keys = keys
                return keys[day]

    def _file_lock(self) -> FileLock:
        """Read-modify-write across processes (the app and a scheduled wipe): a rewrite from
        a stale copy would bring back keys the other process destroyed."""
        return FileLock(str(self._path.with_name(self._path.name + ".lock")), timeout=30)

    def _reload(self) -> dict[str, bytes]:
        self._keys = None
        return self._load()

    def days(self) -> list[str]:
        with self._lock:
            self._keys = None  # what the file holds now, for verify
            return sorted(self._load())

    def destroy(self, days: Iterable[str]) -> int:
        with self._lock, self._file_lock():
            keys = self._reload()
            gone = set(days) & set(keys)
            if gone:
                kept = {d: k for d, k in keys.items() if d not in gone}
                self._save(kept)
                self._keys = kept
            return len(gone)


def day_key_file(database: Path) -> Path:
    """``kinxpro.db`` -> ``kinxpro.daykeys`` beside it."""
    return database.with_name(database.stem + FILE_SUFFIX)


def file_day_keys(database: Path, key: DatabaseKey | None) -> FileDayKeys:
    """The key file for passphrase mode (and test stores). `key=None` is the unencrypted
    test store: its key file is as unprotected as the database itself."""
    if key is None:
        material = b"\0" * KEY_BYTES
    elif key.raw is not None:
        material = key.raw[:KEY_BYTES]
    else:
        # a passphrase not yet derived: SQLCipher's own KDF with the file's salt
        with open(database, "rb") as fh:
            salt = fh.read(16)
        material = hashlib.pbkdf2_hmac(
            "sha512", (key.passphrase or "").encode("utf-8"), salt, 256_000
        )[:KEY_BYTES]
    return FileDayKeys(day_key_file(database), material)
