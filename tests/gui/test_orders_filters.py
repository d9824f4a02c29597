"""Orders filters a seller lives in (issue 10): quick-filter buttons whose counts equal SQL
counts, status/channel/marketplace/date presets, search as you type (debounced) including
the buyer's name while held, sort, saved filters without the search text, qtmodeltester."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QSettings, Qt
from sqlalchemy import text, update

from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.schema import orders
from kinxpro_desktop.store.timefmt import to_db
from kinxpro_desktop.ui.tabs.orders import OrdersTab
from kinxpro_desktop.ui.widgets.orders_filters import end_of_today, saved_filters
from tests.gui.test_orders_listings_tabs import wait_rows

UK = "A1F83G8C2ARO7P"


def vary(database: Database) -> None:
    """Late, due-today, shipped, pending and UK orders among the 60 seeded (all Unshipped)."""
    now = datetime.now(UTC)
    rows = [r[0] for r in database.engine.connect().execute(text("SELECT order_id FROM orders"))]
    rows.sort()
    with database.engine.begin() as conn:
        for i, oid in enumerate(rows):
            values: dict[str, Any] = {}
            if i % 6 == 0:
                values["ship_by"] = to_db(now - timedelta(hours=3 + i))  # late
            elif i % 6 == 1:
                values["ship_by"] = to_db(min(now + timedelta(minutes=5), end_of_today(now)))
            elif i % 6 == 2:
                values["ship_by"] = to_db(now + timedelta(days=3))
            if i % 5 == 0:
                values["status"] = "Shipped"
            elif i % 7 == 0:
                values["status"] = "Pending"
            if i % 4 == 0:
                values["marketplace_id"] = UK
            if values:
                conn.execute(update(orders).where(orders.c.order_id == oid).values(**values))


def sql_count(database: Database, where: str, **params: Any) -> int:
    with database.engine.connect() as conn:
        sql = f"SELECT count(*) FROM orders WHERE {where}"  # noqa: S608 - the tests' own SQL
        return int(conn.execute(text(sql), params).scalar())


AWAIT = "status IN ('Unshipped', 'PartiallyShipped')"


def tab_for(qtbot: Any, ctx: Any) -> OrdersTab:
    tab = OrdersTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    tab.model.reload()
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=5000)
    return tab


def filtered(qtbot: Any, tab: OrdersTab, action: Any) -> int:
    with qtbot.waitSignal(tab.model.loaded, timeout=5000) as blocker:
        action()
    return int(blocker.args[0])


def test_quick_filter_counts_equal_sql_counts(
    qtbot: Any, make_ctx: Any, database: Database
) -> None:
    vary(database)
    tab = tab_for(qtbot, make_ctx())
    qtbot.waitUntil(lambda: tab.counts is not None, timeout=5000)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    eod = to_db(end_of_today())
    mfn = f"fulfillment_channel = 'MFN' AND {AWAIT}"
    expected = {
        "needs_shipping": sql_count(database, mfn),
        "late": sql_count(database, f"{mfn} AND ship_by <= :now", now=now),
        "risk": sql_count(database, f"{mfn} AND ship_by <= :eod", eod=eod),
        "pending": sql_count(database, "status = 'Pending'"),
    }
    assert all(expected.values()) and expected["late"] < expected["risk"]
    assert tab.quick.counts == expected
    assert tab.quick.buttons["late"].text() == f"Late {expected['late']}"
    for key, n in expected.items():  # each button lists exactly what it counts
        shown = filtered(qtbot, tab, tab.quick.buttons[key].click)
        assert shown == n, key
        assert tab.count_label.text().startswith(str(n))
    filtered(qtbot, tab, tab.quick.buttons["pending"].click)  # unchecked: everything again
    assert tab.model.rowCount() == 60


def test_status_channel_marketplace_and_date_presets(
    qtbot: Any, make_ctx: Any, database: Database
) -> None:
    vary(database)
    tab = tab_for(qtbot, make_ctx())
    n = filtered(
        qtbot, tab, lambda: tab.market_combo.setCurrentIndex(tab.market_combo.findData(UK))
    )
    assert n == sql_count(database, "marketplace_id = :m", m=UK)
    n = filtered(
        qtbot, tab, lambda: tab.status_combo.setCurrentIndex(tab.status_combo.findData("Shipped"))
    )
    assert n == sql_count(database, "marketplace_id = :m AND status = 'Shipped'", m=UK)
    filtered(qtbot, tab, lambda: tab.market_combo.setCurrentIndex(0))
    filtered(qtbot, tab, lambda: tab.status_combo.setCurrentIndex(0))
    since = to_db(datetime.now(UTC) - timedelta(days=7))
    n = filtered(qtbot, tab, lambda: tab.dates.preset.setCurrentIndex(2))  # Last 7 days
    assert n == sql_count(database, "purchase_date >= :s", s=since) and 0 < n < 60
    n = filtered(qtbot, tab, lambda: tab.dates.preset.setCurrentIndex(4))  # Last 90 days
    assert n == 60
    assert not tab.dates.start.isVisible()
    filtered(qtbot, tab, lambda: tab.dates.preset.setCurrentIndex(5))  # Custom: two dates
    assert tab.dates.start.isVisible() and tab.dates.end.isVisible()


def test_search_as_you_type_finds_sku_title_and_buyer_name(
    qtbot: Any, make_ctx: Any, database: Database
) -> None:
    tab = tab_for(qtbot, make_ctx())
    loads: list[int] = []
    tab.model.loaded.connect(loads.append)
    for ch in "SKU-2":  # typed: one filter after the pause, not one per key
        qtbot.keyClicks(tab.search, ch)
    qtbot.waitUntil(lambda: bool(loads), timeout=3000)
    qtbot.wait(400)
    assert loads == [20]
    pii = database.orders.get_pii("113-0000005-0039595")
    assert pii is not None
    surname = pii.buyer_name.split()[-1]
    with qtbot.waitSignal(tab.model.loaded, timeout=5000) as blocker:
        tab.search.setText(surname)
    assert blocker.args[0] >= 1
    assert "113-0000005-0039595" in [tab.model.key_at(r) for r in range(tab.model.rowCount())]
    with qtbot.waitSignal(tab.model.loaded, timeout=5000) as blocker:
        tab.search.setText("Test product 1")
    assert blocker.args[0] == 40


def test_sort_by_total_and_ship_by(qtbot: Any, make_ctx: Any, database: Database) -> None:
    vary(database)
    tab = tab_for(qtbot, make_ctx())
    filtered(qtbot, tab, lambda: tab.table.sortByColumn(4, Qt.SortOrder.AscendingOrder))
    qtbot.waitUntil(lambda: tab.model.order_at(0) is not None, timeout=5000)
    with database.engine.connect() as conn:
        cheapest = conn.execute(
            text("SELECT order_id FROM orders ORDER BY total_minor, order_id LIMIT 1")
        ).scalar()
    assert tab.model.key_at(0) == cheapest


def test_saved_filters_keep_the_choices_never_the_search_text(
    qtbot: Any, make_ctx: Any, database: Database, tmp_path: Any
) -> None:
    vary(database)
    tab = tab_for(qtbot, make_ctx())
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    tab.use_settings(settings)
    pii = database.orders.get_pii("113-0000005-0039595")
    assert pii is not None
    tab.search.setText(pii.buyer_name)  # a buyer's name: must never reach QSettings
    tab.market_combo.setCurrentIndex(tab.market_combo.findData(UK))
    tab.needs_shipping.setChecked(True)
    tab.save_current_filter("UK to ship")
    settings.sync()
    written = (tmp_path / "ui.ini").read_text()
    assert pii.buyer_name not in written and pii.buyer_name.split()[-1] not in written
    assert saved_filters(settings)["UK to ship"]["marketplace"] == UK
    tab.search.clear()
    tab.market_combo.setCurrentIndex(0)
    tab.needs_shipping.setChecked(False)
    saved = [a for a in tab.saved_button.menu().actions() if a.text() == "UK to ship"]
    assert len(saved) == 1
    n = filtered(qtbot, tab, saved[0].trigger)
    assert tab.market_combo.currentData() == UK and tab.needs_shipping.isChecked()
    assert tab.search.text() == ""
    assert n == sql_count(
        database, f"marketplace_id = :m AND fulfillment_channel = 'MFN' AND {AWAIT}", m=UK
    )


def test_orders_model_passes_qtmodeltester(qtbot: Any, make_ctx: Any, qtmodeltester: Any) -> None:
    tab = tab_for(qtbot, make_ctx())
    wait_rows(qtbot, tab, 60)
    qtmodeltester.check(tab.model, force_py=True)
