"""The day-key store the database uses for crypto-shredding (stdlib only).

Each order's buyer data is sealed under a random key for its purchase day (the UTC date of
placed_at, ``YYYY-MM-DD``). Destroying a day's key is what makes that day's buyer data
unreadable for good, even in an old copy of the database file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

DAY_KEY_BYTES = 32
DAY_KEY_PREFIX = "pii-day-key/"  # keyring entry names: pii-day-key/2026-11-30


class DayKeyStore(Protocol):
    @property
    def kind(self) -> str:
        """Where the keys live, for status and verify ("keyring (...)", "key file")."""
        ...

    def get(self, day: str) -> bytes | None:
        """The day's key, or None when it was never made or has been destroyed."""
        ...

    def get_or_create(self, day: str) -> bytes: ...

    def days(self) -> list[str]:
        """Days that have a key, oldest first."""
        ...

    def destroy(self, days: Iterable[str]) -> int:
        """Destroy these days' keys; returns how many existed."""
        ...
