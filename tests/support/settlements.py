"""Settlement report rows for tests: one flat-file line by its fields, a settlement stored as
a downloaded report run, and the JP and DE settlements several tests share."""

from __future__ import annotations

from datetime import datetime, timedelta

from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.settlement_lines import SETTLEMENT


def line(
    posted: str, market: str, kind: str, atype: str, desc: str, amount: str, sku: str, oid: str
) -> dict[str, str]:
    return {
        "transaction-type": kind,
        "order-id": oid,
        "marketplace-name": market,
        "amount-type": atype,
        "amount-description": desc,
        "amount": amount,
        "posted-date": posted[:10],
        "posted-date-time": posted,
        "sku": sku,
    }


def store_settlement(
    db: Database, market: str, rows: list[dict[str, str]], now: datetime, days: int = 40
) -> None:
    """`rows` (a header dict first, then lines) as a settlement report run ending at `now`."""
    with db.transaction() as uow:
        run = uow.reports.create_run(
            SETTLEMENT, market, now=now, start=now - timedelta(days=days), end=now
        )
        uow.reports.store_rows(run, rows, document_id=f"d{run}", completed_at=now)


JP_ROWS = [
    {"settlement-id": "222", "currency": "JPY", "total-amount": "1"},
    line("2026-11-20T03:00:00+09:00", "Amazon.co.jp", "Order", "ItemPrice", "Principal",
         "1500", "A", "503-1"),
    line("2026-11-20T03:00:00+09:00", "Amazon.co.jp", "Order", "ItemFees", "Commission",
         "-225", "A", "503-1"),
]  # fmt: skip
DE_ROWS = [
    {"settlement-id": "333", "currency": "EUR", "total-amount": "1"},
    line("20.11.2026 10:00:00 UTC", "Amazon.de", "Order", "ItemPrice", "Principal", "1.234,56",
         "A", "302-1"),
    line("20.11.2026 10:00:00 UTC", "Amazon.de", "Order", "ItemFees", "Commission", "-185,18",
         "A", "302-1"),
]  # fmt: skip
