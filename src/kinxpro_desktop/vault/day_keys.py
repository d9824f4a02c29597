"""Day keys for crypto-shredding in the keyring (keyring mode). Passphrase mode keeps them in
a key file beside the database: `store.day_key_file` (the store layer owns the files beside
the database, and the vault and the store may not import each other).

It caches the keys in memory for the session behind one lock, so the orders read path never
calls the keyring per row. Missing days are cached too (a destroyed day stays destroyed).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable

from kinxpro_desktop.core.day_keys import DAY_KEY_BYTES, DAY_KEY_PREFIX
from kinxpro_desktop.vault.secret_store import SecretStore

INDEX_NAME = "pii-day-keys"  # keyring entry: JSON list of the days that have a key


class KeyringDayKeys:
    """Keys as ``pii-day-key/YYYY-MM-DD`` entries of the data folder's keyring service."""

    def __init__(self, store: SecretStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._cache: dict[str, bytes | None] = {}

    @property
    def kind(self) -> str:
        return f"keyring ({self._store.backend_name})"

    def _index(self) -> set[str]:
        raw = self._store.get(INDEX_NAME)
        try:
            days = json.loads(raw) if raw else []
        except ValueError:
            days = []
        return {d for d in days if isinstance(d, str)}

    def get(self, day: str) -> bytes | None:
        with self._lock:
            if day in self._cache:
                return self._cache[day]
            text = self._store.get(DAY_KEY_PREFIX + day)
            key = _from_hex(text)
            self._cache[day] = key
            return key

    def get_or_create(self, day: str) -> bytes:
        found = self.get(day)
        if found is not None:
            return found
        with self._lock:
            key = _from_hex(self._store.get(DAY_KEY_PREFIX + day))
            if key is None:
                key = secrets.token_bytes(DAY_KEY_BYTES)
                index = self._index() | {day}
                # The index first: a key the index does not name could escape destruction.
                self._store.set(INDEX_NAME, json.dumps(sorted(index)))
                self._store.set(DAY_KEY_PREFIX + day, key.hex())
            self._cache[day] = key
            return key

    def days(self) -> list[str]:
        """The index (written before a key is made, trimmed only after its key is deleted):
        one keyring read, where probing every entry cost ~18 ms a day on Secret Service."""
        with self._lock:
            return sorted(self._index())

    def destroy(self, days: Iterable[str]) -> int:
        """Delete each day's entry (a missing one is no error), then trim the index; a
        failed delete leaves its day in the index, so verify still reports it."""
        wanted = set(days)
        with self._lock:
            index = self._index()
            for day in sorted(wanted):
                self._store.delete(DAY_KEY_PREFIX + day)
                self._cache[day] = None
            if index & wanted:
                self._store.set(INDEX_NAME, json.dumps(sorted(index - wanted)))
        return len(index & wanted)


def _from_hex(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    return raw if len(raw) == DAY_KEY_BYTES else None
