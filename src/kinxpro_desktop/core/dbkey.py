"""The database key as SQLCipher takes it: a raw 32-byte key or a passphrase."""

from __future__ import annotations

from dataclasses import dataclass

KEY_BYTES = 32


@dataclass(frozen=True)
class DatabaseKey:
    """How SQLCipher gets its key: a raw 32-byte key, or a passphrase it derives one from."""

    raw: bytes | None = None
    passphrase: str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if (self.raw is None) == (self.passphrase is None):
            raise ValueError("exactly one of raw or passphrase")
        if self.raw is not None and len(self.raw) != KEY_BYTES:
            raise ValueError("raw key must be 32 bytes")

    def __repr__(self) -> str:
        return f"DatabaseKey(source={self.source!r}, <secret>)"


KEYRING = "keyring"
PASSPHRASE = "passphrase"  # noqa: S105 (a mode name)
KEY_SOURCES = (KEYRING, PASSPHRASE)
