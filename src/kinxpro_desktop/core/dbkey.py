"""The database key as SQLCipher takes it: a raw 32-byte key or a passphrase."""

from __future__ import annotations

from dataclasses import dataclass

KEY_BYTES = 32
SALT_BYTES = 16  # SQLCipher 4 keeps the KDF salt in the file's first 16 bytes


@dataclass(frozen=True)
class DatabaseKey:
    """How SQLCipher gets its key: a raw 32-byte key, a raw key followed by the file's 16-byte
    salt (a passphrase already derived once, so no connection pays the KDF again), or a
    passphrase SQLCipher derives one from."""

    raw: bytes | None = None
    passphrase: str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if (self.raw is None) == (self.passphrase is None):
            raise ValueError("exactly one of raw or passphrase")
        if self.raw is not None and len(self.raw) not in (KEY_BYTES, KEY_BYTES + SALT_BYTES):
            raise ValueError("raw key must be 32 bytes (or 48 with the salt)")

    def __repr__(self) -> str:
        return f"DatabaseKey(source={self.source!r}, <secret>)"


KEYRING = "keyring"
PASSPHRASE = "passphrase"  # noqa: S105 (a mode name)
KEY_SOURCES = (KEYRING, PASSPHRASE)
