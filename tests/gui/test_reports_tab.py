"""The Reports tab: the dashboard refreshes off the GUI thread when the period changes and
its charts show the loaded numbers; the runs model passes qtmodeltester; a report requested
from the tab through the simulator is listed; the export button writes a file and asks
before including buyer data."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.dashboard import Dashboard
from kinxpro_desktop.ui.tabs.reports import ReportsTab, RunsModel
from kinxpro_desktop.ui.widgets.dashboard import DashboardView
from kinxpro_desktop.ui.widgets.export_button import ExportButton
from tests.support.seed import MARKER
from tests.support.simulator import creds_for, sim_fixture

sim = sim_fixture(orders=200, days=10, listings=20, time_scale=300.0)


def test_period_change_reloads_off_the_gui_thread(
    make_ctx: Callable[..., AppContext], qtbot: QtBot
) -> None:
    ctx = make_ctx()
    threads: list[threading.Thread] = []

    def load(period: str, market: str) -> Dashboard:
        threads.append(threading.current_thread())
        return ctx.dashboard.load(period, market)

    view = DashboardView(ctx, load=load)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.refreshed, timeout=10_000) as first:
        view.refresh()
    thirty: Dashboard = first.args[0]
    assert thirty.period == "30d"
    with qtbot.waitSignal(view.refreshed, timeout=10_000) as second:
        view.period.setCurrentIndex(view.period.findData("7d"))
    seven: Dashboard = second.args[0]
    assert seven.period == "7d" and view.dashboard is seven
    assert threads and all(t is not threading.main_thread() for t in threads)
    usd = next(f for f in seven.figures if f.currency == "USD")
    chart = view.sales_chart.chart()
    (series,) = chart.series()
    shown = sum(p.y() for p in series.points())  # type: ignore[attr-defined]
    assert shown == pytest.approx(float(usd.sales.amount))
    assert "Last 7 days" in view.status.text()
    assert view.tiles[3].title.text() == "<b>Last 30 days</b>"
    assert "USD" in view.tiles[3].body.text()


def test_runs_model_passes_the_model_tester(
    make_ctx: Callable[..., AppContext], qtbot: QtBot, qtmodeltester: Any
) -> None:
    ctx = make_ctx()
    from datetime import UTC, datetime

    with ctx.privacy.db.transaction() as uow:
        for kind in ("GET_MERCHANT_LISTINGS_ALL_DATA", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"):
            uow.reports.create_run(
                kind, "ATVPDKIKX0DER", now=datetime.now(UTC), start=None, end=None
            )
    model = RunsModel()
    model.set_runs(ctx.reports.runs())
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.data(model.index(0, 3)) == "Requested"


def test_request_from_the_tab_through_the_simulator(
    make_ctx: Callable[..., AppContext], qtbot: QtBot, sim: Simulator
) -> None:
    connection = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim))
    ctx = make_ctx(connection=connection)
    tab = ReportsTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    view = tab.amazon
    view.kind.setCurrentIndex(view.kind.findData("GET_MERCHANT_LISTINGS_ALL_DATA"))
    qtbot.mouseClick(view.request_button, qtbot_button())
    qtbot.waitUntil(lambda: "rows saved" in view.message.text(), timeout=20_000)
    qtbot.waitUntil(lambda: any(r.status == "DONE" for r in view.model.runs), timeout=10_000)
    assert view.request_button.isEnabled()
    connection.close()


def qtbot_button() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_export_button_writes_and_asks_before_buyer_data(
    make_ctx: Callable[..., AppContext], qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = make_ctx()
    asked: list[str] = []
    answers = [False, True]
    button = ExportButton(
        ctx,
        "orders",
        choose_path=lambda name, _f: str(tmp_path / name),
        confirm=lambda q: (asked.append(q), answers.pop(0))[1],
    )
    qtbot.addWidget(button)
    with qtbot.waitSignal(button.exported, timeout=10_000) as done:
        button.start("csv")
    plain = done.args[0]
    assert plain.rows == 60 and not plain.buyer_data and asked == []
    assert MARKER not in (tmp_path / "orders.csv").read_text("utf-8-sig")
    button.buyer_data.setChecked(True)
    assert button.start("xlsx") is None  # the seller said no: nothing written
    assert not (tmp_path / "orders.xlsx").exists() and len(asked) == 1
    button.buyer_data.setChecked(True)
    with qtbot.waitSignal(button.exported, timeout=10_000) as with_pii:
        button.start("csv", str(tmp_path / "buyers"))
    result = with_pii.args[0]
    assert result.buyer_data and "outside Kinxpro's retention" in result.warning
    assert result.path == tmp_path / "buyers.csv"
    assert MARKER in result.path.read_text("utf-8-sig")
    assert not button.buyer_data.isChecked()  # the choice is made again each time
