"""The profit view: a click on (or Enter in) any settlement total opens the settlement lines
that make it up, read off the GUI thread, and their amounts add up to the total clicked; two
currencies stay apart; a period that no settlement covers says so plainly."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.models import Money
from kinxpro_desktop.services.dashboard import Breakdown, Dashboard
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.dialogs.profit_breakdown import ProfitBreakdownDialog
from kinxpro_desktop.ui.widgets.dashboard import DashboardView
from kinxpro_desktop.ui.widgets.profit import COLUMNS

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
NO_SETTLEMENT = (
    "No settlement covers this period yet — Amazon publishes settlements every two weeks"
)


def _line(
    when: datetime, market: str, kind: str, atype: str, desc: str, amount: str, sku: str = ""
) -> dict[str, str]:
    return {
        "transaction-type": kind,
        "order-id": f"113-{abs(hash((when, atype, desc, amount))) % 10**7:07d}-0000001",
        "marketplace-name": market,
        "amount-type": atype,
        "amount-description": desc,
        "amount": amount,
        "posted-date": when.strftime("%Y-%m-%d"),
        "posted-date-time": when.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "sku": sku,
    }


def seed_settlements(ctx: AppContext) -> None:
    """A USD settlement (Amazon.com) and a CAD one (Amazon.ca) over the last 40 days."""
    now = datetime.now(UTC)
    d = now - timedelta(days=3)
    usd = [
        {"settlement-id": "S-US-1", "currency": "USD", "total-amount": "0"},
        _line(d, "Amazon.com", "Order", "ItemPrice", "Principal", "100.00", "SKU-1"),
        _line(d, "Amazon.com", "Order", "ItemFees", "Commission", "-15.00", "SKU-1"),
        _line(d, "Amazon.com", "Order", "ItemFees", "FBAPerUnitFulfillmentFee", "-3.22", "SKU-1"),
        _line(d, "Amazon.com", "Refund", "ItemPrice", "Principal", "-20.00", "SKU-1"),
        _line(d, "Amazon.com", "Refund", "ItemFees", "Commission", "3.00", "SKU-1"),
        _line(d, "Amazon.com", "Order", "ItemPrice", "Principal", "45.50", "SKU-2"),
        _line(d, "Amazon.com", "Order", "ItemFees", "Commission", "-6.83", "SKU-2"),
        _line(d, "Amazon.com", "Subscription Fee", "other", "Subscription", "-39.99"),
    ]
    cad = [
        {"settlement-id": "S-CA-1", "currency": "CAD", "total-amount": "0"},
        _line(d, "Amazon.ca", "Order", "ItemPrice", "Principal", "80.00", "SKU-1"),
        _line(d, "Amazon.ca", "Order", "ItemFees", "Commission", "-12.00", "SKU-1"),
    ]
    with ctx.privacy.db.transaction() as uow:
        for market, rows in (("ATVPDKIKX0DER", usd), ("A2EUQ1WTGCTBG2", cad)):
            run = uow.reports.create_run(
                SETTLEMENT,
                market,
                now=now,
                start=now - timedelta(days=40),
                end=now - timedelta(days=1),
            )
            uow.reports.store_rows(run, rows, document_id=f"doc-{market}", completed_at=now)


def loaded_view(ctx: AppContext, qtbot: QtBot, period: str = "30d") -> DashboardView:
    view = DashboardView(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 900)
    view.show()
    view.period.setCurrentIndex(view.period.findData(period))
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        view.refresh()
    return view


def open_by_click(view: DashboardView, qtbot: QtBot, row: int, column: int) -> Breakdown:
    table = view.profit.table
    index = view.profit.model.index(row, column)
    table.scrollTo(index)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = view.breakdown_dialog
    assert isinstance(dialog, ProfitBreakdownDialog)
    if dialog.breakdown is None:
        with qtbot.waitSignal(dialog.loaded, timeout=10_000):
            pass
    assert dialog.breakdown is not None
    return dialog.breakdown


def row_of(view: DashboardView, label: str, currency: str) -> int:
    model = view.profit.model
    for r in range(model.rowCount()):
        if model.index(r, 0).data() == label and model.index(r, 1).data() == currency:
            return r
    raise AssertionError(f"no profit row {label} {currency}")


def column(measure: str) -> int:
    return [m for _h, m in COLUMNS].index(measure)


def total_of(b: Breakdown) -> Money:
    return Money(sum((ln.amount.amount for ln in b.lines), Decimal(0)), b.currency)


def test_a_click_on_a_cell_opens_the_lines_that_sum_to_it(
    make_ctx: Callable[..., AppContext], qtbot: QtBot
) -> None:
    ctx = make_ctx()
    seed_settlements(ctx)
    threads: list[threading.Thread] = []
    real = ctx.dashboard.breakdown

    def spy(*args: object) -> Breakdown:
        threads.append(threading.current_thread())
        return real(*args)  # type: ignore[arg-type]

    object.__setattr__(ctx.dashboard, "breakdown", spy)
    view = loaded_view(ctx, qtbot)
    dash: Dashboard = view.dashboard  # type: ignore[assignment]
    assert dash.profit_covered
    row = row_of(view, "SKU-1", "USD")
    shown = view.profit.model.rows[row]
    assert shown.fees == Money(Decimal("-15.22"), "USD")  # -15 - 3.22 + 3 (refunded commission)
    b = open_by_click(view, qtbot, row, column("fees"))
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert total_of(b) == b.total == shown.fees
    assert {ln.amount_type for ln in b.lines} == {"ItemFees"}
    assert {ln.sku for ln in b.lines} == {"SKU-1"} and len(b.lines) == 3
    dialog = view.breakdown_dialog
    assert dialog is not None
    assert dialog.model.rowCount() == 3
    assert dialog.total.text().startswith(f"Total {fmt.money(shown.fees)}")
    # the posted time is shown in the marketplace's zone (Pacific time for Amazon.com)
    assert dialog.model.index(0, 0).data().endswith(("PST", "PDT"))
    assert dialog.model.index(0, 6).data() == fmt.money(b.lines[0].amount)

    # refunds and net proceeds of the same SKU, and the row of lines without a SKU
    for label, measure, expected in (
        ("SKU-1", "refunds", "-17.00"),
        ("SKU-1", "net", "64.78"),
        ("Other (no SKU)", "net", "-39.99"),
    ):
        r = row_of(view, label, "USD")
        b = open_by_click(view, qtbot, r, column(measure))
        assert total_of(b) == view.profit.model.rows[r].value(measure)
        assert total_of(b) == Money(Decimal(expected), "USD")


def test_enter_on_a_total_and_two_currencies_stay_apart(
    make_ctx: Callable[..., AppContext], qtbot: QtBot
) -> None:
    ctx = make_ctx()
    seed_settlements(ctx)
    view = loaded_view(ctx, qtbot)
    totals = {}
    for currency in ("USD", "CAD"):
        r = row_of(view, f"Total {currency}", currency)
        totals[currency] = view.profit.model.rows[r]
        table = view.profit.table
        table.setFocus()
        table.setCurrentIndex(view.profit.model.index(r, column("net")))
        qtbot.keyClick(table, Qt.Key.Key_Return)
        dialog = view.breakdown_dialog
        assert dialog is not None
        if dialog.breakdown is None:
            with qtbot.waitSignal(dialog.loaded, timeout=10_000):
                pass
        b = dialog.breakdown
        assert b is not None and b.currency == currency and b.sku is None
        assert all(ln.amount.currency == currency for ln in b.lines)
        assert total_of(b) == totals[currency].net
    assert totals["USD"].net == Money(Decimal("64.78") + Decimal("38.67") - Decimal("39.99"), "USD")
    assert totals["CAD"].net == Money(Decimal("68.00"), "CAD")
    # a SKU sold in both marketplaces has one row per currency, never one sum
    assert row_of(view, "SKU-1", "USD") != row_of(view, "SKU-1", "CAD")
    assert view.profit.model.rows[row_of(view, "SKU-1", "CAD")].fees == Money(
        Decimal("-12.00"), "CAD"
    )


def test_a_tile_total_opens_its_lines(make_ctx: Callable[..., AppContext], qtbot: QtBot) -> None:
    """Once settlements cover the last 30 days, that tile's fees are a link to their lines."""
    ctx = make_ctx()
    seed_settlements(ctx)
    view = loaded_view(ctx, qtbot)
    dash = view.dashboard
    assert dash is not None
    thirty = next(t for t in dash.tiles if t.key == "30d")
    assert all(f.net is None for f in thirty.figures)  # not covered to today: no figures
    # a 30-day period covered in full: the settlements reach today
    now = datetime.now(UTC)
    with ctx.privacy.db.transaction() as uow:
        run = uow.reports.create_run(
            SETTLEMENT,
            "ATVPDKIKX0DER",
            now=now,
            start=now - timedelta(days=45),
            end=now + timedelta(days=2),
        )
        uow.reports.store_rows(
            run,
            [
                {"settlement-id": "S-US-2", "currency": "USD", "total-amount": "0"},
                _line(
                    now - timedelta(days=2),
                    "Amazon.com",
                    "Order",
                    "ItemFees",
                    "Commission",
                    "-1.50",
                    "SKU-3",
                ),
            ],
            document_id="doc-2",
            completed_at=now,
        )
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        view.refresh()
    widget = view.tiles[3]
    assert "href='fees|USD'" in widget.body.text()
    usd = next(f for f in view.dashboard.tiles[3].figures if f.currency == "USD")  # type: ignore[union-attr]
    # the keyboard reaches the link: focus the tile, Tab to its first link (fees), Enter
    widget.body.setFocus(Qt.FocusReason.TabFocusReason)
    with qtbot.waitSignal(widget.breakdown_requested, timeout=5_000) as asked:
        qtbot.keyClick(widget.body, Qt.Key.Key_Tab)
        qtbot.keyClick(widget.body, Qt.Key.Key_Return)
    assert asked.args == ["30d", "fees", "USD"]
    dialog = view.breakdown_dialog
    assert dialog is not None
    if dialog.breakdown is None:
        with qtbot.waitSignal(dialog.loaded, timeout=10_000):
            pass
    assert dialog.breakdown is not None and usd.fees is not None
    assert total_of(dialog.breakdown) == usd.fees


def test_a_period_without_settlement_says_so(
    make_ctx: Callable[..., AppContext], qtbot: QtBot, empty_database: Database
) -> None:
    ctx = make_ctx()
    seed_settlements(ctx)  # they end yesterday: nothing covers today
    view = loaded_view(ctx, qtbot, "today")
    assert view.profit.note.text().startswith(NO_SETTLEMENT)
    assert not view.profit.table.isVisibleTo(view)
    dialog = view.open_breakdown("today", "net", "USD")
    assert dialog is not None
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        pass
    assert dialog.note.text().startswith(NO_SETTLEMENT)
    assert dialog.total.text() == "No settlement line makes up this total."

    empty = make_ctx(PrivacyService(empty_database))  # no settlement at all, any period
    other = loaded_view(empty, qtbot, "30d")
    assert other.profit.note.text().startswith(NO_SETTLEMENT)


def test_the_profit_and_breakdown_models_pass_the_model_tester(
    make_ctx: Callable[..., AppContext], qtbot: QtBot, qtmodeltester: Any
) -> None:
    ctx = make_ctx()
    seed_settlements(ctx)
    view = loaded_view(ctx, qtbot)
    assert view.profit.model.rowCount() == 6  # CAD: SKU-1, total; USD: SKU-1, SKU-2, other, total
    qtmodeltester.check(view.profit.model)
    b = open_by_click(view, qtbot, row_of(view, "Total USD", "USD"), column("net"))
    assert len(b.lines) == 8
    assert view.breakdown_dialog is not None
    qtmodeltester.check(view.breakdown_dialog.model)
