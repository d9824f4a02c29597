"""Secure deletion: after a wipe, no wiped buyer string is left in the file or the WAL.

The same wipe runs on an unencrypted store (test-only switch) so that the bytes can be
searched: in the encrypted store every byte is ciphertext anyway.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from kinxpro_desktop.core.retention import PII_FIELDS, is_past_window
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.retention import wipe_expired
from kinxpro_desktop.store.schema import order_pii
from tests.support.seed import make_orders, pii_strings, store_seeded

NOW = datetime.now(UTC)


def folder_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())


def test_wiped_pii_leaves_no_bytes_in_file_or_wal(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "plain.db", None)  # unencrypted: test-only switch
    seeded = make_orders(NOW, count=200, days=60)
    store_seeded(db, seeded)
    wiped = [
        p
        for o, p in zip(seeded.orders, seeded.pii, strict=True)
        if is_past_window(o.purchase_date, NOW, 30)
    ]
    kept = [p for p in seeded.pii if p not in wiped]
    # Buyer fields are sealed under day keys (crypto-shredding): the plaintext is never in
    # the file; before the wipe the sealed values are there (the scan can see them).
    with db.engine.connect() as conn:
        sealed = {
            r[0]: [v for v in r[1:] if v]
            for r in conn.execute(select(*(order_pii.c[c] for c in ("order_id", *PII_FIELDS))))
        }
    before = folder_bytes(tmp_path)
    assert all(v.encode() in before for p in wiped[:5] for v in sealed[p.order_id])
    assert not any(v.encode() in before for p in seeded.pii for v in pii_strings(p))

    result = wipe_expired(db.engine, NOW, 30)
    assert result.orders_wiped == len(wiped)
    # The app keeps running: the WAL must not hold the deleted rows either.
    wal = tmp_path / "plain.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    during = folder_bytes(tmp_path)
    db.close()
    after = folder_bytes(tmp_path)

    for blob in (during, after):
        for p in wiped:
            for value in (*pii_strings(p), *sealed[p.order_id]):
                assert value.encode() not in blob, "wiped buyer data found in the store files"
    # Kept orders are intact.
    assert any(v.encode() in after for v in sealed[kept[0].order_id])
    db = Database.open(tmp_path / "plain.db", None)
    try:
        assert db.orders.get_pii(kept[0].order_id) == kept[0]
    finally:
        db.close()
