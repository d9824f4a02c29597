"""Disposal receipts: each wipe that disposes of buyer data leaves a receipt in the audit chain
(orders by id, fields, cutoff, checks and their results); the receipts export as a PDF."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from kinxpro_desktop.core.retention import PII_FIELDS, is_past_window
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.receipts import ReceiptService
from kinxpro_desktop.store.database import Database
from tests.integration.privacy.conftest import NOW, assert_no_pii, pdf_text
from tests.support.seed import Seeded


def wipe_with_receipt(db: Database) -> None:
    """The retention wipe; it writes the receipt itself (services.privacy)."""
    PrivacyService(db, clock=lambda: NOW).wipe("owner")


def test_wipe_writes_a_receipt_naming_orders_fields_and_checks(
    seeded_store: tuple[Database, Seeded],
) -> None:
    db, seeded = seeded_store
    expired = sorted(o.order_id for o in seeded.orders if is_past_window(o.purchase_date, NOW, 30))
    wipe_with_receipt(db)
    receipt = db.audit.latest("disposal_receipt")
    assert receipt is not None
    assert list(receipt.object_ids) == expired
    assert receipt.detail["orders"] == len(expired)
    assert receipt.detail["fields"] == list(PII_FIELDS)
    assert receipt.detail["checks"] == {
        "scan_before": len(expired),
        "scan_after": 0,
        "wal_bytes_after": 0,
        "day_keys_past_window": 0,
    }
    assert receipt.detail["ok"] is True
    assert receipt.detail["day_keys_destroyed"] > 0  # crypto-shredding: those days' keys
    assert db.audit.verify().ok  # the receipt is a link of the chain
    # Nothing due: no empty receipt every 15 minutes.
    wipe_with_receipt(db)
    assert db.audit.latest("disposal_receipt") == receipt


def test_receipts_pdf_for_a_period_without_buyer_data(
    seeded_store: tuple[Database, Seeded], tmp_path: Path
) -> None:
    db, seeded = seeded_store
    wipe_with_receipt(db)
    service = ReceiptService(db, clock=lambda: NOW)
    count = service.write_pdf(
        NOW - timedelta(days=1), NOW + timedelta(days=1), tmp_path / "r.pdf", "owner"
    )
    assert count == 1
    text = pdf_text(tmp_path / "r.pdf")
    flat = re.sub(r"\s+", " ", text)
    assert "disposal receipts" in flat and "OK" in flat
    assert "buyer_name" in flat and "past-window scan before 30, after 0" in flat
    expired = [o.order_id for o in seeded.orders if is_past_window(o.purchase_date, NOW, 30)]
    assert expired[0] in flat
    assert_no_pii(text, seeded)
    empty = service.write_pdf(
        NOW - timedelta(days=9), NOW - timedelta(days=8), tmp_path / "e.pdf", "owner"
    )
    assert empty == 0 and "no buyer data was disposed of" in pdf_text(tmp_path / "e.pdf")


def test_the_retention_wipe_itself_writes_the_receipt(
    seeded_store: tuple[Database, Seeded],
) -> None:
    db, seeded = seeded_store
    expired = sorted(o.order_id for o in seeded.orders if is_past_window(o.purchase_date, NOW, 30))
    PrivacyService(db, clock=lambda: NOW).wipe("system")
    receipt = db.audit.latest("disposal_receipt")
    assert receipt is not None and receipt.actor == "system"
    assert list(receipt.object_ids) == expired and receipt.detail["ok"] is True
    wipe = db.audit.latest("wipe")
    assert wipe is not None and receipt.entry_id == wipe.entry_id + 1


def test_cli_exports_the_receipts_of_the_wipe_at_start(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from kinxpro_desktop.core.dbkey import DatabaseKey
    from tests.support.seed import make_orders, store_seeded

    passphrase = "correct horse battery staple"
    env = {k: v for k, v in os.environ.items() if k != "KINXPRO_PASSPHRASE"}
    env.update(
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", KINXPRO_PASSPHRASE=passphrase
    )
    data = tmp_path / "d"
    cli = [sys.executable, "-m", "kinxpro_desktop", "--data-dir", str(data)]
    first = subprocess.run(
        [*cli, "--key-source", "passphrase", "wipe"], env=env, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    db = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=passphrase))
    seeded = make_orders(NOW, count=40, days=60)
    store_seeded(db, seeded)
    db.close()
    out = tmp_path / "receipts.pdf"
    day = f"{NOW:%Y-%m-%d}"
    done = subprocess.run(
        [*cli, "privacy", "receipts", "--from", day, "--to", day, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"1 disposal receipts written to {out}"
    text = pdf_text(out)
    assert "deleted by system" in re.sub(r"\s+", " ", text)
    assert_no_pii(text + done.stdout + done.stderr, seeded)
