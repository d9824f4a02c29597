"""The profit view's Export button: it is on the view, offers CSV, Excel and PDF without a
buyer-data choice, and writes the rows the view shows for the period and marketplace the
dashboard currently shows, on the task runner; the breakdown dialog keeps "Copy lines"."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.services.dashboard import ProfitRow
from kinxpro_desktop.services.exports import ExportResult, ProfitScope
from kinxpro_desktop.services.exports_tables import money
from kinxpro_desktop.ui.dialogs.profit_breakdown import ProfitBreakdownDialog
from kinxpro_desktop.ui.widgets.export_button import ExportButton
from kinxpro_desktop.ui.widgets.profit import ProfitView, profit_scope
from tests.gui.test_profit_breakdown import loaded_view, seed_settlements


def cells(row: ProfitRow) -> list[str]:
    label = {"total": f"TOTAL {row.currency}", "other": "Other (no SKU)"}.get(row.kind, row.sku)
    return [label, row.currency] + [
        money(m.minor_units, m.currency) for m in (row.sales, row.fees, row.refunds, row.net)
    ]


def shown(rows: tuple[ProfitRow, ...]) -> list[list[str]]:
    """The view's rows as the export writes them: SKU rows, then one total per currency."""
    return [cells(r) for r in rows if r.kind != "total"] + [
        cells(r) for r in rows if r.kind == "total"
    ]


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))


def test_the_profit_view_has_an_export_button_that_writes_what_it_shows(
    make_ctx: Callable[..., AppContext], qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = make_ctx()
    seed_settlements(ctx)
    view = loaded_view(ctx, qtbot)
    button = view.profit.export
    assert isinstance(button, ExportButton) and button.kind == "profit"
    assert button.objectName() == "export_profit" and button.isVisible()
    assert view.profit.isAncestorOf(button)
    menu = button.menu()
    assert [a.text() for a in menu.actions()] == ["CSV…", "Excel (XLSX)…", "PDF…"]  # no buyer data
    rows = view.profit.model.rows
    assert {r.currency for r in rows} == {"USD", "CAD"}
    with qtbot.waitSignal(button.exported, timeout=10_000) as done:
        button.start("csv", str(tmp_path / "profit"))
    result: ExportResult = done.args[0]
    assert result.path == tmp_path / "profit.csv" and not result.buyer_data
    written = read_csv(result.path)
    assert written[0] == ["SKU", "Currency", "Sales", "Fees", "Refunds", "Net proceeds"]
    assert written[1:-1] == shown(rows)
    assert result.rows == sum(1 for r in rows if r.kind != "total")
    assert written[-1][0].startswith("Downloaded settlements cover")
    totals = [r for r in written if r[0].startswith("TOTAL")]
    assert sorted(r[1] for r in totals) == ["CAD", "USD"]  # one per currency, never one sum
    assert {r[0]: r[5] for r in totals} == {"TOTAL CAD": "68.00", "TOTAL USD": "63.46"}
    dialog = view.open_breakdown("30d", "net", "USD")  # the numbers behind a total: unchanged
    assert isinstance(dialog, ProfitBreakdownDialog)
    qtbot.waitUntil(lambda: dialog.copy.isEnabled(), timeout=10_000)
    assert dialog.copy.text() == "Copy lines"


def test_export_follows_the_period_shown(
    make_ctx: Callable[..., AppContext], qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = make_ctx()
    seed_settlements(ctx)
    view = loaded_view(ctx, qtbot, period="today")  # the settlement ends yesterday
    assert view.profit.model.rows == ()
    button = view.profit.export
    assert button is not None
    with qtbot.waitSignal(button.exported, timeout=10_000) as done:
        button.start("xlsx", str(tmp_path / "today.xlsx"))
    assert done.args[0].rows == 0
    assert (tmp_path / "today.xlsx").stat().st_size > 0


def test_menu_action_asks_for_the_file_and_writes_a_pdf(
    make_ctx: Callable[..., AppContext], qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = make_ctx()
    seed_settlements(ctx)
    dash_view = loaded_view(ctx, qtbot)
    asked: list[str] = []
    view = ProfitView(
        ctx,
        lambda: dash_view.dashboard,
        choose_path=lambda name, _f: (asked.append(name), str(tmp_path / name))[1],
    )
    qtbot.addWidget(view)
    assert view.export is not None
    dash = dash_view.dashboard
    assert dash is not None
    scope = profit_scope(dash)  # what the button hands the exporter
    assert isinstance(scope, ProfitScope) and scope.period == "30d"
    assert (scope.start, scope.end, scope.as_of) == (dash.start, dash.end, dash.as_of)
    with qtbot.waitSignal(view.export.exported, timeout=10_000) as done:
        view.export.format_actions["pdf"].trigger()
    assert asked == ["profit.pdf"]
    assert done.args[0].path.read_bytes()[:5] == b"%PDF-"


def test_without_a_context_the_view_has_no_export(qtbot: QtBot) -> None:
    view = ProfitView()
    qtbot.addWidget(view)
    assert view.export is None
