"""The Reports tab after a scheduled run over the seller's three marketplaces (the
simulator's demo account: US, Canada, Mexico) where one failed: the tab's message and the
"Refresh automatically" control both show each marketplace's result in plain words."""

from __future__ import annotations

import re
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.ui.tabs.reports import ReportsTab
from tests.support.simulator import creds_for, sim_fixture

sim = sim_fixture(orders=120, days=5, listings=15, time_scale=300.0)
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"


def test_the_summary_per_marketplace_is_shown(
    make_ctx: Callable[..., AppContext], qtbot: QtBot, sim: Simulator
) -> None:
    connection = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim))
    ctx = make_ctx(connection=connection)
    ctx.reports.schedule.set_every(LISTINGS, "daily")
    sim.set_faults("createReport:fatal")  # the first marketplace asked (US) ends FATAL
    tab = ReportsTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    view = tab.amazon
    view.kind.setCurrentIndex(view.kind.findData(LISTINGS))
    qtbot.waitUntil(lambda: view.auto.entry is not None, timeout=10_000)

    view.start_schedule(interval_ms=60_000)
    qtbot.waitUntil(lambda: "0 of 1 done" in view.message.text(), timeout=20_000)
    entry = ctx.reports.schedule.entry(LISTINGS)
    assert entry.last_status == "PARTIAL"
    summary = entry.last_message
    assert summary.startswith("US: Amazon could not build it (FATAL); CA: ")
    assert re.search(r"; CA: \d+ rows?; MX: \d+ rows?\. US will be tried again", summary)
    assert view.message.text().endswith(f"All listings: {summary}")

    qtbot.waitUntil(
        lambda: view.auto.entry is not None and view.auto.entry.last_status == "PARTIAL",
        timeout=10_000,
    )
    label = view.auto.next_label
    assert "(some marketplaces failed): " + summary in label.text()
    assert label.toolTip() == summary and label.wordWrap()
    view.schedule_timer.stop()
    qtbot.waitUntil(lambda: ctx.runner.pending() == 0, timeout=10_000)
    connection.close()
