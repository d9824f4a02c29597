"""Listings tab at work (issue 10): filters, inline price/quantity edits validated at the cell
(nothing staged for a bad value), bulk edit, the Pending changes panel in the tab, and a
Submit through the simulator. Real store, real task runner, real HTTP to the simulator."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QLocale, Qt
from PySide6.QtWidgets import QLineEdit
from sqlalchemy import func, insert, select

from kinxpro_desktop.core.listing_edits import ChangeStatus
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.listing_edits import ListingEdits
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.schema import listings, staged_listing_changes
from kinxpro_desktop.ui.models.listings import (
    FBA_QUANTITY_TIP,
    PRICE_COLUMN,
    QUANTITY_COLUMN,
    ListingsTableModel,
)
from kinxpro_desktop.ui.tabs.listings import ListingsTab
from tests.integration.listings_edit.conftest import pick, store_listings
from tests.support.simulator import creds_for, sim_fixture
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
JP = "A1VC38T7YXB528"


@pytest.fixture(autouse=True)
def _english_numbers() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


sim = sim_fixture(start=START, orders=20, listings=40, time_scale=300.0)


@pytest.fixture
def ctx(make_ctx: Callable[..., Any], database: Database, sim: Simulator) -> Iterator[Any]:
    store_listings(database, sim)
    with database.engine.begin() as conn:  # a JPY listing (no decimals)
        conn.execute(
            insert(listings).values(
                sku="JP-KETTLE",
                marketplace_id=JP,
                asin="B0JP000001",
                title="Kettle",
                price_minor=2500,
                currency="JPY",
                quantity=4,
                status="Active",
                fulfillment_channel="DEFAULT",
                issues_json="[]",
                updated_at="2026-03-02T12:00:00.000000Z",
            )
        )
    conn_ = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim), timeout=5)
    base = make_ctx()  # not connected: no background sync takes the database thread
    yield dataclasses.replace(base, listing_edits=ListingEdits(database, conn_, clock=sim.now))
    conn_.close()


@pytest.fixture
def tab(ctx: Any, qtbot: Any) -> ListingsTab:
    widget = ListingsTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.model.reload()
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0, timeout=5000)
    return widget


def staged(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(staged_listing_changes)).scalar())


def row_of(tab: ListingsTab, qtbot: Any, sku: str) -> int:
    tab.search.setText(sku)
    if tab.model.filter.text != sku:
        with qtbot.waitSignal(tab.model.loaded, timeout=5000):
            tab.apply_filter()
    qtbot.waitUntil(lambda: tab.model.listing_at(0) is not None, timeout=5000)
    for r in range(tab.model.rowCount()):
        li = tab.model.listing_at(r)
        if li is not None and li.sku == sku:
            return r
    raise AssertionError(sku)


def edit(tab: ListingsTab, qtbot: Any, row: int, column: int, text: str) -> None:
    """Type into the cell's own editor and press Enter (the delegate's commit path)."""
    index = tab.model.index(row, column)
    tab.table.setCurrentIndex(index)
    tab.table.edit(index)
    editor = tab.table.findChild(QLineEdit, "cellEditor")
    assert editor is not None
    editor.setText(text)
    tab.edit_message.clear()
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the view commits on its next event loop turn
    qtbot.waitUntil(lambda: bool(tab.edit_message.text()), timeout=5000)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abc", "is not a price"),
        ("-1", "must be more than 0"),
        ("0", "must be more than 0"),
        ("0.001", "0.001"),
        ("1e12", "is not a price"),
        ("", "Enter a price"),
        ("12,50", "use '.' as the decimal point"),
    ],
)
def test_a_bad_price_gets_a_message_at_the_cell_and_stages_nothing(
    tab: ListingsTab, sim: Simulator, database: Database, qtbot: Any, text: str, words: str
) -> None:
    sku = pick(sim)[0]
    row = row_of(tab, qtbot, sku)
    edit(tab, qtbot, row, PRICE_COLUMN, text)
    assert words in tab.edit_message.text()
    assert sku in tab.edit_message.text() and "Nothing was staged" in tab.edit_message.text()
    qtbot.wait(50)
    assert staged(database) == 0
    assert tab.pending.model.rowCount() == 0


def test_too_high_a_price_and_bad_quantities_stage_nothing(
    tab: ListingsTab, sim: Simulator, database: Database, qtbot: Any
) -> None:
    sku = pick(sim)[0]
    row = row_of(tab, qtbot, sku)
    for column, text, words in (
        (PRICE_COLUMN, "1000000000000", "above"),
        (QUANTITY_COLUMN, "-1", "cannot be negative"),
        (QUANTITY_COLUMN, "1.5", "not a whole number"),
        (QUANTITY_COLUMN, "abc", "not a whole number"),
        (QUANTITY_COLUMN, "", "Enter a quantity"),
        (QUANTITY_COLUMN, "1000000", "sanity limit"),
    ):
        tab.commit_edit(tab.model.index(row, column), text)
        assert words in tab.edit_message.text(), (text, tab.edit_message.text())
    assert staged(database) == 0


def test_jpy_price_takes_no_decimals(tab: ListingsTab, database: Database, qtbot: Any) -> None:
    row = row_of(tab, qtbot, "JP-KETTLE")
    assert tab.model.index(row, PRICE_COLUMN).data(Qt.ItemDataRole.EditRole) == "2500"
    edit(tab, qtbot, row, PRICE_COLUMN, "1.5")
    assert "JPY" in tab.edit_message.text() or "decimal" in tab.edit_message.text()
    assert "Nothing was staged" in tab.edit_message.text()
    assert staged(database) == 0


def test_fba_quantity_is_not_editable_and_says_why(
    tab: ListingsTab, sim: Simulator, database: Database, qtbot: Any
) -> None:
    sku = pick(sim, channel="AFN")[0]
    row = row_of(tab, qtbot, sku)
    index = tab.model.index(row, QUANTITY_COLUMN)
    assert not tab.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert tab.model.flags(tab.model.index(row, PRICE_COLUMN)) & Qt.ItemFlag.ItemIsEditable
    assert index.data(Qt.ItemDataRole.ToolTipRole) == FBA_QUANTITY_TIP
    tab.commit_edit(index, "5")  # even if a value reached the commit, nothing is staged
    assert "Amazon fulfils this listing" in tab.edit_message.text()
    assert staged(database) == 0


def test_decimal_comma_locale_reads_12_50(
    tab: ListingsTab, sim: Simulator, database: Database, qtbot: Any
) -> None:
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    sku = pick(sim)[0]
    row = row_of(tab, qtbot, sku)
    assert "," in tab.model.index(row, PRICE_COLUMN).data(Qt.ItemDataRole.EditRole)
    edit(tab, qtbot, row, PRICE_COLUMN, "12,50")
    qtbot.waitUntil(lambda: tab.pending.model.rowCount() == 1, timeout=5000)
    change = tab.pending.model.change(0)
    assert (change.sku, change.new_value) == (sku, "12.50")


def test_stage_inline_then_submit_through_the_simulator(
    tab: ListingsTab, sim: Simulator, database: Database, qtbot: Any
) -> None:
    sku, other = pick(sim, n=2)
    row = row_of(tab, qtbot, sku)
    edit(tab, qtbot, row, PRICE_COLUMN, "23.45")
    qtbot.waitUntil(lambda: tab.pending.model.rowCount() == 1, timeout=5000)
    assert "staged" in tab.edit_message.text()
    row = row_of(tab, qtbot, other)
    edit(tab, qtbot, row, QUANTITY_COLUMN, "7")
    qtbot.waitUntil(lambda: tab.pending.model.rowCount() == 2, timeout=5000)
    with qtbot.waitSignal(tab.pending.submitted, timeout=30_000) as blocker:
        tab.pending.submit_button.click()
    report = blocker.args[0]
    assert report.via == "patch"
    assert sim.state.world.by_sku[sku].price_cents == 2345
    assert sim.state.world.by_sku[other].quantity == 7
    qtbot.waitUntil(lambda: tab.pending.model.rowCount() == 0, timeout=5000)
    done = tab.pending.edits.results_since(START)
    assert {c.status for c in done} == {ChangeStatus.ACCEPTED}


def test_bulk_edit_of_a_selection_stages_each(
    tab: ListingsTab, sim: Simulator, database: Database, qtbot: Any
) -> None:
    tab.channel_combo.setCurrentIndex(tab.channel_combo.findData("MFN"))
    with qtbot.waitSignal(tab.model.loaded, timeout=5000):
        tab.market_combo.setCurrentIndex(tab.market_combo.findData("ATVPDKIKX0DER"))
    qtbot.waitUntil(lambda: tab.model.listing_at(2) is not None, timeout=5000)
    assert {tab.model.listing_at(r).marketplace_id for r in range(3)} == {"ATVPDKIKX0DER"}  # type: ignore[union-attr]
    sel = tab.table.selectionModel()
    for r in (0, 2):
        sel.select(
            tab.model.index(r, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    assert [r.sku for r in tab.selected_listings()] == [
        tab.model.listing_at(0).sku,  # type: ignore[union-attr]
        tab.model.listing_at(2).sku,  # type: ignore[union-attr]
    ]
    dialog = tab.bulk_edit()
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.value.setText("9.99")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.result() or "Checking" not in dialog.error.text(), timeout=5000)
    assert dialog.result(), dialog.error.text()
    qtbot.waitUntil(lambda: tab.pending.model.rowCount() == 2, timeout=5000)
    assert {c.new_value for c in tab.pending.model.changes()} == {"9.99"}


def test_filters_match_sql_and_low_stock_threshold_is_remembered(
    tab: ListingsTab, database: Database, qtbot: Any, tmp_path: Any
) -> None:
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    tab.use_settings(settings)
    tab.threshold.setValue(3)
    tab.low_stock.setChecked(True)
    with database.engine.connect() as conn:
        expected = conn.execute(
            select(func.count())
            .select_from(listings)
            .where(
                listings.c.quantity <= 3,
                func.upper(listings.c.fulfillment_channel).not_in(["AFN"]),
                ~func.upper(listings.c.fulfillment_channel).like("AMAZON%"),
            )
        ).scalar()
    tab.search.clear()
    tab.apply_filter()
    qtbot.waitUntil(lambda: tab.model.rowCount() == expected, timeout=5000)
    assert tab.count_label.text().startswith(str(expected))
    assert settings.value("listings/lowStockThreshold") in (3, "3")
    again = ListingsTab(tab._ctx)
    qtbot.addWidget(again)
    again.use_settings(settings)
    assert again.threshold.value() == 3
    assert not [k for k in settings.allKeys() if "search" in k.lower()]


def test_listings_model_passes_qtmodeltester(tab: ListingsTab, qtmodeltester: Any) -> None:
    assert isinstance(tab.model, ListingsTableModel)
    qtmodeltester.check(tab.model, force_py=True)


def test_issue_text_names_amazons_code_and_the_attribute() -> None:
    from kinxpro_desktop.spapi.mapping import listing_issues

    sku, texts = listing_issues(
        {
            "sku": "KX-1",
            "issues": [
                {"code": "18027", "message": "Image too small.", "severity": "WARNING"},
                {
                    "code": "90220",
                    "message": "'item_package_weight' is required but not supplied.",
                    "severity": "ERROR",
                    "attributeNames": ["item_package_weight"],
                },
            ],
        }
    )
    assert sku == "KX-1"
    assert [i.text for i in texts] == [
        "Error 90220 · item_package_weight: 'item_package_weight' is required but not supplied.",
        "Warning 18027: Image too small.",
    ]
