"""Look and feel (Fusion, light/dark, forced by env), typed read side, typed changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from kinxpro_desktop.core.changes import Changes
from kinxpro_desktop.core.models import Money
from kinxpro_desktop.core.sync import SyncReport
from kinxpro_desktop.services.views import OrderFilter, ViewService
from kinxpro_desktop.ui.style import THEME_ENV, apply_style, icon, wanted_theme


@pytest.fixture
def restore_style(qapp):  # type: ignore[no-untyped-def]
    palette, sheet, theme = qapp.palette(), qapp.styleSheet(), qapp.property("kinxproTheme")
    yield qapp
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)
    qapp.setProperty("kinxproTheme", theme)


def test_dark_and_light_can_be_forced_for_screenshots(restore_style, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app: QApplication = restore_style
    monkeypatch.setenv(THEME_ENV, "dark")
    assert apply_style(app) == "dark"
    assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert app.palette().color(QPalette.ColorRole.Text).lightness() > 180
    assert apply_style(app, theme="light") == "light"
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200


def test_system_theme_follows_the_colour_scheme(restore_style, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    monkeypatch.delenv(THEME_ENV, raising=False)
    scheme = QGuiApplication.styleHints().colorScheme()
    expected = "dark" if scheme == Qt.ColorScheme.Dark else "light"
    assert wanted_theme() == expected


def test_every_tab_and_action_icon_resolves(qapp) -> None:  # type: ignore[no-untyped-def]
    for name in ("listings", "orders", "labels", "reports", "privacy", "sync", "cancel"):
        assert not icon(name).isNull(), name
        assert not icon(name).pixmap(16, 16).isNull(), name


def test_read_side_returns_typed_values(database) -> None:  # type: ignore[no-untyped-def]
    views = ViewService(database)
    keys = views.order_keys(OrderFilter(), "purchase_date", True)
    rows = views.orders_by_id(keys[:3])
    row = rows[keys[0]]
    assert isinstance(row.purchase_date, datetime) and row.purchase_date.tzinfo is not None
    assert row.ship_by is None or isinstance(row.ship_by, datetime)
    assert isinstance(row.total, Money) and isinstance(row.item_count, int)
    assert [rows[k].purchase_date for k in keys[:3]] == sorted(
        (rows[k].purchase_date for k in keys[:3]), reverse=True
    )
    page = views.order_page(OrderFilter(), "purchase_date", True, 0, 3)
    assert [r.order_id for r in page] == keys[:3]
    assert views.store_totals().orders == len(keys) == views.count_orders(OrderFilter())


def test_changes_from_a_sync_and_merging() -> None:
    now = datetime.now(UTC)
    nothing = Changes.from_sync(SyncReport(now, now))
    assert not nothing
    synced = Changes.from_sync(SyncReport(now, now, orders_upserted=3))
    assert synced.orders is None and synced.listings == frozenset()  # any order may differ
    some = Changes(orders=frozenset({"1"})) | Changes(orders=frozenset({"2"}))
    assert some.orders == frozenset({"1", "2"})
    assert (some | synced).orders is None
    assert Changes.touches(None) and not Changes.touches(frozenset())
    tracked = Changes.from_sync(SyncReport(now, now, orders_upserted=2, order_ids=frozenset("ab")))
    assert tracked.orders == frozenset({"a", "b"})
