"""The Reports tab's "Refresh automatically": toggling it and picking an interval persist in
the encrypted store, the next due time shows in local time, the choices respect each type's
regeneration limit, and the window's schedule check requests a due type in the background
(through the simulator) and lists the run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from pytestqt.qtbot import QtBot

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.report_schedule import ScheduleEntry
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.tabs.reports import AmazonReportsView, ReportsTab
from tests.support.simulator import creds_for, sim_fixture

sim = sim_fixture(orders=120, days=5, listings=15, time_scale=300.0)
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
LEDGER = "GET_LEDGER_SUMMARY_VIEW_DATA"
MYI = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
DAY = timedelta(days=1)


_KEEP: list[ReportsTab] = []  # the tabs outlive the helper (qtbot closes them after the test)


def shown_view(ctx: AppContext, qtbot: QtBot) -> AmazonReportsView:
    tab = ReportsTab(ctx)
    qtbot.addWidget(tab)
    _KEEP.append(tab)
    tab.show()
    view = tab.amazon
    qtbot.waitUntil(lambda: view.auto.entry is not None, timeout=10_000)
    qtbot.waitUntil(lambda: view.auto_settlements.entry is not None, timeout=10_000)
    return view


def pick(view: AmazonReportsView, qtbot: QtBot, report_type: str) -> None:
    view.kind.setCurrentIndex(view.kind.findData(report_type))
    qtbot.waitUntil(
        lambda: view.auto.entry is not None and view.auto.entry.report_type == report_type,
        timeout=10_000,
    )


def test_toggling_persists_and_the_next_due_time_shows(
    make_ctx: Callable[..., AppContext], qtbot: QtBot
) -> None:
    ctx = make_ctx()
    view = shown_view(ctx, qtbot)
    pick(view, qtbot, LISTINGS)
    control = view.auto
    assert not control.enabled_box.isChecked() and not control.every.isEnabled()
    assert control.next_label.text().startswith("Off")

    with qtbot.waitSignal(control.changed, timeout=10_000) as on:
        control.enabled_box.setChecked(True)
    entry: ScheduleEntry = on.args[0]
    assert entry.report_type == LISTINGS and entry.every == DAY  # daily by default
    stored = ctx.reports.schedule.entry(LISTINGS)
    assert stored.every == DAY and stored.next_due == entry.next_due
    assert control.every.isEnabled() and control.every.currentData() == 24 * 60
    assert control.next_label.text() == f"Next: {fmt.local_datetime(entry.next_due)}"

    four = control.every.findData(4 * 60)
    control.every.setCurrentIndex(four)
    with qtbot.waitSignal(control.changed, timeout=10_000) as changed:
        control.every.activated.emit(four)
    assert changed.args[0].every == timedelta(hours=4)
    assert ctx.reports.schedule.entry(LISTINGS).every == timedelta(hours=4)

    again = shown_view(ctx, qtbot)  # a new window reads what was stored
    pick(again, qtbot, LISTINGS)
    assert again.auto.enabled_box.isChecked()
    assert again.auto.every.currentData() == 4 * 60

    with qtbot.waitSignal(control.changed, timeout=10_000):
        control.enabled_box.setChecked(False)
    assert not ctx.reports.schedule.entry(LISTINGS).enabled
    assert control.next_label.text().startswith("Off")
    qtbot.waitUntil(lambda: ctx.runner.pending() == 0)


def test_the_choices_respect_the_regeneration_limit(
    make_ctx: Callable[..., AppContext], qtbot: QtBot
) -> None:
    ctx = make_ctx()
    view = shown_view(ctx, qtbot)
    pick(view, qtbot, LEDGER)
    ledger = [view.auto.every.itemText(i) for i in range(view.auto.every.count())]
    assert ledger == ["Daily", "Every 12 hours", "Every 4 hours"]
    pick(view, qtbot, MYI)
    assert view.auto.every.count() == 4 and view.auto.every.itemText(3) == "Every hour"
    qtbot.waitUntil(lambda: ctx.runner.pending() == 0)


def test_settlements_have_their_own_control(
    make_ctx: Callable[..., AppContext], qtbot: QtBot
) -> None:
    ctx = make_ctx()
    view = shown_view(ctx, qtbot)
    with qtbot.waitSignal(view.auto_settlements.changed, timeout=10_000):
        view.auto_settlements.enabled_box.setChecked(True)
    assert ctx.reports.schedule.entry("GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2").every == DAY
    assert not ctx.reports.schedule.entry(LISTINGS).enabled  # the other control untouched
    qtbot.waitUntil(lambda: ctx.runner.pending() == 0)


def test_the_schedule_check_runs_a_due_type_in_the_background(
    make_ctx: Callable[..., AppContext], qtbot: QtBot, sim: Simulator
) -> None:
    connection = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim))
    ctx = make_ctx(connection=connection)
    threads: list[threading.Thread] = []
    original = ctx.reports.request

    def spy(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return original(*args, **kwargs)  # type: ignore[arg-type]

    ctx.reports.request = spy  # type: ignore[method-assign]
    ctx.reports.schedule.set_every(LISTINGS, "daily")
    view = shown_view(ctx, qtbot)
    view.start_schedule(interval_ms=60_000)
    assert view.schedule_timer.isActive() and view.schedule_timer.interval() == 60_000
    qtbot.waitUntil(
        lambda: "Scheduled refresh: 1 of 1 done." in view.message.text(), timeout=20_000
    )
    qtbot.waitUntil(
        lambda: any(r.report_type == LISTINGS and r.status == "DONE" for r in view.model.runs),
        timeout=10_000,
    )
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert view.auto.entry is not None and view.auto.entry.last_status == "DONE"
    view.check_schedule()  # nothing due now: no second request
    qtbot.waitUntil(lambda: not view._schedule_busy, timeout=10_000)
    assert len(threads) == 3  # one request per marketplace (US, CA, MX), none since
    qtbot.waitUntil(lambda: ctx.runner.pending() == 0)
    connection.close()


def test_the_main_window_checks_the_schedule_at_launch_and_every_ten_minutes(
    make_ctx: Callable[..., AppContext], qtbot: QtBot
) -> None:
    from kinxpro_desktop.ui.main_window import MainWindow

    ctx = make_ctx()
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    timer = window.reports_tab.amazon.schedule_timer
    assert timer.isActive() and timer.interval() == 10 * 60 * 1000
    assert window.reports_tab.amazon._schedule_busy  # the launch check went to the runner
    qtbot.waitUntil(lambda: not window.reports_tab.amazon._schedule_busy, timeout=10_000)
    window.close()
    assert not timer.isActive()


def test_an_analyst_does_not_see_the_control(
    make_ctx: Callable[..., AppContext], qtbot: QtBot
) -> None:
    from kinxpro_desktop.core.operators import Access, Role

    ctx = make_ctx(access=Access(Role.ANALYST))
    view = shown_view(ctx, qtbot)
    tab = _KEEP[-1]
    assert tab.amazon is view
    tab.pages.setCurrentWidget(view)
    qtbot.waitUntil(lambda: ctx.runner.pending() == 0)  # nothing answers a closed tab
    assert tab.amazon.request_button.isVisible()
    assert not tab.amazon.auto.isVisible() and not tab.amazon.auto_settlements.isVisible()
