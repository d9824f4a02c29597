"""Settlement lines as the profit view reads them, on a real SQLCipher store: every cell of the
profit view equals the sum of its breakdown; yen amounts have no minor unit; EU files write
decimal commas; a settlement downloaded twice counts once; a line's day is the marketplace's
local day of its posted time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kinxpro_desktop.core.models import Money
from kinxpro_desktop.services.dashboard import MEASURES, DashboardService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.settlement_lines import amount_minor
from tests.support.settlements import DE_ROWS, JP_ROWS, line, store_settlement

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def store(db: Database, market: str, rows: list[dict[str, str]], days: int = 40) -> None:
    store_settlement(db, market, rows, NOW, days)


US_ROWS = [
    {"settlement-id": "111", "currency": "USD", "total-amount": "1"},
    line("2026-11-20 10:00:00 UTC", "Amazon.com", "Order", "ItemPrice", "Principal", "50.00",
         "A", "113-1"),
    line("2026-11-20 10:00:00 UTC", "Amazon.com", "Order", "ItemFees", "Commission", "-7.50",
         "A", "113-1"),
    line("2026-11-21 10:00:00 UTC", "Amazon.com", "Refund", "ItemPrice", "Principal", "-50.00",
         "A", "113-1"),
    line("2026-11-21 10:00:00 UTC", "Amazon.com", "Refund", "ItemFees", "Commission", "6.00",
         "A", "113-1"),
    line("2026-11-22 10:00:00 UTC", "Amazon.com", "Order", "ItemPrice", "Principal", "12.34",
         "B", "113-2"),
    line("2026-11-22 10:00:00 UTC", "Amazon.com", "other-transaction", "other", "Storage Fee",
         "-4.10", "", ""),
]  # fmt: skip


def test_every_cell_equals_the_sum_of_its_breakdown(db: Database) -> None:
    store(db, "ATVPDKIKX0DER", US_ROWS)
    store(db, "A1VC38T7YXB528", JP_ROWS)
    store(db, "A1PA6795UKMFR9", DE_ROWS)
    service = DashboardService(db, clock=lambda: NOW)
    dash = service.load("30d")
    assert {r.currency for r in dash.profit} == {"USD", "JPY", "EUR"}
    checked = 0
    for row in dash.profit:
        for measure in MEASURES:
            sku = None if row.kind == "total" else row.sku
            b = service.breakdown("30d", "", measure, row.currency, sku, dash.as_of)
            assert all(ln.amount.currency == row.currency for ln in b.lines)
            assert b.total == row.value(measure)
            assert sum((ln.amount.amount for ln in b.lines), Decimal(0)) == b.total.amount
            checked += 1
    assert checked == len(dash.profit) * 4
    usd = {(r.kind, r.sku): r for r in dash.profit if r.currency == "USD"}
    assert usd[("sku", "A")].fees == Money(Decimal("-1.50"), "USD")
    assert usd[("sku", "A")].refunds == Money(Decimal("-44.00"), "USD")
    assert usd[("other", "")].net == Money(Decimal("-4.10"), "USD")
    assert usd[("total", "")].net == Money(Decimal("6.74"), "USD")
    jpy = next(r for r in dash.profit if r.currency == "JPY" and r.kind == "total")
    assert (jpy.sales, jpy.fees) == (Money(Decimal(1500), "JPY"), Money(Decimal(-225), "JPY"))
    eur = next(r for r in dash.profit if r.currency == "EUR" and r.kind == "total")
    assert eur.net == Money(Decimal("1049.38"), "EUR")


def test_a_settlement_downloaded_twice_counts_once(db: Database) -> None:
    store(db, "ATVPDKIKX0DER", US_ROWS)
    store(db, "ATVPDKIKX0DER", US_ROWS)  # the same settlement id again
    dash = DashboardService(db, clock=lambda: NOW).load("30d")
    total = next(r for r in dash.profit if r.kind == "total")
    assert total.net == Money(Decimal("6.74"), "USD")


def test_a_line_counts_on_its_marketplace_local_day(db: Database) -> None:
    """Posted at 06:00 UTC on 2 November: 1 November in Los Angeles, 2 November in Tokyo."""
    store(
        db,
        "ATVPDKIKX0DER",
        [
            {"settlement-id": "444", "currency": "USD"},
            line(
                "2026-11-02T06:00:00+00:00",
                "Amazon.com",
                "Order",
                "ItemFees",
                "Commission",
                "-1.00",
                "A",
                "113-9",
            ),
        ],
        days=60,
    )
    store(
        db,
        "A1VC38T7YXB528",
        [
            {"settlement-id": "555", "currency": "JPY"},
            line(
                "2026-11-02T06:00:00+00:00",
                "Amazon.co.jp",
                "Order",
                "ItemFees",
                "Commission",
                "-100",
                "A",
                "503-9",
            ),
        ],
        days=60,
    )
    service = DashboardService(db, clock=lambda: datetime(2026, 11, 2, 16, 0, tzinfo=UTC))
    # 2 Nov 16:00 UTC is 08:00 on 2 November in Los Angeles, 01:00 on 3 November in Tokyo:
    # "yesterday" is 1 November for Amazon.com and 2 November for Amazon.co.jp
    us = service.breakdown("yesterday", "", "fees", "USD")
    jp = service.breakdown("yesterday", "", "fees", "JPY")
    assert [ln.day for ln in us.lines] == ["2026-11-01"]
    assert us.lines[0].posted_at is not None and us.lines[0].posted_at.hour == 22  # PST
    assert [ln.day for ln in jp.lines] == ["2026-11-02"]
    assert jp.lines[0].posted_at is not None and jp.lines[0].posted_at.hour == 15  # JST
    assert service.breakdown("today", "", "fees", "USD").lines == ()
    assert service.breakdown("today", "", "fees", "JPY").lines == ()


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("-12.34", "USD", -1234),
        ("1500", "JPY", 1500),
        ("-225", "JPY", -225),
        ("1.234,56", "EUR", 123456),
        ("-185,18", "EUR", -18518),
        ("1,234.56", "GBP", 123456),
        ("", "USD", 0),
        ("n/a", "USD", 0),
    ],
)
def test_amounts_in_minor_units(text: str, currency: str, minor: int) -> None:
    assert amount_minor(text, currency) == minor
