"""The main window a seller opens every morning."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QShortcut

from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.ui.main_window import TAB_NAMES, MainWindow
from kinxpro_desktop.ui.tabs.empty import EmptyStateTab
from tests.support.seed import MARKER


def test_window_has_the_five_tabs_with_real_empty_states(qtbot, make_ctx, empty_database) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(make_ctx(privacy=PrivacyService(empty_database)))
    qtbot.addWidget(window)
    window.show()
    window.refresh_all()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == list(TAB_NAMES)
    for tab in (window.listings_tab, window.orders_tab):
        qtbot.waitUntil(lambda t=tab: t.count_label.text() != "", timeout=5000)
        assert tab.stack.currentWidget() is tab.empty
    empties = [window.listings_tab.empty, window.orders_tab.empty]
    # Labels and Reports are placeholders until their feature tabs exist
    empties += [w for w in map(window.tabs.widget, (2, 3)) if isinstance(w, EmptyStateTab)]
    for tab in empties:
        assert isinstance(tab, EmptyStateTab)
        assert "Connect" in tab.body
        assert "placeholder" not in tab.body.lower()
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&View", "&Account", "&Help"]
    assert window.statusBar().isVisible()


def test_f5_without_an_account_says_how_to_connect(qtbot, make_ctx, empty_database) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(make_ctx(privacy=PrivacyService(empty_database)))
    qtbot.addWidget(window)
    window.show()
    window.sync_action.trigger()  # F5
    message = window.statusBar().currentMessage()
    assert "Account ▸ Connect" in message
    assert "already running" not in message
    assert "No Amazon account connected" in window.sync_status.health.text()


def test_keyboard_shortcuts_switch_tabs(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(make_ctx())
    qtbot.addWidget(window)
    window.show()
    shortcuts = {a.shortcut().toString(): a for a in window.actions()}
    shortcuts["Ctrl+3"].trigger()
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Labels"
    window.privacy_action.trigger()
    assert window.tabs.currentWidget() is window.privacy_tab
    for i in range(5):
        shortcuts[f"Ctrl+{i + 1}"].trigger()
        assert window.tabs.currentIndex() == i


def test_menus_list_every_shortcut(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(make_ctx())
    qtbot.addWidget(window)
    in_menus = set()
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if not action.shortcut().isEmpty():
                in_menus.add(action.shortcut().toString())
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert [a.shortcut().toString() for a in view.actions()][:5] == [
        f"Ctrl+{i}" for i in range(1, 6)
    ]
    everywhere = {a.shortcut().toString() for a in window.findChildren(QAction)}
    everywhere |= {s.key().toString() for s in window.findChildren(QShortcut)}
    everywhere.discard("")
    assert everywhere <= in_menus, everywhere - in_menus
    assert {"F5", "Ctrl+F", "Ctrl+Q", "Ctrl+."} <= in_menus
    assert all(not window.tabs.tabIcon(i).isNull() for i in range(window.tabs.count()))


def test_temporary_messages_do_not_hide_sync_status(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(make_ctx())
    qtbot.addWidget(window)
    window.show()
    window.statusBar().showMessage("Retention wipe: buyer data of 3 orders deleted.", 10_000)
    qtbot.wait(10)
    assert window.sync_status.isVisible()
    assert window.sync_status.sync_button.isVisible()
    assert window.sync_status.health.isVisible()


def test_geometry_and_last_tab_are_remembered_without_data(qtbot, make_ctx, app_paths) -> None:  # type: ignore[no-untyped-def]
    ctx = make_ctx()
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)
    first.tabs.setCurrentIndex(3)
    first.close()
    second = MainWindow(ctx)
    qtbot.addWidget(second)
    assert second.tabs.currentIndex() == 3
    assert (second.size().width(), second.size().height()) == (700, 500)
    stored = QSettings(str(app_paths.ui_state_file), QSettings.Format.IniFormat)
    assert sorted(stored.allKeys()) == [
        "listings/header",
        "orders/header",
        "orders/split",
        "window/geometry",
        "window/state",
        "window/tab",
    ]
    assert MARKER.encode() not in app_paths.ui_state_file.read_bytes()


def test_column_widths_sort_and_splitter_are_remembered(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    ctx = make_ctx()
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.show()
    first.orders_tab.table.setColumnWidth(0, 222)
    first.orders_tab.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)  # total, smallest first
    first.orders_tab.split.setSizes([700, 500])
    sizes = first.orders_tab.split.sizes()
    first.close()
    second = MainWindow(ctx)
    qtbot.addWidget(second)
    second.show()
    header = second.orders_tab.table.horizontalHeader()
    assert second.orders_tab.table.columnWidth(0) == 222
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        4,
        Qt.SortOrder.AscendingOrder,
    )
    assert second.orders_tab.model.sort_order == ("total", False)
    assert second.orders_tab.split.sizes() == sizes


def test_bad_stored_tab_falls_back_to_the_first(qtbot, make_ctx, app_paths) -> None:  # type: ignore[no-untyped-def]
    app_paths.ui_state_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.ui_state_file.write_text("[window]\ntab=banana\ngeometry=@ByteArray(junk)\n")
    window = MainWindow(make_ctx())
    qtbot.addWidget(window)
    assert window.tabs.currentIndex() == 0


def test_about_names_version_data_folder_and_log(qtbot, make_ctx, app_paths) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(make_ctx())
    qtbot.addWidget(window)
    text = window.about_text()
    assert "Kinxpro Desktop 0." in text
    assert str(app_paths.data_dir) in text
    assert str(app_paths.log_file) in text


def test_demo_badge_shows_only_in_demo_mode(qtbot, make_ctx) -> None:  # type: ignore[no-untyped-def]
    demo = MainWindow(make_ctx(demo=True))
    qtbot.addWidget(demo)
    assert demo.demo_badge.text().strip() == "DEMO"
    assert "Demo" in demo.windowTitle()
    real = MainWindow(make_ctx())
    qtbot.addWidget(real)
    assert not hasattr(real, "demo_badge")
