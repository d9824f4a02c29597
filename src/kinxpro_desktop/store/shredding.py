"""Crypto-shredding at open: the store's cipher, and the one-time re-encryption of buyer data
written before field encryption existed.

Alembic migrations run without the keyring, so the re-encryption is a store upgrade step run by
`Database.open` once the key source is known: one transaction that seals every plaintext field
and label under its day key and marks the step done in the settings table. It is idempotent
(sealed values carry a prefix and are skipped) and a failure changes nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, select, update

from kinxpro_desktop.core.day_keys import DayKeyStore
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.retention import PII_FIELDS, utcnow
from kinxpro_desktop.store.day_key_file import file_day_keys
from kinxpro_desktop.store.engine import begin_write
from kinxpro_desktop.store.pii_crypto import BLOB_MAGIC, TEXT_PREFIX, PiiCipher, register
from kinxpro_desktop.store.schema import label_documents, order_pii, settings
from kinxpro_desktop.store.timefmt import to_db

log = logging.getLogger(__name__)

UPGRADE_KEY = "pii_field_encryption"  # settings row: the re-encryption step is done


def install(
    engine: Engine, path: Path, key: DatabaseKey | None, day_keys: DayKeyStore | None
) -> PiiCipher:
    """Register the store's cipher (keyring day keys, or the key file beside `path`), then run
    the re-encryption step if this store has not had it."""
    cipher = PiiCipher(day_keys if day_keys is not None else file_day_keys(path, key))
    register(engine, cipher)
    reencrypt_plaintext(engine, cipher)
    return cipher


def reencrypt_plaintext(engine: Engine, cipher: PiiCipher) -> int:
    """Seal plaintext buyer data and labels under day keys; returns the rows changed."""
    with engine.connect() as conn:
        done = conn.execute(
            select(settings.c.value_json).where(settings.c.key == UPGRADE_KEY)
        ).scalar()
    if done is not None:
        return 0
    changed = 0
    with begin_write(engine) as conn:
        for row in conn.execute(select(order_pii)).all():
            values = [getattr(row, f) or "" for f in PII_FIELDS]
            plain = [
                (f, v)
                for f, v in zip(PII_FIELDS, values, strict=True)
                if v and not v.startswith(TEXT_PREFIX)
            ]
            if not plain:
                continue
            names = [f for f, _ in plain]
            sealed = cipher.seal_fields(row.order_id, row.placed_at, names, [v for _, v in plain])
            conn.execute(
                update(order_pii)
                .where(order_pii.c.order_id == row.order_id)
                .values(dict(zip(names, sealed, strict=True)))
            )
            changed += 1
        labels = select(
            label_documents.c.id,
            label_documents.c.order_id,
            label_documents.c.placed_at,
            label_documents.c.content,
        )
        for lid, order_id, placed_at, content in conn.execute(labels).all():
            data = bytes(content)
            if data.startswith(BLOB_MAGIC):
                continue
            conn.execute(
                update(label_documents)
                .where(label_documents.c.id == lid)
                .values(content=cipher.seal_blob(order_id, placed_at, data))
            )
            changed += 1
        conn.execute(
            settings.insert().values(key=UPGRADE_KEY, value_json="1", updated_at=to_db(utcnow()))
        )
    if changed:
        log.info("buyer data of %d row(s) re-encrypted under day keys", changed)
    return changed
