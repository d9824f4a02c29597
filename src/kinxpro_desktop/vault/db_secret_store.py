"""Passphrase mode's SecretStore: secrets inside the encrypted database.

The database key is derived from the passphrase, so these secrets are exactly as safe as
the rest of the file, and a passphrase user connects once: a scheduled headless `sync`
(passphrase from KINXPRO_PASSPHRASE) finds the credentials again.

The vault does not import the store (they are sibling layers): the session hands this
class the store's repository, which only has to offer get/set/delete.
"""

from __future__ import annotations

import threading
from typing import Protocol


class SecretRows(Protocol):
    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


class DatabaseSecretStore:
    """Secrets in the `secrets` table of the encrypted database, every call under one lock."""

    def __init__(self, rows: SecretRows, backend_name: str = "encrypted database") -> None:
        self._rows = rows
        self._name = backend_name
        self._lock = threading.Lock()

    @property
    def backend_name(self) -> str:
        return self._name

    def get(self, name: str) -> str | None:
        with self._lock:
            return self._rows.get(name)

    def set(self, name: str, value: str) -> None:
        with self._lock:
            self._rows.set(name, value)

    def delete(self, name: str) -> None:
        with self._lock:
            self._rows.delete(name)
