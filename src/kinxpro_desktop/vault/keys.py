"""The database key: 32 random bytes in the keyring, or a passphrase held in memory."""

from __future__ import annotations

import secrets
from pathlib import Path

from kinxpro_desktop.core.dbkey import KEY_BYTES, DatabaseKey
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


def passphrase_database_key(passphrase: str) -> DatabaseKey:
    if not passphrase:
        raise WrongKey("The passphrase is empty. Type the passphrase that protects this database.")
    return DatabaseKey(passphrase=passphrase, source="passphrase")


__all__ = ["DatabaseKey", "keyring_database_key", "passphrase_database_key"]
