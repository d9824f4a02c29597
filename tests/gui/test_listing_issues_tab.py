"""The Listings tab shows Amazon's issues (issue 10, Listings 1): a chip with the counts by
severity, a tooltip with each issue's code, attribute and message, the selected listing's
issues with severity icons, "issues unreadable" for a damaged stored list (never a broken
table), and a "With issues" filter that offers errors only. Real store, real task runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from sqlalchemy import insert, text

from kinxpro_desktop.core.listing_issues import ERROR, WARNING
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.schema import listings
from kinxpro_desktop.ui.models.listings import ISSUES_COLUMN, ListingsTableModel
from kinxpro_desktop.ui.models.paged import CHIP_ROLE
from kinxpro_desktop.ui.tabs.listings import ListingsTab
from tests.integration.test_listing_issues_store import IMAGE, NOTE, WEIGHT

STORED = {
    "A-NEW": json.dumps([WEIGHT.to_json(), IMAGE.to_json(), WEIGHT.to_json()]),
    "B-WARN": json.dumps([IMAGE.to_json(), NOTE.to_json()]),
    "C-OLD": json.dumps(["Error 90220 (item_name): missing", "Warning 18027: Image too small."]),
    "D-BROKEN": "[{not json",
    "E-NONE": "[]",
    "F-NOTE": json.dumps([NOTE.to_json()]),
}


@pytest.fixture
def tab(make_ctx: Callable[..., Any], database: Database, qtbot: Any) -> ListingsTab:
    rows = [
        {
            "sku": sku,
            "marketplace_id": "ATVPDKIKX0DER",
            "asin": f"B0{n:08d}",
            "title": f"Widget {sku}",
            "price_minor": 1999,
            "currency": "USD",
            "quantity": 5,
            "status": "Active",
            "fulfillment_channel": "DEFAULT",
            "issues_json": stored,
            "updated_at": "2026-11-26T00:00:00.000000Z",
        }
        for n, (sku, stored) in enumerate(STORED.items())
    ]
    with database.engine.begin() as conn:
        conn.execute(insert(listings), rows)
    widget = ListingsTab(make_ctx())
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.model.reload()
    wait_rows(qtbot, widget, len(STORED))
    return widget


def wait_rows(qtbot: Any, tab: ListingsTab, expected: int) -> None:
    qtbot.waitUntil(lambda: tab.model.rowCount() == expected, timeout=5000)
    qtbot.waitUntil(
        lambda: all(tab.model.listing_at(r) is not None for r in range(expected)), timeout=5000
    )


def cell(tab: ListingsTab, sku: str, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    for row in range(tab.model.rowCount()):
        r = tab.model.listing_at(row)
        if r is not None and r.sku == sku:
            return tab.model.index(row, ISSUES_COLUMN).data(role)
    raise AssertionError(sku)


def test_chip_counts_by_severity_and_tooltip_lists_each_issue(tab: ListingsTab) -> None:
    assert tab.model.headerData(ISSUES_COLUMN, Qt.Orientation.Horizontal) == "Issues"
    assert cell(tab, "A-NEW") == "2 errors · 1 warning"
    assert cell(tab, "A-NEW", CHIP_ROLE) == "bad"
    assert cell(tab, "A-NEW", Qt.ItemDataRole.ToolTipRole).split("\n") == [
        f"Error 90220 · item_package_weight: {WEIGHT.message}",
        f"Error 90220 · item_package_weight: {WEIGHT.message}",
        "Warning 18027 · main_product_image_locator: Image too small.",
    ]
    assert cell(tab, "B-WARN") == "1 warning · 1 note"
    assert cell(tab, "B-WARN", CHIP_ROLE) == "warn"
    assert cell(tab, "F-NOTE") == "1 note"
    assert cell(tab, "F-NOTE", CHIP_ROLE) == "info"
    assert cell(tab, "E-NONE") == "" and not cell(tab, "E-NONE", CHIP_ROLE)


def test_old_strings_display_like_new_objects(tab: ListingsTab) -> None:
    assert cell(tab, "C-OLD") == "1 error · 1 warning"
    assert cell(tab, "C-OLD", CHIP_ROLE) == "bad"
    assert cell(tab, "C-OLD", Qt.ItemDataRole.ToolTipRole) == (
        "Error 90220 (item_name): missing\nWarning 18027: Image too small."
    )


def test_a_damaged_issue_list_says_unreadable_and_the_table_still_paints(
    tab: ListingsTab,
) -> None:
    assert cell(tab, "D-BROKEN") == "issues unreadable"
    assert cell(tab, "D-BROKEN", CHIP_ROLE) == "bad"
    assert "next sync" in cell(tab, "D-BROKEN", Qt.ItemDataRole.ToolTipRole)
    assert not tab.table.viewport().grab().isNull()  # the chip delegate paints every row


#: written out by hand, not the store's clause: an ERROR object, an old "Error …" string, or
#: a value that is not JSON at all
SQL_ERRORS = """
SELECT COUNT(*) FROM listings WHERE CASE
  WHEN NOT json_valid(issues_json) THEN 1
  ELSE EXISTS (SELECT 1 FROM json_each(listings.issues_json) AS j WHERE
    (j.type = 'object' AND json_extract(j.value, '$.severity') = 'ERROR')
    OR (j.type = 'text' AND j.value LIKE 'Error%'))
END
"""


def _sql_errors(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(text(SQL_ERRORS)).scalar_one())


def test_errors_only_filter_count_equals_the_sql_count(
    tab: ListingsTab, qtbot: Any, database: Database
) -> None:
    assert not tab.issues_level.isEnabled()
    with qtbot.waitSignal(tab.model.loaded, timeout=5000):
        tab.issues_only.setChecked(True)
    assert tab.issues_level.isEnabled()
    wait_rows(qtbot, tab, 5)  # any issue, damage included; not E-NONE
    with qtbot.waitSignal(tab.model.loaded, timeout=5000):
        tab.issues_level.setCurrentIndex(tab.issues_level.findText("errors only"))
    expected = _sql_errors(database)
    assert expected == 3  # A-NEW, C-OLD, D-BROKEN
    wait_rows(qtbot, tab, expected)
    assert tab.count_label.text() == "3 listings"
    shown = {tab.model.listing_at(r).sku for r in range(tab.model.rowCount())}  # type: ignore[union-attr]
    assert shown == {"A-NEW", "C-OLD", "D-BROKEN"}
    assert tab.is_filtered()
    with qtbot.waitSignal(tab.model.loaded, timeout=5000):
        tab.issues_only.setChecked(False)
    wait_rows(qtbot, tab, len(STORED))
    assert not tab.issues_level.isEnabled() and not tab.current_filter().errors_only


def test_selected_listing_lists_its_issues_with_severity_icons(
    tab: ListingsTab, qtbot: Any
) -> None:
    panel = tab.issues_panel
    assert panel.isHidden()
    row = next(
        r
        for r in range(tab.model.rowCount())
        if tab.model.listing_at(r).sku == "A-NEW"  # type: ignore[union-attr]
    )
    tab.table.selectionModel().setCurrentIndex(
        tab.model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.waitUntil(panel.isVisible, timeout=2000)
    texts = [panel.item(i).text() for i in range(panel.count())]
    assert texts[0] == "A-NEW (US): 2 errors · 1 warning"
    assert texts[1:] == [WEIGHT.text, WEIGHT.text, IMAGE.text]
    severities = [panel.item(i).data(Qt.ItemDataRole.UserRole) for i in range(1, panel.count())]
    assert severities == [ERROR, ERROR, WARNING]
    assert all(not panel.item(i).icon().isNull() for i in range(1, panel.count()))
    assert panel.item(1).toolTip() == "MISSING_ATTRIBUTE"
    none = next(
        r
        for r in range(tab.model.rowCount())
        if tab.model.listing_at(r).sku == "E-NONE"  # type: ignore[union-attr]
    )
    tab.table.selectionModel().setCurrentIndex(
        tab.model.index(none, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    qtbot.waitUntil(panel.isHidden, timeout=2000)


def test_listings_model_with_issues_passes_qtmodeltester(
    tab: ListingsTab, qtmodeltester: Any
) -> None:
    assert isinstance(tab.model, ListingsTableModel)
    qtmodeltester.check(tab.model, force_py=True)


def test_sorting_by_issues_puts_errors_first(tab: ListingsTab, qtbot: Any) -> None:
    with qtbot.waitSignal(tab.model.loaded, timeout=5000):
        tab.table.sortByColumn(ISSUES_COLUMN, Qt.SortOrder.DescendingOrder)
    wait_rows(qtbot, tab, len(STORED))
    order = [tab.model.listing_at(r).sku for r in range(tab.model.rowCount())]  # type: ignore[union-attr]
    assert order == ["D-BROKEN", "C-OLD", "A-NEW", "B-WARN", "F-NOTE", "E-NONE"]  # ties: newest id
