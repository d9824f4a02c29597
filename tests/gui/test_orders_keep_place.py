"""The Orders and Listings tabs keep the seller's place and say things the way a seller reads
them (issue 8, part 1 #6/#7): refresh in place, deferred while hidden, search as you type,
seller words, local time, QLocale money, totals that add up, honest buyer-data states."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionHeader
from sqlalchemy import insert, update

from kinxpro_desktop.core.changes import Changes
from kinxpro_desktop.core.models import Money
from kinxpro_desktop.store.schema import listings, order_pii, orders
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.main_window import MainWindow
from kinxpro_desktop.ui.style import sort_arrow
from kinxpro_desktop.ui.tabs.orders import MASKED
from tests.gui.test_orders_listings_tabs import select, shown, wait_rows
from tests.support.seed import make_orders


def orders_window(qtbot, ctx) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.orders_tab)
    window.refresh_all()
    wait_rows(qtbot, window.orders_tab, 60)
    return window


def newer_order(database, minutes: int = 5):  # type: ignore[no-untyped-def]
    seeded = make_orders(datetime.now(UTC) + timedelta(minutes=minutes + 7), count=1)
    order = replace(seeded.orders[0], order_id=f"114-9999999-{minutes:07d}")
    database.orders.upsert([order])
    return order


def test_a_sync_keeps_selection_detail_and_revealed_buyer_data(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    window = orders_window(qtbot, make_ctx())
    tab = window.orders_tab
    resets: list[bool] = []
    tab.model.modelReset.connect(lambda: resets.append(True))
    select(tab, 3)
    chosen = tab.model.key_at(3)
    shown(qtbot, tab.detail, chosen)
    tab.detail.reveal_button.click()
    qtbot.waitUntil(lambda: tab.detail.name_label.text() != MASKED, timeout=5000)
    revealed = tab.detail.name_label.text()

    added = newer_order(database)  # a sync stores a newer order: it goes on top
    window._ctx.events.data_changed.emit(Changes.everything())
    wait_rows(qtbot, tab, 61)
    assert tab.model.key_at(0) == added.order_id
    selected = tab.table.selectionModel().selectedRows()
    assert [tab.model.key_at(i.row()) for i in selected] == [chosen]
    assert selected[0].row() == 4  # the same order, one row further down
    qtbot.wait(50)
    assert tab.detail.order_id == chosen
    assert tab.detail.name_label.text() == revealed  # still revealed: nothing reset
    assert tab.count_label.text() == "61 orders"
    assert resets == []


def test_a_changed_order_updates_its_row_only(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    window = orders_window(qtbot, make_ctx())
    tab = window.orders_tab
    target = tab.model.key_at(2)
    changed_rows: list[tuple[int, int]] = []
    resets: list[bool] = []
    tab.model.modelReset.connect(lambda: resets.append(True))
    tab.model.dataChanged.connect(lambda a, b: changed_rows.append((a.row(), b.row())))
    with database.engine.begin() as conn:
        conn.execute(update(orders).where(orders.c.order_id == target).values(status="Shipped"))
    window._ctx.events.data_changed.emit(Changes(orders=frozenset({target})))
    qtbot.waitUntil(lambda: tab.model.index(2, 2).data() == "Shipped", timeout=5000)
    assert (2, 2) in changed_rows  # the changed row is announced on its own
    assert tab.model.index(1, 2).data() == "Unshipped"
    assert resets == []


def test_a_hidden_tab_refreshes_when_shown(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    window = orders_window(qtbot, make_ctx())
    tab = window.orders_tab
    window.tabs.setCurrentWidget(window.listings_tab)
    newer_order(database)
    window._ctx.events.data_changed.emit(Changes.everything())
    qtbot.wait(100)
    assert tab.model.deferred and tab.model.rowCount() == 60  # no work while hidden
    window.tabs.setCurrentWidget(tab)
    wait_rows(qtbot, tab, 61)
    assert not tab.model.deferred


def test_search_filters_as_you_type(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    tab = orders_window(qtbot, make_ctx()).orders_tab
    assert "Search" in tab.search.placeholderText()
    qtbot.keyClicks(tab.search, "0000042")  # no Enter
    assert tab.search_timer.isActive()  # debounced: one query after the typing stops
    wait_rows(qtbot, tab, 1)
    assert tab.model.index(0, 0).data().startswith("113-0000042")
    tab.search.clear()
    wait_rows(qtbot, tab, 60)


def test_status_filter_uses_seller_words(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    tab = orders_window(qtbot, make_ctx()).orders_tab
    texts = [tab.status_combo.itemText(i) for i in range(tab.status_combo.count())]
    assert "Partially shipped" in texts and "Cancelled" in texts
    assert "PartiallyShipped" not in texts and "Canceled" not in texts
    target = tab.model.key_at(0)
    with database.engine.begin() as conn:
        conn.execute(
            update(orders).where(orders.c.order_id == target).values(status="PartiallyShipped")
        )
    tab.status_combo.setCurrentIndex(texts.index("Partially shipped"))
    wait_rows(qtbot, tab, 1)
    assert tab.model.key_at(0) == target
    # a row cached before the filter shows until it is re-read (stale rows are re-read)
    qtbot.waitUntil(
        lambda: tab.model.index(0, 2).data().endswith("Partially shipped"), timeout=5000
    )


def test_placed_column_sorts_newest_first_under_a_down_arrow(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    tab = orders_window(qtbot, make_ctx()).orders_tab
    header = tab.table.horizontalHeader()
    assert header.sortIndicatorSection() == 1
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    first = tab.model.row_object(0).purchase_date
    last = tab.model.row_object(1).purchase_date
    assert first > last  # newest first
    # QHeaderView hands a descending column to the style as SortUp, which Fusion draws as ▲;
    # the app style swaps it so newest-first shows ▼.
    assert sort_arrow(QStyleOptionHeader.SortIndicator.SortUp) == (
        QStyleOptionHeader.SortIndicator.SortDown
    )


def test_ids_and_dates_fit_at_the_default_window_size(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    tab = orders_window(qtbot, make_ctx()).orders_tab
    metrics = tab.table.fontMetrics()
    for col in (0, 1, 3, 4):
        text = tab.model.index(0, col).data()
        assert tab.table.columnWidth(col) >= metrics.horizontalAdvance(text) + 8, (col, text)


def test_detail_totals_add_up_with_currencies(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    tab = orders_window(qtbot, make_ctx()).orders_tab
    select(tab, 2)  # three items
    shown(qtbot, tab.detail, tab.model.key_at(2))
    detail = tab.detail.detail
    t = detail.totals
    assert t.items.amount + t.tax.amount + t.other.amount == t.order_total.amount
    assert tab.detail.items.rowCount() == 3
    assert tab.detail.items.item(0, 3).text().endswith("USD")  # item prices with currency
    assert fmt.money(t.order_total) in tab.detail.total_label.text()
    assert tab.detail.other_label.text() == fmt.money(t.other)


def test_hide_masks_again_and_revealing_keeps_the_splitter(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    tab = orders_window(qtbot, make_ctx()).orders_tab
    select(tab, 0)
    shown(qtbot, tab.detail, tab.model.key_at(0))
    qtbot.wait(20)
    sizes = tab.split.sizes()
    assert not tab.detail.hide_button.isEnabled()
    tab.detail.reveal_button.click()
    qtbot.waitUntil(lambda: tab.detail.name_label.text() != MASKED, timeout=5000)
    qtbot.wait(20)
    assert tab.split.sizes() == sizes
    assert tab.detail.hide_button.isEnabled()
    tab.detail.hide_button.click()
    assert tab.detail.name_label.text() == MASKED
    assert tab.detail.address_label.text() == MASKED
    assert tab.detail.reveal_button.isEnabled()


def test_no_mask_where_no_buyer_data_is_held(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    tab = orders_window(qtbot, make_ctx()).orders_tab
    target = tab.model.key_at(0)
    with database.engine.begin() as conn:  # an FBA order: Amazon ships, no buyer data
        conn.execute(
            update(orders).where(orders.c.order_id == target).values(fulfillment_channel="AFN")
        )
    with database.engine.begin() as conn:
        conn.execute(order_pii.delete().where(order_pii.c.order_id == target))
    select(tab, 0)
    shown(qtbot, tab.detail, target)
    assert MASKED not in tab.detail.name_label.text()
    assert "No buyer data held for this order" in tab.detail.buyer_note.text()
    assert not tab.detail.reveal_button.isEnabled()


def test_tables_use_the_sellers_local_time(qtbot, make_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        tab = orders_window(qtbot, make_ctx()).orders_tab
        row = tab.model.row_object(0)
        local = row.purchase_date.astimezone()
        assert local.utcoffset() == timedelta(hours=9)
        cell = tab.model.index(0, 1).data()
        assert cell == fmt.local_datetime(row.purchase_date)
        assert f"{local:%H:%M}" in cell
        assert f"{row.purchase_date:%H:%M}" not in cell  # not UTC
    finally:
        monkeypatch.undo()
        time.tzset()


def add_listings(database) -> None:  # type: ignore[no-untyped-def]
    now = "2026-11-26T00:00:00.000000Z"
    rows = [
        ("JP-1", "A1VC38T7YXB528", 1980, "JPY"),
        ("DE-1", "A1PA6795UKMFR9", 1299, "EUR"),
        ("GB-1", "A1F83G8C2ARO7P", 999, "GBP"),
        ("US-1", "ATVPDKIKX0DER", 1999, "USD"),
        ("XX-1", "AUNKNOWNMARKET", None, None),
    ]
    with database.engine.begin() as conn:
        conn.execute(
            insert(listings),
            [
                {
                    "sku": sku,
                    "marketplace_id": mid,
                    "asin": f"B0{sku}",
                    "title": f"Product {sku}",
                    "price_minor": price,
                    "currency": cur,
                    "quantity": 3,
                    "status": "Active",
                    "fulfillment_channel": "DEFAULT",
                    "issues_json": json.dumps([]),
                    "updated_at": now,
                }
                for sku, mid, price, cur in rows
            ],
        )


def test_listings_show_every_marketplace_and_jpy_without_decimals(
    qtbot, make_ctx, database
) -> None:  # type: ignore[no-untyped-def]
    add_listings(database)
    window = MainWindow(make_ctx())
    qtbot.addWidget(window)
    window.show()
    window.refresh_all()
    tab = window.listings_tab
    wait_rows(qtbot, tab, 5)
    by_sku = {tab.model.index(r, 0).data(): r for r in range(5)}
    assert tab.model.index(by_sku["JP-1"], 1).data() == "JP"
    assert tab.model.index(by_sku["DE-1"], 1).data() == "DE"
    assert tab.model.index(by_sku["GB-1"], 1).data() == "GB"
    assert tab.model.index(by_sku["XX-1"], 1).data() == "AUNKNOWNMARKET"  # never blank
    assert tab.model.index(by_sku["JP-1"], 4).data() == "1,980 JPY"
    assert tab.model.index(by_sku["DE-1"], 4).data() == "12.99 EUR"
    assert "Amazon.co.jp" in tab.model.index(by_sku["JP-1"], 1).data(Qt.ItemDataRole.ToolTipRole)


def test_listings_model_passes_the_model_tester(qtbot, qtmodeltester, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    add_listings(database)
    window = MainWindow(make_ctx())
    qtbot.addWidget(window)
    window.show()
    window.refresh_all()
    wait_rows(qtbot, window.listings_tab, 5)
    qtmodeltester.check(window.listings_tab.model)


def test_money_follows_the_locale(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QLocale

    before = QLocale()
    try:
        QLocale.setDefault(QLocale("de_DE"))
        assert fmt.money(Money(Decimal("1234.5"), "EUR")) == "1.234,50\xa0€"
        assert fmt.money(Money(Decimal("1980"), "JPY")) == "1.980 JPY"
        QLocale.setDefault(QLocale("en_US"))
        assert fmt.money(Money(Decimal("19.99"), "USD")) == "$19.99"
        assert fmt.plural(1, "day") == "1 day" and fmt.plural(2, "day") == "2 days"
    finally:
        QLocale.setDefault(before)


def test_a_retention_wipe_updates_the_buyer_data_column(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    window = orders_window(qtbot, make_ctx())
    tab = window.orders_tab
    last = tab.model.rowCount() - 1  # the oldest order, past the 30-day window
    qtbot.waitUntil(lambda: tab.model.index(last, 8).data() == "Held", timeout=5000)
    select(tab, last)
    shown(qtbot, tab.detail, tab.model.key_at(last))
    assert tab.detail.reveal_button.isEnabled()
    window.run_scheduled_wipe()
    qtbot.waitUntil(lambda: tab.model.index(last, 8).data() == "", timeout=5000)
    qtbot.waitUntil(lambda: not tab.detail.reveal_button.isEnabled(), timeout=5000)
    assert "under the 30-day policy" in tab.detail.buyer_note.text()
    assert tab.model.index(0, 8).data() == "Held"  # inside the window: kept


def test_in_place_refresh_passes_the_model_tester(qtbot, qtmodeltester, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    window = orders_window(qtbot, make_ctx())
    tab = window.orders_tab
    qtmodeltester.check(tab.model, force_py=True)  # keeps watching the signals below
    newer_order(database, minutes=5)
    newer_order(database, minutes=9)
    gone = tab.model.key_at(10)
    with database.engine.begin() as conn:
        conn.execute(orders.delete().where(orders.c.order_id == gone))
        target = tab.model.key_at(20)
        conn.execute(  # moves far down the list
            update(orders)
            .where(orders.c.order_id == target)
            .values(purchase_date="2020-01-01T00:00:00.000000Z")
        )
    window._ctx.events.data_changed.emit(Changes.everything())
    wait_rows(qtbot, tab, 61)
    qtbot.waitUntil(lambda: tab.model.key_at(60) == target, timeout=5000)
    assert tab.model.row_of(gone) is None


def test_late_orders_get_a_late_chip(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    from kinxpro_desktop.ui.models.paged import CHIP_ROLE

    window = orders_window(qtbot, make_ctx())
    tab = window.orders_tab
    late, due = tab.model.key_at(0), tab.model.key_at(1)
    past = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with database.engine.begin() as conn:
        conn.execute(update(orders).where(orders.c.order_id == late).values(ship_by=past))
        conn.execute(update(orders).where(orders.c.order_id == due).values(ship_by=future))
    window._ctx.events.data_changed.emit(Changes(orders=frozenset({late, due})))
    qtbot.waitUntil(lambda: tab.model.index(0, 2).data() == "Late · Unshipped", timeout=5000)
    assert tab.model.index(0, 2).data(CHIP_ROLE) == "late"
    assert tab.model.index(1, 2).data(CHIP_ROLE) == "warn"  # merchant order to ship, not late
    assert tab.model.index(1, 3).data() == fmt.local_date(datetime.fromisoformat(future))


def test_scrolling_a_long_list_keeps_a_bounded_row_cache(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    from kinxpro_desktop.ui.models import paged

    seeded = make_orders(datetime.now(UTC) - timedelta(days=61), count=4500, days=300)
    database.orders.upsert(
        [replace(o, order_id=o.order_id.replace("113-", "115-", 1)) for o in seeded.orders]
    )
    window = MainWindow(make_ctx())
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.orders_tab)
    window.refresh_all()
    tab = window.orders_tab
    wait_rows(qtbot, tab, 4560)
    for row in range(0, 4560, paged.PAGE):  # the seller scrolls to the end
        tab.table.scrollTo(tab.model.index(row, 0))
        qtbot.waitUntil(lambda r=row: tab.model.row_object(r) is not None, timeout=5000)
    assert tab.model.cached_rows <= paged.CACHE_ROWS
    last = tab.model.rowCount() - 1
    tab.table.scrollTo(tab.model.index(0, 0))
    qtbot.waitUntil(lambda: tab.model.index(0, 0).data() != "…", timeout=5000)
    assert tab.model.index(0, 0).data() == tab.model.key_at(0)
    assert tab.model.key_at(last).startswith("115-")  # oldest last
