"""A new filter or sort paints its first page before the whole id list is read (issue 10,
Benchmarks): the count and the first 200 rows first, the rest of the ids after, with the
rows a seller sees never wrong and a sync in between not lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from kinxpro_desktop.core.changes import Changes
from kinxpro_desktop.store.queries import OrderFilter, ViewQueries
from kinxpro_desktop.ui.models.paged import PAGE, PLACEHOLDER
from tests.support.seed import make_orders

EXTRA = 540  # with the fixture's 60: three pages


def add_orders(database) -> list[str]:  # type: ignore[no-untyped-def]
    seeded = make_orders(datetime.now(UTC) - timedelta(days=61), count=EXTRA, days=300)
    extra = [replace(o, order_id=f"115-{n:07d}-0000000") for n, o in enumerate(seeded.orders)]
    database.orders.upsert(extra)
    return ViewQueries(database.engine).order_keys(OrderFilter(), "purchase_date", True)


def test_the_first_page_shows_before_the_whole_id_list(
    qtbot, qtmodeltester, make_ctx, database
) -> None:  # type: ignore[no-untyped-def]
    expected = add_orders(database)
    window = orders_window_all(qtbot, make_ctx(), len(expected))
    tab = window.orders_tab
    qtmodeltester.check(tab.model, force_py=True)
    seen: list[tuple[int, object, object, object]] = []

    def on_loaded(total: int) -> None:
        late = PAGE + 50
        seen.append(
            (
                total,
                tab.model.key_at(0),
                tab.model.key_at(late),
                tab.model.index(late, 0).data(),
            )
        )

    tab.model.loaded.connect(on_loaded)
    tab.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)  # by total: a new id list
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=5000)
    by_total = ViewQueries(database.engine).order_keys(OrderFilter(), "total", False)
    first, full = seen[0], seen[1]
    assert first[0] == len(by_total) and first[1] == by_total[0]
    assert first[2] is None and first[3] == PLACEHOLDER  # not yet read: shown as such
    assert full[0] == len(by_total) and full[2] == by_total[PAGE + 50]
    assert [tab.model.key_at(r) for r in range(len(by_total))] == by_total
    tab.table.scrollToBottom()
    last = len(by_total) - 1
    qtbot.waitUntil(lambda: tab.model.index(last, 0).data() == by_total[last], timeout=5000)


def test_a_sync_during_the_id_list_read_is_applied_after_it(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    expected = add_orders(database)
    window = orders_window_all(qtbot, make_ctx(), len(expected))
    tab = window.orders_tab
    newest = replace(
        make_orders(datetime.now(UTC) + timedelta(minutes=30), count=1).orders[0],
        order_id="116-0000000-0000001",
    )
    fired: list[bool] = []

    def sync_lands_meanwhile(_total: int) -> None:
        if not fired:  # right after the first page: the id list is still being read
            fired.append(True)
            database.orders.upsert([newest])
            window._ctx.events.data_changed.emit(Changes.everything())

    tab.model.loaded.connect(sync_lands_meanwhile)
    tab.model.reload()
    qtbot.waitUntil(lambda: tab.model.rowCount() == len(expected) + 1, timeout=5000)
    qtbot.waitUntil(lambda: tab.model.key_at(0) == newest.order_id, timeout=5000)
    assert [tab.model.key_at(r) for r in range(1, len(expected) + 1)] == expected


def orders_window_all(qtbot, ctx, total: int):  # type: ignore[no-untyped-def]
    """The Orders tab shown, with every id read (not only the first page)."""
    window = orders_window_rows(qtbot, ctx, total)
    qtbot.waitUntil(lambda: window.orders_tab.model.key_at(total - 1) is not None, timeout=5000)
    return window


def orders_window_rows(qtbot, ctx, total: int):  # type: ignore[no-untyped-def]
    from kinxpro_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.orders_tab)
    window.refresh_all()
    qtbot.waitUntil(lambda: window.orders_tab.model.rowCount() == total, timeout=5000)
    return window


def test_the_selected_order_stays_selected_past_the_first_page(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    """A new sort keeps the seller's order selected even when it lands past row 200, which
    is only known once the whole id list is read."""
    expected = add_orders(database)
    window = orders_window_all(qtbot, make_ctx(), len(expected))
    tab = window.orders_tab
    by_total = ViewQueries(database.engine).order_keys(OrderFilter(), "total", False)
    chosen = next(k for k in expected[:PAGE] if by_total.index(k) > PAGE + 20)
    tab.select_row(expected.index(chosen))
    qtbot.waitUntil(lambda: tab.detail.order_id == chosen, timeout=5000)
    loads: list[int] = []
    tab.model.loaded.connect(loads.append)
    tab.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: len(loads) == 2, timeout=5000)  # the first page, then all ids
    assert tab.model.key_at(len(by_total) - 1) == by_total[-1]
    assert tab.selected_ids() == [chosen]
    assert tab.detail.order_id == chosen
