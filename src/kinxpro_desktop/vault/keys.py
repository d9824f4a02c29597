"""The database key: 32 random bytes in the keyring, or a passphrase held in memory."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from kinxpro_desktop.core.dbkey import KEY_BYTES, SALT_BYTES, DatabaseKey
from kinxpro_desktop.core.errors import KeyMissing, WrongKey
from kinxpro_desktop.vault.secret_store import SecretStore

DB_KEY_NAME = "database-key"


def keyring_database_key(store: SecretStore, database: Path) -> DatabaseKey:
    """Read the key; create one only when no database exists yet."""
    stored = store.get(DB_KEY_NAME)
    source = f"keyring ({store.backend_name})"
    if stored is None:
        if database.exists():
            raise KeyMissing(
                f"The database at {database} exists, but its key is not in the system keyring "
                f"({store.backend_name}). Kinxpro will not create a new database over it. "
                "Restore the keyring entry (for example from a keyring backup), or move the "
                "database away to start afresh."
            )
        key = secrets.token_bytes(KEY_BYTES)
        store.set(DB_KEY_NAME, key.hex())
        return DatabaseKey(raw=key, source=source)
    try:
        raw = bytes.fromhex(stored)
    except ValueError:
        raw = b""
    if len(raw) != KEY_BYTES:
        raise WrongKey(
            "The database key stored in the system keyring is malformed. Restore it from a "
            "keyring backup; Kinxpro has not changed the database."
        )
    return DatabaseKey(raw=raw, source=source)


# SQLCipher 4's defaults: PBKDF2-HMAC-SHA512, 256,000 iterations, a 32-byte key.
KDF_ITERATIONS = 256_000


def passphrase_database_key(passphrase: str, database: Path | None = None) -> DatabaseKey:
    """The key for a passphrase. With the database's path, the KDF runs once here (with the
    file's salt, or a fresh one for a new file) and every connection then opens with the raw
    key and salt in 0.5 ms instead of repeating 105 ms of PBKDF2. The file stays an ordinary
    SQLCipher 4 passphrase database: `PRAGMA key = 'passphrase'` opens it too."""
    if not passphrase:
        raise WrongKey("The passphrase is empty. Type the passphrase that protects this database.")
    if database is None:
        return DatabaseKey(passphrase=passphrase, source="passphrase")
    salt = _salt_of(database) or secrets.token_bytes(SALT_BYTES)
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ITERATIONS)
    return DatabaseKey(raw=key[:KEY_BYTES] + salt, source="passphrase")


def _salt_of(database: Path) -> bytes | None:
    try:
        with open(database, "rb") as fh:
            salt = fh.read(SALT_BYTES)
    except FileNotFoundError:
        return None
    return salt if len(salt) == SALT_BYTES else None


__all__ = ["DatabaseKey", "keyring_database_key", "passphrase_database_key"]
