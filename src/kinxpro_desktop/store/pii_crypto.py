"""Field encryption of buyer data under day keys (crypto-shredding).

Every non-empty PII field is sealed with AES-256-GCM under the key of the order's purchase
day (UTC date of placed_at), a random 96-bit nonce per field, and the order id and field name
as associated data (a value moved to another order or column does not open). Text columns
hold ``kx1:`` + base64(nonce || ciphertext); label bytes hold ``KXD1`` + nonce || ciphertext.
A field whose day key is gone reads as deleted (None), never as an exception.

The cipher of a store is registered against its engine when the Database opens, so every
repository (and the read models services build from ``db.engine``) finds the same one.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import weakref
from binascii import b2a_base64
from collections.abc import Iterable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine

from kinxpro_desktop.core.day_keys import DayKeyStore

log = logging.getLogger(__name__)

TEXT_PREFIX = "kx1:"
BLOB_MAGIC = b"KXD1"
LABEL_FIELD = "label_document"
_NONCE = 12


def day_of(placed_at: str) -> str:
    """The purchase day of a stored placed_at (ISO UTC text)."""
    return placed_at[:10]


def _ad(order_id: str, field: str) -> bytes:
    return f"{order_id}\0{field}".encode()


class PiiCipher:
    def __init__(self, keys: DayKeyStore) -> None:
        self._keys = keys
        self._lock = threading.Lock()
        self._aead: dict[str, AESGCM | None] = {}

    @property
    def keys(self) -> DayKeyStore:
        return self._keys

    def _for(self, day: str, *, create: bool) -> AESGCM | None:
        with self._lock:
            found = self._aead.get(day)
            if found is not None or (day in self._aead and not create):
                return found
        key = self._keys.get_or_create(day) if create else self._keys.get(day)
        aead = AESGCM(key) if key is not None else None
        with self._lock:
            self._aead[day] = aead
        return aead

    def _sealer(self, placed_at: str) -> AESGCM:
        aead = self._for(day_of(placed_at), create=True)
        assert aead is not None
        return aead

    def seal_fields(
        self, order_id: str, placed_at: str, fields: Sequence[str], values: Sequence[str]
    ) -> list[str]:
        encrypt = self._sealer(placed_at).encrypt
        nonces = os.urandom(_NONCE * len(values))  # one call per row, not per field
        out = []
        for k, (name, value) in enumerate(zip(fields, values, strict=True)):
            if not value:
                out.append("")
                continue
            nonce = nonces[k * _NONCE : (k + 1) * _NONCE]
            sealed = encrypt(nonce, value.encode(), f"{order_id}\0{name}".encode())
            out.append(TEXT_PREFIX + b2a_base64(nonce + sealed, newline=False).decode("ascii"))
        return out

    def open_fields(
        self, order_id: str, placed_at: str, fields: Sequence[str], values: Sequence[str | None]
    ) -> list[str] | None:
        """The plaintext values, or None when the day's key is gone (the data is deleted)."""
        aead: AESGCM | None = None
        out = []
        for name, value in zip(fields, values, strict=True):
            if not value or not value.startswith(TEXT_PREFIX):
                out.append(value or "")  # empty, or plaintext not yet re-encrypted
                continue
            if aead is None:
                aead = self._for(day_of(placed_at), create=False)
                if aead is None:
                    return None
            blob = base64.b64decode(value[len(TEXT_PREFIX) :])
            try:
                out.append(aead.decrypt(blob[:_NONCE], blob[_NONCE:], _ad(order_id, name)).decode())
            except InvalidTag:
                log.warning(
                    "a buyer-data field of one order failed authentication; shown as deleted"
                )
                return None
        return out

    def seal_blob(self, order_id: str, placed_at: str, data: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        aead = self._sealer(placed_at)
        return BLOB_MAGIC + nonce + aead.encrypt(nonce, data, _ad(order_id, LABEL_FIELD))

    def open_blob(self, order_id: str, placed_at: str, data: bytes) -> bytes | None:
        if not data.startswith(BLOB_MAGIC):
            return data  # a label stored before field encryption, not yet re-encrypted
        aead = self._for(day_of(placed_at), create=False)
        if aead is None:
            return None
        body = data[len(BLOB_MAGIC) :]
        try:
            return aead.decrypt(body[:_NONCE], body[_NONCE:], _ad(order_id, LABEL_FIELD))
        except InvalidTag:
            log.warning("a label document failed authentication; treated as deleted")
            return None

    def destroy_before(self, day: str) -> int:
        """Destroy every day key older than `day` (whole days past the window)."""
        return self.destroy(d for d in self._keys.days() if d < day)

    def destroy(self, days: Iterable[str]) -> int:
        wanted = list(days)
        if not wanted:
            return 0
        with self._lock:
            for d in wanted:
                self._aead[d] = None
        return self._keys.destroy(wanted)


_REGISTRY: weakref.WeakKeyDictionary[Engine, PiiCipher] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def register(engine: Engine, cipher: PiiCipher) -> None:
    with _REGISTRY_LOCK:
        _REGISTRY[engine] = cipher


def cipher_for(engine: Engine) -> PiiCipher:
    with _REGISTRY_LOCK:
        found = _REGISTRY.get(engine)
    if found is None:
        raise RuntimeError(
            "no buyer-data cipher for this engine: open the store with Database.open"
        )
    return found
